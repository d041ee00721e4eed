"""Interactive dashboard: a Mesa SolaraViz page comparing a scenario under the levers with its no-policy baseline.

``techfin dashboard`` serves ``experiments/dashboard/app.py``; ``DashboardModel`` (``experiments.dashboard.model``),
the lever table ``LEVERS`` (``experiments.dashboard.levers``) and ``lever_overrides``
(``experiments.dashboard.overrides``) import without solara.
"""

from experiments.dashboard.model import LEVERS, SERIES, DashboardModel, model_params
from experiments.dashboard.overrides import lever_overrides

__all__ = ["LEVERS", "SERIES", "DashboardModel", "lever_overrides", "model_params"]
