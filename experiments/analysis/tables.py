"""Analyses written into an experiment folder from its stored tables; ``analyse(folder)`` recomputes them.

By kind (the reports and figures are built from exactly these files and columns; ``experiments.store.folder`` holds
the layouts):

- compare: ``stats.parquet`` (scenario, metric, mean, ci_low, ci_high, sd, n), ``paired.parquet`` (scenario,
  baseline, metric, mean_diff, ci_low, ci_high, n: t-interval on per-replicate differences to the baseline),
  ``bands.parquet`` (scenario, month, date, metric, median, p10, p90; also for depletion and targets, whenever
  the monthly series were kept);
- depletion: ``survival.parquet``, ``depletion_by_year.parquet``, ``depletion_median.parquet``, ``horizon.json``
  (see ``experiments.analysis.survival``), ``budget_by_year.parquet`` and ``budget_months.parquet`` (the special fund's
  budget each year, see ``experiments.analysis.budget``);
- targets: ``targets.parquet`` (scenario, index, metric, date, op, threshold, label, clause, window_months,
  base_date, offset, state, reason,
  successes, n, prob, ci_low, ci_high, value_median, value_p10, value_p90; Wilson interval; runs where the
  target's month was not simulated are not counted, out-of-scope targets get no probability);
- sweep: ``points.parquet`` (point, ``param.<name>`` ..., n, then ``<metric>.mean``, ``<metric>.ci_low``,
  ``<metric>.ci_high`` for each space metric);
- sensitivity: ``indices.parquet`` (see ``experiments.analysis.sensitivity``).

Means come with 95% t-intervals (mean ± t₀.₉₇₅,ₙ₋₁ · sd/√n); booleans count as 0/1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.store import folder as schema
from experiments.store.results import ResultStore, atomic_write_json, write_parquet

KEYS = ("run_id", "scenario", "replicate", "seed", "point", "status", "error", "wall_s")


def analyse(folder: Path | str) -> list[str]:
    """Recompute the analysis tables of an experiment folder from its stored files; returns the file names."""
    store = ResultStore(folder)
    if not store.has("outcomes"):
        store.consolidate()
    m = store.manifest
    ok = successful_runs(store)
    kind = m["kind"]
    tables: dict[str, pd.DataFrame] = {}
    if kind in ("compare", "depletion", "targets") and store.has("series"):
        tables["bands"] = bands(store.table("series"))
    if kind == "compare":
        tables["stats"] = metric_stats(ok)
        tables["paired"] = paired_differences(ok, m["baseline"])
    elif kind == "depletion":
        from experiments.analysis.budget import budget_tables
        from experiments.analysis.survival import depletion_tables

        scenarios = store.scenarios()
        start = {k: v["start"] for k, v in scenarios.items()}
        tables.update(depletion_tables(ok, scenarios, m["horizons"], start))
        tables.update(budget_tables(ok, scenarios, m["horizons"], start))
        atomic_write_json(store.folder / schema.HORIZON, m["horizons"])
    elif kind == "targets":
        tables["targets"] = target_table(ok, store.scenarios())
    elif kind == "sweep":
        tables["points"] = point_table(ok, m["metrics"])
    elif kind == "sensitivity":
        from experiments.analysis.sensitivity import indices

        tables["indices"] = indices(m, store.plan(), ok)
    for name, df in tables.items():
        spec = schema.TABLES[name]
        write_parquet(spec.frame(df), store.folder / spec.file)  # atomic: a kill leaves the old table or the new one
    return [schema.TABLES[n].file for n in tables] + ([schema.HORIZON] if kind == "depletion" else [])


def successful_runs(store: ResultStore) -> pd.DataFrame:
    """Runs with status ok joined with their outcomes."""
    runs = store.table("runs")
    outcomes = store.table("outcomes")
    return runs[runs["status"] == schema.STATUS_OK].merge(outcomes, on="run_id", how="inner")


def metric_columns(df: pd.DataFrame) -> list[str]:
    """Outcome columns (numeric or boolean), excluding run keys and parameters."""
    return [c for c in df.columns if c not in KEYS and not c.startswith(schema.PARAM) and _numeric(df[c])]


def t_interval(values: np.ndarray) -> tuple[float, float, float, float, int]:
    """Mean, 95% t-interval, sd and n of the non-missing values."""
    v = values[~np.isnan(values)]
    n = int(v.size)
    if n == 0:
        return np.nan, np.nan, np.nan, np.nan, 0
    mean = float(v.mean())
    if n == 1:
        return mean, np.nan, np.nan, np.nan, 1
    sd = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
    return mean, mean - half, mean + half, sd, n


def metric_stats(ok: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and metric: mean, 95% CI, sd, n."""
    rows = []
    for key, grp in ok.groupby("scenario", sort=False):
        for metric in metric_columns(ok):
            mean, lo, hi, sd, n = t_interval(_floats(grp[metric]))
            rows.append(
                {"scenario": key, "metric": metric, "mean": mean, "ci_low": lo, "ci_high": hi, "sd": sd, "n": n}
            )
    return pd.DataFrame(rows, columns=list(schema.STATS_TABLE.columns))


