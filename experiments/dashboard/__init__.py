"""Interactive dashboard: a Mesa SolaraViz page comparing a scenario under the levers with its no-policy baseline.

``techfin dashboard`` serves ``experiments/dashboard/app.py``; ``DashboardModel`` and the lever table ``LEVERS``
live in ``experiments.dashboard.model`` and import without solara.
"""

from experiments.dashboard.model import LEVERS, SERIES, DashboardModel, lever_overrides, model_params

__all__ = ["LEVERS", "SERIES", "DashboardModel", "lever_overrides", "model_params"]
