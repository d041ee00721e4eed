"""Value of information: which uncertainty, if resolved, would most change the recommended design.

The decision is the choice among the Pareto set's designs by the first objective (its value U, oriented so
more is better). Without further information the planner takes the design with the best mean U over the
uncertainty samples. If uncertainty θ were known first, they would take the best design *for that θ*; the
expected gain is the expected value of partial perfect information,

    EVPPI(θ) = E_θ[ max_d E(U_d | θ) ] − max_d E(U_d),

estimated by regression from the design runs themselves (Strong, Oakley & Brennan 2014, *Medical Decision
Making* 34(3)): E(U_d | θ) is a quadratic least-squares fit of design d's per-run U on θ over the shared
(sample, seed) pairs (common random numbers make the fits comparable). ``switch_share`` is the share of runs
whose θ would make another design the best. "all" fits on every uncertainty together (linear and squared
terms). With few samples the maximum of noisy fits is biased upward: read EVPPI as a ranking of the
uncertainties, not an exact amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.design.spec import Problem

MAX_DESIGNS = 40
MIN_SAMPLES = 3
COLUMNS = ["uncertainty", "objective", "evppi", "evppi_relative", "switch_share", "designs", "samples", "runs"]


def voi_table(problem: Problem, front: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:
    """EVPPI of each uncertainty (and of all together) on the first objective; empty when not estimable (no
    uncertainty, fewer than 3 samples, fewer than 2 designs on the Pareto set)."""
    obj = problem.objectives[0]
    samples = len(problem.unc_values)
    if not problem.uncertainties or samples < MIN_SAMPLES or len(front) < 2:
        return pd.DataFrame(columns=COLUMNS)
    first = front.head(MAX_DESIGNS)["trial"].astype(int).tolist()
    sub = evaluations[evaluations["trial"].isin(first)]
    u = sub.pivot(index="pair", columns="trial", values=obj.measure.text)[first]
    u = u.dropna()
    if len(u) < MIN_SAMPLES:
        return pd.DataFrame(columns=COLUMNS)
    utility = u.to_numpy(float) * (1.0 if obj.sense == "max" else -1.0)
    theta = np.array([[problem.sample_of(int(j))[p.key] for p in problem.uncertainties] for j in u.index])
    best_now = utility.mean(axis=0).max()
    scale = abs(best_now) if best_now != 0 else 1.0
    rows = []
    for i, p in enumerate(problem.uncertainties):
        gain, switch = _evppi(utility, _basis(theta[:, [i]], squares=True))
        rows.append([p.key, obj.text, gain, gain / scale, switch, len(first), samples, len(u)])
    if len(problem.uncertainties) > 1:
        squares = samples > 2 * len(problem.uncertainties) + 1
        gain, switch = _evppi(utility, _basis(theta, squares=squares))
        rows.append(["all", obj.text, gain, gain / scale, switch, len(first), samples, len(u)])
    return (
        pd.DataFrame(rows, columns=COLUMNS).sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    )


def _basis(theta: np.ndarray, squares: bool) -> np.ndarray:
    """Intercept, standardised θ columns and (``squares``, where θ takes at least 3 values) their squares."""
    cols = [np.ones(len(theta))]
    for k in range(theta.shape[1]):
        x = theta[:, k]
        sd = x.std()
        if sd == 0:
            continue
        z = (x - x.mean()) / sd
        cols.append(z)
        if squares and len(np.unique(x)) >= 3:
            cols.append(z**2)
    return np.column_stack(cols)


def _evppi(utility: np.ndarray, basis: np.ndarray) -> tuple[float, float]:
    """(EVPPI, share of runs whose θ changes the best design) from a least-squares fit of each design's U."""
    coef, *_ = np.linalg.lstsq(basis, utility, rcond=None)
    fitted = basis @ coef
    chosen = int(np.argmax(utility.mean(axis=0)))
    gain = float(fitted.max(axis=1).mean() - fitted[:, chosen].mean())
    switch = float((fitted.argmax(axis=1) != chosen).mean())
    return max(gain, 0.0), switch