def paired_differences(ok: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Per scenario and metric: mean of the per-replicate differences to the baseline, with a 95% t-interval.

    A scenario identical to the baseline gives exactly 0 with interval [0, 0] (common random numbers).
    """
    metrics = metric_columns(ok)
    base = ok[ok["scenario"] == baseline].set_index("replicate")
    rows = []
    for key, grp in ok.groupby("scenario", sort=False):
        if key == baseline:
            continue
        g = grp.set_index("replicate")
        common = g.index.intersection(base.index)
        for metric in metrics:
            diff = _floats(g.loc[common, metric]) - _floats(base.loc[common, metric])
            mean, lo, hi, _, n = t_interval(diff)
            rows.append(
                {
                    "scenario": key,
                    "baseline": baseline,
                    "metric": metric,
                    "mean_diff": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": n,
                }
            )
    return pd.DataFrame(rows, columns=list(schema.PAIRED.columns))


def bands(series: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, month and metric: median and 10th / 90th percentiles over replicates."""
    metrics = [c for c in series.columns if c not in ("run_id", "scenario", "replicate", "month", "date")]
    g = series.groupby(["scenario", "month"], sort=True)
    parts = {name: g[metrics].quantile(q) for name, q in (("median", 0.5), ("p10", 0.1), ("p90", 0.9))}
    long = {name: df.stack().rename(name) for name, df in parts.items()}
    out = pd.concat(long.values(), axis=1).reset_index().rename(columns={"level_2": "metric"})
    dates = g["date"].first().rename("date").reset_index()
    out = out.merge(dates, on=["scenario", "month"], how="left")
    return out[list(schema.BANDS.columns)]


def target_table(ok: pd.DataFrame, scenarios: dict) -> pd.DataFrame:
    """Per scenario and plan target: its state, successes of n evaluated runs, probability with its Wilson 95%
    interval, and the value the runs achieved (median, 10th and 90th percentiles) against the threshold.

    ``state``: ``scored``; ``not_reached`` (no run reached the date); ``out_of_scope`` (``reason`` says why; its
    value, if any, is for information and no probability is given). Thresholds are those of the region as
    simulated (scaled by ``enterprises.scale``).
    """
    from sim.scale import scaled_target

    rows = []
    for key, content in scenarios.items():
        grp = ok[ok["scenario"] == key]
        scale = float((content.get("enterprises") or {}).get("scale", 1.0))
        rows += [
            _target_row(key, i, scaled_target(raw, scale), grp) for i, raw in enumerate(content.get("targets", []))
        ]
    return pd.DataFrame(rows, columns=list(schema.TARGETS.columns))


def _target_row(key: str, i: int, tg: dict, grp: pd.DataFrame) -> dict:
    """The row of target ``i`` (thresholds already scaled) over a scenario's successful runs ``grp``."""
    met, value = f"target.{i}.met", f"target.{i}.value"
    evaluated = _floats(grp[value]) if value in grp else np.zeros(0)
    hits = _floats(grp[met])[~np.isnan(evaluated)] if met in grp else np.zeros(0)
    values = evaluated[~np.isnan(evaluated)]
    reason = tg.get("out_of_scope")
    if reason:
        hits = np.zeros(0)
    n, k = int(hits.size), int(np.nansum(hits))
    lo, hi = _wilson(k, n)
    q = np.quantile(values, [0.5, 0.1, 0.9]) if values.size else (np.nan,) * 3
    return {
        "scenario": key,
        "index": i,
        "metric": tg.get("metric") or "",
        "date": tg["date"],
        "op": tg.get("op", ">="),
        "threshold": float(tg["threshold"]),
        "label": tg.get("label", ""),
        "clause": tg.get("clause", ""),
        "window_months": tg.get("window_months"),
        "base_date": tg.get("base_date"),
        "offset": float(tg.get("offset") or 0.0),
        "state": "out_of_scope" if reason else "scored" if n else "not_reached",
        "reason": reason or "",
        "successes": k,
        "n": n,
        "prob": k / n if n else np.nan,
        "ci_low": lo,
        "ci_high": hi,
        "value_median": float(q[0]),
        "value_p10": float(q[1]),
        "value_p90": float(q[2]),
    }


def point_table(ok: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per design point: parameter values, runs, and each metric's mean with its 95% t-interval."""
    params = schema.param_columns(ok)
    rows = []
    for point, grp in ok.groupby("point", sort=True):
        row = {"point": int(point), **{p: float(grp[p].iloc[0]) for p in params}, "n": len(grp)}
        for metric in metrics:
            mean, lo, hi, _, _ = t_interval(_floats(grp[metric])) if metric in grp else (np.nan,) * 3 + (0, 0)
            row |= {schema.stat_column(metric, s): v for s, v in zip(schema.STATS, (mean, lo, hi), strict=True)}
        rows.append(row)
    return pd.DataFrame(rows)


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def _floats(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.astype("object"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
