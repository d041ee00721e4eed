"""Run the evidence checks over paired seeds and write an evidence folder (``techfin evidence``).

The folder (like every experiment folder) holds ``manifest.json`` (kind ``evidence``), ``evidence.parquet`` and
``evidence.csv`` (one row per check: claim, source, set-up, range, model mean with its 95% interval over seeds,
verdict), ``evidence_values.parquet`` (one value per check and seed) and ``evidence_curves.parquet`` (the
responses the report draws: additionality against cover, the balance against the interest subsidy, default
curves by months since the loan with and without cover, one-year default rates for the Vasicek comparison).

Work is split by seed, so checks that read the same runs share them inside one worker, and seeds spread over
workers (``--workers``) give the same numbers as one process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.evidence import analytic, measures
from experiments.evidence.checks import BY_ID, CHECKS, Check
from experiments.execution.executors import make_executor
from experiments.execution.progress import Progress
from experiments.store.provenance import base_manifest

SEEDS = {"quick": 6, "full": 16}
CURVE_SEEDS = {"quick": 3, "full": 8}
SUBSIDY_SHARES = (0.0, 0.25, 0.5, 0.75)
COVERS = (0.3, 0.5, 0.7, 0.9)


@dataclass(frozen=True)
class Outcome:
    """A check's result over seeds: mean, 95% CI, and whether the model lands in the range."""

    check: Check
    values: tuple[float, ...]
    mean: float
    ci_low: float
    ci_high: float
    passed: bool


def verdict(check: Check, values: np.ndarray, strict: bool) -> Outcome:
    """Mean and 95% t-interval of ``values``; ``strict``: the mean must lie in the range, otherwise (few seeds,
    or a noisy check) the interval must reach into it — the tolerance is the sampling error."""
    values = values[np.isfinite(values)]
    mean = float(values.mean()) if values.size else math.nan
    sd = float(values.std(ddof=1)) if values.size > 1 else math.inf
    half = float(stats.t.ppf(0.975, values.size - 1) * sd / np.sqrt(values.size)) if values.size > 1 else math.inf
    lo, hi = mean - half, mean + half
    low = -math.inf if check.low is None else check.low
    high = math.inf if check.high is None else check.high
    passed = (low <= mean <= high) if strict and not check.noisy else (hi >= low and lo <= high)
    return Outcome(check, tuple(values), mean, lo, hi, bool(passed and values.size > 0))


def run_check(check: Check, seeds: range | list[int], size: str = "quick", strict: bool = False) -> Outcome:
    """Measure ``check`` under each seed in this process and judge it (see :func:`verdict`)."""
    return verdict(check, np.array([check.measure(seed, size) for seed in seeds], dtype=float), strict)


def measure_seed(task: tuple[str, int, tuple[str, ...], bool]) -> list[dict]:
    """Every check in ``ids`` under one seed, and with ``curves`` the response curves' points (a worker task)."""
    size, seed, ids, curves = task
    rows = [{"table": "values", "check": i, "seed": seed, "value": float(BY_ID[i].measure(seed, size))} for i in ids]
    if curves:
        rows += [{"table": "curves", "seed": seed, **r} for r in curve_points(seed, size)]
    return rows


def curve_points(seed: int, size: str) -> list[dict]:
    """The responses behind the report's figures, under one seed."""
    out = []
    base = None
    for share in SUBSIDY_SHARES:
        bal = measures._run(measures.subsidised(share, size), seed).result.monthly["tech_loan_balance_wan"].mean()
        base = bal if base is None else base
        out.append({"curve": "subsidy", "series": "balance", "x": share, "value": bal / base - 1})
    for cover in COVERS:
        s = measures.fogape(size, cover)
        pol, none = measures._run(s, seed), measures._run(measures.without_policy(s), seed)
        gap = pol.result.monthly["tech_loan_balance_wan"].mean() - none.result.monthly["tech_loan_balance_wan"].mean()
        ratio = gap / pol.result.monthly["covered_loan_balance_wan"].mean()
        out.append({"curve": "coverage", "series": "additionality", "x": cover, "value": ratio})
    s = measures.fogape(size)
    pol, none = measures._run(s, seed), measures._run(measures.without_policy(s), seed)
    for months in range(1, 25):
        out.append(
            {
                "curve": "vintage",
                "series": "covered",
                "x": months,
                "value": measures.cohort_default(pol, months, (0, 1), True),
            }
        )
        out.append(
            {
                "curve": "vintage",
                "series": "without",
                "x": months,
                "value": measures.cohort_default(none, months, (0, 1), None),
            }
        )
    for year, rate in enumerate(analytic.yearly_default_rates(seed)):
        out.append({"curve": "vasicek", "series": "rate", "x": year, "value": rate})
    return out


def run_evidence(
    out: Path,
    quick: bool = True,
    seeds: int | None = None,
    workers: int = 1,
    ids: list[str] | None = None,
    progress: bool = True,
) -> tuple[Path, pd.DataFrame]:
    """Run the checks (``ids``: all) over paired seeds and write the evidence folder ``out``.

    Returns:
        The folder and its summary table (one row per check).
    """
    size = "quick" if quick else "full"
    n = int(seeds or SEEDS[size])
    chosen = [c for c in CHECKS if ids is None or c.id in ids]
    tasks = [(size, seed, tuple(c.id for c in chosen), seed < CURVE_SEEDS[size]) for seed in range(n)]
    rows: list[dict] = []
    bar = Progress(len(tasks), label="seeds", enabled=progress)
    with make_executor(workers) as ex:
        for _, result in ex.run(measure_seed, tasks):
            if isinstance(result, BaseException):
                raise result
            rows += result
            bar.update(True)
    bar.close()
    values = pd.DataFrame([r for r in rows if r["table"] == "values"]).drop(columns="table")
    curves = pd.DataFrame([r for r in rows if r["table"] == "curves"]).drop(columns="table")
    summary = summarise(chosen, values, strict=not quick)
    out.mkdir(parents=True, exist_ok=False)
    summary.to_parquet(out / "evidence.parquet", index=False)
    summary.drop(columns=["claim_zh"]).to_csv(out / "evidence.csv", index=False)
    values.sort_values(["check", "seed"]).to_parquet(out / "evidence_values.parquet", index=False)
    curves.to_parquet(out / "evidence_curves.parquet", index=False)
    manifest = base_manifest("evidence", "evidence", size=size, seeds=n, workers=workers, checks=[c.id for c in chosen])
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return out, summary


def summarise(chosen: list[Check], values: pd.DataFrame, strict: bool) -> pd.DataFrame:
    """One row per check: what is known, the range, the model's mean with its 95% interval, the verdict."""
    out = []
    for c in chosen:
        v = values.loc[values["check"] == c.id, "value"].to_numpy(dtype=float)
        o = verdict(c, v, strict)
        out.append(
            {
                "check": c.id,
                "kind": c.kind,
                "claim": c.claim,
                "claim_zh": c.claim_zh,
                "source": c.source,
                "setup": c.setup,
                "unit": c.unit,
                "low": c.low,
                "high": c.high,
                "mean": o.mean,
                "ci_low": o.ci_low,
                "ci_high": o.ci_high,
                "n": len(o.values),
                "passed": o.passed,
                "rule": "interval reaches the range" if (c.noisy or not strict) else "mean in the range",
            }
        )
    return pd.DataFrame(out)
