"""What a design search found, as tables in its folder.

- ``candidates.parquet``: every candidate told (trial, generation, lever values, each measure, feasible, on the
  Pareto set);
- ``pareto.parquet``: the feasible candidates no other feasible candidate beats on every objective (the same
  lever values once);
- ``recommended.parquet``: the designs recommended from the Pareto set (the best on each objective, and the
  balanced one nearest the ideal point once each objective is scaled to its range on the set) and the plan as
  written, each measure with its paired difference to the plan (same uncertainty samples and seeds) and a 95%
  t interval of that difference;
- ``convergence.parquet``: by generation, the hypervolume of the feasible Pareto set found so far (objectives
  scaled to their range over every feasible candidate, reference point 1.1 on each), feasible candidates and
  the best value of each objective;
- ``evaluations.parquet``: every run (candidate, pair, uncertainty values, seed, status and each measure's
  per-run value) — what the intervals and the value of information are computed from.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.design.search import RunCache, generation_key, label_of
from experiments.design.spec import Problem
from experiments.store.results import write_parquet

LEVEL = 0.95


def candidates_table(study: Any, problem: Problem) -> pd.DataFrame:
    """Every complete candidate: trial, generation, levers, measures, feasible, pareto."""
    import optuna

    key = generation_key(problem)
    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        row = {"trial": t.number, "generation": int(t.system_attrs.get(key, 0))}
        row |= {f"param.{p.key}": float(t.params[p.key]) for p in problem.levers}
        row |= {m.text: _num((t.user_attrs.get("measures") or {}).get(m.text)) for m in problem.measures}
        row["feasible"] = all(v <= 0 for v in t.constraints.values())
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["pareto"] = False
    feas = df.index[df["feasible"]]
    if len(feas):
        front = nondominated(_losses(df.loc[feas], problem))
        df.loc[feas[front], "pareto"] = True
    return df.sort_values("trial").reset_index(drop=True)


def pareto_table(cands: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """The Pareto set, the same lever values once, sorted by the first objective (best first)."""
    if cands.empty:
        return cands
    params = [f"param.{p.key}" for p in problem.levers]
    front = cands[cands["pareto"]].drop_duplicates(subset=params)
    first = problem.objectives[0]
    return front.sort_values(first.measure.text, ascending=first.sense == "min").reset_index(drop=True)


def nondominated(losses: np.ndarray) -> np.ndarray:
    """Indices of the rows of ``losses`` (to minimise) that no other row dominates."""
    keep = []
    for i, row in enumerate(losses):
        beaten = np.all(losses <= row, axis=1) & np.any(losses < row, axis=1)
        if not beaten.any():
            keep.append(i)
    return np.array(keep, dtype=int)


def _losses(df: pd.DataFrame, problem: Problem) -> np.ndarray:
    return np.column_stack([[o.loss(v) for v in df[o.measure.text]] for o in problem.objectives])


def recommend(front: pd.DataFrame, problem: Problem) -> list[tuple[str, int]]:
    """``(role, trial)``: the best on each objective, then the balanced design (nearest the ideal point)."""
    if front.empty:
        return []
    losses = _losses(front, problem)
    span = losses.max(axis=0) - losses.min(axis=0)
    scaled = (losses - losses.min(axis=0)) / np.where(span > 0, span, 1.0)
    dist = np.sqrt((scaled**2).sum(axis=1))
    out = [("balanced", int(front["trial"].iloc[int(np.argmin(dist))]))]
    for i, o in enumerate(problem.objectives):
        best = np.flatnonzero(losses[:, i] == losses[:, i].min())
        pick = best[np.argmin(dist[best])]
        out.append((f"best: {o.measure.text}", int(front["trial"].iloc[int(pick)])))
    return out


def per_run(problem: Problem, cache: RunCache, label: str) -> pd.DataFrame:
    """Every run of one candidate: pair, ok, and each measure's per-run value."""
    runs = cache.frame(label, problem.pairs)
    out = runs[["pair", "ok"]].copy()
    for m in problem.measures:
        out[m.text] = np.where(runs["ok"], m.per_run(runs), np.nan)
    return out


