"""Reading a sweep's ``points`` table: which parameters and metrics it has, and a two-way table for a heat map.

The heat map's axes are the two parameters whose levels vary most: the most distinct levels first, ties
broken by the coefficient of variation of the values (scale-free, so 万元 amounts do not beat shares by units
alone). Other parameters are averaged over. A parameter with more than ``MAX_LEVELS`` distinct numeric levels
(a Latin hypercube) is cut into ``BINS`` equal-width bins, labelled by their midpoints.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.store.folder import param_columns, point_metrics, stat_column

MAX_LEVELS = 8
BINS = 6


def sweep_params(points: pd.DataFrame) -> list[str]:
    """The ``param.<path>`` columns."""
    return param_columns(points)


def sweep_metrics(points: pd.DataFrame) -> list[str]:
    """Metrics with a ``<metric>.mean`` column, in column order."""
    return point_metrics(points)


def _spread(values: pd.Series) -> tuple[int, float]:
    levels = values.dropna().nunique()
    num = pd.to_numeric(values, errors="coerce")
    if levels < 2 or num.isna().any():
        return levels, 0.0
    sd, mean = float(num.std(ddof=0)), abs(float(num.mean()))
    return levels, sd / mean if mean > 0 else sd


def sweep_axes(points: pd.DataFrame) -> tuple[str, str | None]:
    """The x and y parameters of the heat map (y is None when only one parameter was swept).

    Raises:
        ValueError: if ``points`` has no ``param.`` column.
    """
    params = sorted(sweep_params(points), key=lambda c: _spread(points[c]), reverse=True)
    if not params:
        raise ValueError("points table has no param.<path> columns")
    return params[0], (params[1] if len(params) > 1 else None)


def levels(values: pd.Series) -> pd.Series:
    """The values as heat-map levels: unchanged, or bin midpoints when there are too many numeric levels."""
    num = pd.to_numeric(values, errors="coerce")
    if num.isna().any() or num.nunique() <= MAX_LEVELS:
        return values
    edges = np.linspace(float(num.min()), float(num.max()), BINS + 1)
    idx = np.clip(np.searchsorted(edges, num.to_numpy(dtype=float), side="right") - 1, 0, BINS - 1)
    mids = (edges[:-1] + edges[1:]) / 2
    return pd.Series(mids[idx], index=values.index, name=values.name)


def heat_table(points: pd.DataFrame, metric: str, x: str, y: str | None) -> pd.DataFrame:
    """Mean of ``<metric>.mean`` by the levels of ``y`` (rows) and ``x`` (columns), over all other parameters."""
    df = pd.DataFrame(
        {
            "x": levels(points[x]),
            "y": levels(points[y]) if y else "",
            "v": pd.to_numeric(points[stat_column(metric, "mean")], errors="coerce"),
        }
    )
    return df.pivot_table(index="y", columns="x", values="v", aggfunc="mean", dropna=False)
