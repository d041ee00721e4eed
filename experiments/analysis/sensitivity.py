"""Global sensitivity with SALib: Sobol (Saltelli sampling, first- and total-order indices) and Morris.

Sampling uses ``SALib.sample.sobol.sample`` (``calc_second_order=False``: N × (D + 2) points) or
``SALib.sample.morris.sample`` (N trajectories of D + 1 points) on the space's SALib problem, distributions
included. A point's outcome is the mean of its replicates. Indices come from ``SALib.analyze.sobol.analyze``
and ``SALib.analyze.morris.analyze`` with bootstrap confidence intervals seeded by the master seed.
A metric with a missing value at any point (a failed run, or an undefined figure such as the CAGR of a book
that ran to zero) gets NaN indices and a warning, since the estimators need every point.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from experiments.plan.space import Space

SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma")


def sample(space: Space, method: str, n: int, seed: int, num_levels: int = 4) -> tuple[np.ndarray, dict[str, Any]]:
    """Parameter values of the design (rows) and the settings the analysis needs."""
    problem = space.problem()
    if method == "sobol":
        from SALib.sample import sobol

        if n < 2 or n & (n - 1):
            raise ValueError(f"--n {n}: Sobol' sampling needs a power of 2 (e.g. 64, 256, 1024)")
        values = sobol.sample(problem, n, calc_second_order=False, seed=seed)
        info = {"method": "sobol", "n": n, "calc_second_order": False}
    elif method == "morris":
        from SALib.sample import morris

        if n < 2:
            raise ValueError(f"--n {n}: Morris needs at least 2 trajectories")
        values = morris.sample(problem, n, num_levels=num_levels, seed=seed)
        info = {"method": "morris", "n": n, "num_levels": num_levels}
    else:
        raise ValueError(f"--method {method}: choose sobol or morris")
    for j, p in enumerate(space.parameters):
        if p.integer:
            values[:, j] = np.round(values[:, j])
    return values, info


def indices(manifest: dict[str, Any], plan: pd.DataFrame, ok: pd.DataFrame) -> pd.DataFrame:
    """The indices table: one row per metric × parameter (method, metric, parameter, then the method's columns).

    Args:
        manifest: The experiment manifest (space, method, metrics, master seed).
        plan: The plan (one row per run, with ``point`` and ``param.<name>``).
        ok: Successful runs with their outcomes (``point`` and metric columns).
    """
    from experiments.plan.space import Space

    space = Space.model_validate({k: v for k, v in manifest["space"].items() if k != "file"})
    problem = space.problem()
    method = manifest["method"]
    points = plan.groupby("point")[[f"param.{n}" for n in space.names]].first().sort_index()
    rows = []
    for metric in manifest.get("metrics") or space.metrics:
        y = _point_means(ok, metric, len(points))
        if np.isnan(y).any():
            print(
                f"sensitivity: {metric}: missing at {int(np.isnan(y).sum())} points; indices are NaN", file=sys.stderr
            )
            result = dict.fromkeys(
                SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS, [np.nan] * len(points.columns)
            )
        else:
            result = _analyse(method, problem, points.to_numpy(dtype=float), y, manifest, metric)
        cols = SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS
        for j, name in enumerate(space.names):
            rows.append(
                {
                    "method": method,
                    "metric": metric,
                    "parameter": name,
                    **{c: float(np.asarray(result[c])[j]) for c in cols},
                }
            )
    return pd.DataFrame(rows)


def _point_means(ok: pd.DataFrame, metric: str, n_points: int) -> np.ndarray:
    if metric not in ok.columns:
        return np.full(n_points, np.nan)
    values = ok[metric].astype("Float64").astype(float)
    return values.groupby(ok["point"]).mean().reindex(range(n_points)).to_numpy(dtype=float)


def _analyse(method: str, problem: dict, x: np.ndarray, y: np.ndarray, manifest: dict, metric: str = "") -> dict:
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("always")
        result = _salib(method, problem, x, y, manifest)
    if any("Constant values" in str(w.message) for w in caught):
        print(
            f"sensitivity: {metric}: some bootstrap resamples were constant (a rare event such as depletion);"
            " its confidence intervals may be wide or NaN",
            file=sys.stderr,
        )
    return result


def _salib(method: str, problem: dict, x: np.ndarray, y: np.ndarray, manifest: dict) -> dict[str, Any]:
    seed = int(manifest.get("master_seed", 0))
    if np.ptp(y) == 0:  # a constant output has no variance to apportion
        cols = SOBOL_COLUMNS if method == "sobol" else MORRIS_COLUMNS
        fill = 0.0 if method == "morris" else np.nan
        return dict.fromkeys(cols, np.full(problem["num_vars"], fill))
    if method == "sobol":
        from SALib.analyze import sobol

        return sobol.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    from SALib.analyze import morris

    return morris.analyze(problem, x, y, num_levels=int(manifest.get("num_levels", 4)), seed=seed)