def paired(design: pd.DataFrame, plan: pd.DataFrame, measure: str) -> dict[str, float]:
    """Mean paired difference design − plan over pairs where both are defined, with a 95% t interval."""
    d = design[measure].to_numpy(float) - plan[measure].to_numpy(float)
    d = d[np.isfinite(d)]
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return {"diff": mean, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def recommended_table(
    problem: Problem, cands: pd.DataFrame, picks: list[tuple[str, int]], cache: RunCache
) -> pd.DataFrame:
    """Long table: each recommended design (and the plan) × measure, with the paired difference to the plan."""
    plan_runs = per_run(problem, cache, "plan")
    plan_values = {m.text: m.aggregate(plan_runs[m.text]) for m in problem.measures}
    roles: dict[int, list[str]] = {}
    for role, trial in picks:
        roles.setdefault(trial, []).append(role)
    rows = []
    for m in problem.measures:
        rows.append(
            {
                "design": "plan",
                "trial": -1,
                "measure": m.text,
                "value": plan_values[m.text],
                "plan": plan_values[m.text],
                "diff": 0.0,
                "ci_low": 0.0,
                "ci_high": 0.0,
                "n": int(np.isfinite(plan_runs[m.text]).sum()),
                **_role(m, problem),
            }
        )
    for trial, names in roles.items():
        runs = per_run(problem, cache, label_of(trial))
        value = cands.set_index("trial").loc[trial]
        for m in problem.measures:
            rows.append(
                {
                    "design": "; ".join(names),
                    "trial": trial,
                    "measure": m.text,
                    "value": float(value[m.text]),
                    "plan": plan_values[m.text],
                    **paired(runs, plan_runs, m.text),
                    **_role(m, problem),
                }
            )
    return pd.DataFrame(rows)


def _role(measure: Any, problem: Problem) -> dict[str, str]:
    sense = [o.sense for o in problem.objectives if o.measure.text == measure.text]
    bounds = [f"{c.op} {c.bound:g}" for c in problem.constraints if c.measure.text == measure.text]
    return {"objective": sense[0] if sense else "", "constraint": ", ".join(bounds)}


def plan_feasible(problem: Problem, rec: pd.DataFrame) -> bool:
    """Whether the plan as written meets every constraint."""
    plan = rec[rec["design"] == "plan"].set_index("measure")["value"]
    return all(c.violation(float(plan[c.measure.text])) <= 0 for c in problem.constraints)


def convergence_table(cands: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """Hypervolume of the feasible front found up to each generation, with feasible counts and best values."""
    from optuna._hypervolume import compute_hypervolume

    if cands.empty:
        return pd.DataFrame(columns=["generation", "candidates", "feasible", "hypervolume"])
    feas = cands[cands["feasible"]]
    losses = _losses(feas, problem) if len(feas) else np.zeros((0, len(problem.objectives)))
    lo, hi = (losses.min(axis=0), losses.max(axis=0)) if len(feas) else (0.0, 1.0)
    scaled = (losses - lo) / np.where(hi - lo > 0, hi - lo, 1.0)
    ref = np.full(len(problem.objectives), 1.1)
    rows = []
    for g in sorted(cands["generation"].unique()):
        upto = (feas["generation"] <= g).to_numpy()
        pts = scaled[upto]
        hv = float(compute_hypervolume(pts[nondominated(pts)], ref)) if len(pts) else 0.0
        row = {
            "generation": int(g),
            "candidates": int((cands["generation"] <= g).sum()),
            "feasible": int(upto.sum()),
            "hypervolume": hv,
        }
        for o in problem.objectives:
            vals = feas.loc[upto, o.measure.text]
            row[f"best {o.text}"] = (vals.max() if o.sense == "max" else vals.min()) if len(vals) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def evaluations_table(problem: Problem, cands: pd.DataFrame, cache: RunCache) -> pd.DataFrame:
    """Every run of the plan and of every complete candidate, with uncertainty values and per-run measures."""
    frames = []
    for trial in [None, *cands["trial"].tolist()] if not cands.empty else [None]:
        df = per_run(problem, cache, label_of(trial))
        df.insert(0, "trial", -1 if trial is None else int(trial))
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "sample", out["pair"] // problem.spec.replicates)
    out.insert(3, "replicate", out["pair"] % problem.spec.replicates)
    out.insert(4, "seed", [problem.seeds[j] for j in out["pair"]])
    for i, p in enumerate(problem.uncertainties):
        out.insert(5 + i, f"param.{p.key}", problem.unc_values[out["sample"].to_numpy(), i])
    return out


def write_results(folder: Path, study: Any, problem: Problem, cache: RunCache) -> dict[str, pd.DataFrame]:
    """Every table above (and the value of information) into ``folder``; returns them by name."""
    from experiments.design.voi import voi_table

    cands = candidates_table(study, problem)
    front = pareto_table(cands, problem)
    picks = recommend(front, problem)
    out = {
        "candidates": cands,
        "pareto": front,
        "recommended": recommended_table(problem, cands, picks, cache),
        "convergence": convergence_table(cands, problem),
        "evaluations": evaluations_table(problem, cands, cache),
    }
    out["voi"] = voi_table(problem, front, out["evaluations"])
    for name, df in out.items():
        write_parquet(df, folder / f"{name}.parquet")
    return out


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)
