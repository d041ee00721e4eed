"""Scenario discovery: under which input conditions does an outcome (a pool running out, a target missed) happen?

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in high-dimensional data",
Statistics and Computing 9:123–143), as used for scenario discovery by Bryant & Lempert (2010, "Thinking inside
the box", Technological Forecasting & Social Change 77:34–49), comes from the ``prim`` package (the EMA
Workbench's PRIM as a standalone library, Kwakkel & Hadka): it peels the input space a slice (``peel_alpha`` of
the runs) at a time from the side that raises the share of cases most, down to ``mass_min`` of the runs, then
pastes back what helps. Each step of that *peeling trajectory* is a box with a **coverage** (share of all cases
inside it) and a **density** (share of the runs inside it that are cases).

On top of the library this module

- chooses a box on the trajectory: the one with the best balance of coverage and density (their harmonic mean),
  or the densest with coverage at least ``min_coverage``, or step ``step``;
- computes each restricted dimension's **quasi-p value** (Bryant & Lempert 2010: the one-sided binomial
  probability of seeing the box's cases if that restriction were lifted; exact counts) and lifts restrictions
  whose quasi-p exceeds ``qp_max``, the least significant first (EMA Workbench's ``drop_restriction``);
- measures **stability** over bootstrap resamples of the runs, as EMA Workbench's ``PrimBox.resample``: in each
  resample PRIM is rerun, the trajectory step closest in coverage (and in density) to the chosen box is taken,
  and each input's share of resamples in which it is restricted is reported, with the median limits;
- fits a CART classification tree (scikit-learn) as a second view: its leaves are boxes too
  (``experiments.analysis.discover_cart``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis.discover_cart import cart_leaves

logging.getLogger("prim").setLevel(logging.WARNING)


@dataclass
class Settings:
    """PRIM, selection, stability and CART settings (defaults as EMA Workbench's, depth 3 for CART)."""

    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    min_coverage: float | None = None
    step: int | None = None
    qp_max: float = 0.05
    resamples: int = 50
    seed: int = 0
    depth: int = 3


@dataclass
class Discovery:
    """What discovery found: the trajectory, the chosen box, the CART leaves and a summary."""

    trajectory: pd.DataFrame
    box: pd.DataFrame
    cart: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def discover(x: pd.DataFrame, y: np.ndarray, settings: Settings | None = None) -> Discovery:
    """PRIM box, its stability, and CART leaves for cases ``y`` (booleans) over inputs ``x`` (numeric columns).

    Raises:
        ValueError: when ``y`` has no cases or only cases, or ``x`` has no column that varies.
    """
    s = settings or Settings()
    y = np.asarray(y, dtype=bool)
    if not y.any() or y.all():
        raise ValueError(f"the outcome holds in {int(y.sum())} of {y.size} runs: nothing to tell apart")
    xf = x.astype(float).reset_index(drop=True)
    box, traj = _peel(xf, y, s)
    chosen = _choose(traj, s)
    dropped = _drop_insignificant(box, xf, y, chosen, s.qp_max)
    traj = _trajectory(box, traj, chosen, dropped)
    final = len(traj) - 1 if dropped else chosen
    limits = _limits(xf, box, final)
    table = _box_table(xf, y, limits)
    table = table.merge(_stability(xf, y, s, traj.loc[final]), on="parameter", how="left")
    inside = _inside(xf, limits)
    summary = {
        "runs": int(y.size),
        "cases": int(y.sum()),
        "base_rate": float(y.mean()),
        "step": int(final),
        "peeled_step": int(chosen),
        "coverage": float(y[inside].sum() / y.sum()),
        "density": float(y[inside].mean()) if inside.any() else 0.0,
        "mass": float(inside.mean()),
        "runs_in_box": int(inside.sum()),
        "cases_in_box": int(y[inside].sum()),
        "dropped": dropped,
        "selection": _rule(s),
        "settings": s.__dict__,
    }
    cart, accuracy = cart_leaves(xf, y, s.depth)
    summary["cart_accuracy"] = accuracy
    return Discovery(traj, table, cart, summary)


def _peel(x: pd.DataFrame, y: np.ndarray, s: Settings) -> tuple[Any, pd.DataFrame]:
    import prim

    p = prim.Prim(x, y, peel_alpha=s.peel_alpha, paste_alpha=s.paste_alpha, mass_min=s.mass_min)
    box = p.find_box()
    return box, box.peeling_trajectory.copy()


def _choose(traj: pd.DataFrame, s: Settings) -> int:
    """The trajectory step to keep (see ``Settings``)."""
    if s.step is not None:
        if not 0 <= s.step < len(traj):
            raise ValueError(f"--box {s.step}: the trajectory has steps 0 to {len(traj) - 1}")
        return s.step
    c, d = traj["coverage"].to_numpy(float), traj["density"].to_numpy(float)
    if s.min_coverage is not None:
        ok = c >= s.min_coverage - 1e-12
        return int(np.flatnonzero(ok)[np.argmax(d[ok])])  # step 0 (every run) always qualifies
    f = np.where(c + d > 0, 2 * c * d / np.where(c + d > 0, c + d, 1), 0.0)
    return int(np.argmax(f))


def _rule(s: Settings) -> dict[str, Any]:
    if s.step is not None:
        return {"rule": "step", "value": s.step}
    if s.min_coverage is not None:
        return {"rule": "min_coverage", "value": s.min_coverage}
    return {"rule": "f1"}


def _limits(x: pd.DataFrame, box: Any, step: int) -> dict[str, tuple[float, float]]:
    """Lower and upper limit of every input at trajectory ``step`` (data range when not restricted)."""
    box.select(step)
    lim = box.limits
    out = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    for name, row in lim.iterrows():
        out[str(name)] = (float(row["min"]), float(row["max"]))
    return out


def _inside(x: pd.DataFrame, limits: dict[str, tuple[float, float]], skip: str | None = None) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for c, (lo, hi) in limits.items():
        if c != skip:
            v = x[c].to_numpy()
            mask &= (v >= lo) & (v <= hi)
    return mask


def restricted(x: pd.DataFrame, limits: dict[str, tuple[float, float]]) -> list[str]:
    """Inputs whose limits are narrower than their range in the data."""
    return [c for c, (lo, hi) in limits.items() if lo > x[c].min() or hi < x[c].max()]


def quasi_p(x: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Quasi-p value of each restricted input (Bryant & Lempert 2010): P(≥ H cases in T runs) under the case rate
    of the box with that one restriction lifted (one-sided binomial), H and T the cases and runs in the box."""
    inside = _inside(x, limits)
    t_box, h_box = int(inside.sum()), int(y[inside].sum())
    out = {}
    for c in restricted(x, limits):
        wider = _inside(x, limits, skip=c)
        p = float(y[wider].mean())
        out[c] = float(stats.binom.sf(h_box - 1, t_box, p))
    return out


def _drop_insignificant(box: Any, x: pd.DataFrame, y: np.ndarray, step: int, qp_max: float) -> list[str]:
    """Lift the restrictions whose quasi-p is above ``qp_max``, the worst first (each lift is a new trajectory
    step, as EMA Workbench's ``drop_restriction``); returns the inputs lifted."""
    dropped: list[str] = []
    while True:
        qp = quasi_p(x, y, _limits(x, box, step))  # selects ``step``
        worst = max(qp, key=qp.get, default=None)
        if worst is None or qp[worst] <= qp_max:
            return dropped
        box.drop_restriction(worst)
        step = len(box.peeling_trajectory) - 1
        dropped.append(worst)


def _trajectory(box: Any, peeled: pd.DataFrame, chosen: int, dropped: list[str]) -> pd.DataFrame:
    traj = box.peeling_trajectory.reset_index(drop=True)
    mass = traj["mass"].to_numpy(float)
    phase = ["start"] + ["peel" if mass[i] < mass[i - 1] else "paste" for i in range(1, len(peeled))]
    phase += ["lift"] * (len(traj) - len(peeled))
    out = pd.DataFrame(
        {
            "step": np.arange(len(traj)),
            "phase": phase,
            "coverage": traj["coverage"].astype(float),
            "density": traj["density"].astype(float),
            "mass": mass,
            "res_dim": traj["res dim"].astype(int),
        }
    )
    final = len(traj) - 1 if dropped else chosen
    out["chosen"] = out["step"] == final
    return out


def _box_table(x: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple[float, float]]) -> pd.DataFrame:
    qp = quasi_p(x, y, limits)
    rows = []
    for c, (lo, hi) in limits.items():
        dmin, dmax = float(x[c].min()), float(x[c].max())
        rows.append(
            {
                "parameter": c,
                "lower": lo,
                "upper": hi,
                "data_min": dmin,
                "data_max": dmax,
                "restricted": c in qp,
                "lower_restricted": lo > dmin,
                "upper_restricted": hi < dmax,
                "qp": qp.get(c, np.nan),
            }
        )
    df = pd.DataFrame(rows)
    return df.sort_values(["restricted", "qp"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _stability(x: pd.DataFrame, y: np.ndarray, s: Settings, chosen: pd.Series) -> pd.DataFrame:
    """Per input: share of bootstrap resamples whose PRIM box (the step closest to the chosen box's coverage,
    resp. density) restricts it, and the median limits of those boxes."""
    import prim

    rng = np.random.default_rng(s.seed)
    by_cov = dict.fromkeys(x.columns, 0)
    by_den = dict.fromkeys(x.columns, 0)
    lows: dict[str, list[float]] = {c: [] for c in x.columns}
    highs: dict[str, list[float]] = {c: [] for c in x.columns}
    valid = 0
    for _ in range(s.resamples):
        idx = rng.integers(0, len(x), len(x))
        xb, yb = x.iloc[idx].reset_index(drop=True), y[idx]
        if yb.all() or not yb.any():
            continue
        box = prim.Prim(xb, yb, peel_alpha=s.peel_alpha, paste_alpha=s.paste_alpha, mass_min=s.mass_min).find_box()
        tr = box.peeling_trajectory.reset_index(drop=True)
        valid += 1
        for counter, col in ((by_cov, "coverage"), (by_den, "density")):
            step = int((tr[col].astype(float) - float(chosen[col])).abs().idxmin())
            lim = _limits(xb, box, step)
            for c in restricted(xb, lim):
                counter[c] += 1
                if col == "coverage":
                    lows[c].append(lim[c][0])
                    highs[c].append(lim[c][1])
    share = (lambda k: k / valid) if valid else (lambda k: np.nan)
    return pd.DataFrame(
        {
            "parameter": list(x.columns),
            "reproduce_coverage": [share(by_cov[c]) for c in x.columns],
            "reproduce_density": [share(by_den[c]) for c in x.columns],
            "resample_lower": [float(np.median(lows[c])) if lows[c] else np.nan for c in x.columns],
            "resample_upper": [float(np.median(highs[c])) if highs[c] else np.nan for c in x.columns],
            "resamples": valid,
        }
    )
