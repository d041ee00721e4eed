"""Calibration: fit declared behavioural parameters to observed figures by simulation (``techfin calibrate``).

``spec.py`` reads and validates a calibration file; ``run.py`` runs the Optuna study and writes the folder.
"""

from experiments.calibration.run import calibrate
from experiments.calibration.spec import Calibration, load_calibration

__all__ = ["Calibration", "calibrate", "load_calibration"]
