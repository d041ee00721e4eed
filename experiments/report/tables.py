"""Experiment tables as report tables: formatted cells, one unit per metric, the unit in the row or column label."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.report.doc import Table
from experiments.report.fmt import PROB, Scale, calendar_month, ci, month_label, plain, scale_for, with_unit
from experiments.report.i18n import entity_name, metric_name, t
from experiments.report.load import run_counts
from experiments.store.folder import STATUS_OK

MAX_ROWS = 200
ID_COLUMNS = frozenset({"run_id", "replicate", "seed", "point", "wall_s"})


def by_scenario(df: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by the scenario order (stable: ties keep their order)."""
    rank = {s: i for i, s in enumerate(order)}
    key = df["scenario"].map(lambda s: rank.get(str(s), len(rank)))
    return df.assign(_rank=key.to_numpy()).sort_values("_rank", kind="stable").drop(columns="_rank")


def by_metric(df: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(metric, rows)`` in order of first appearance."""
    for metric in pd.unique(df["metric"]):
        yield str(metric), df[df["metric"] == metric]


def _values(df: pd.DataFrame, cols: Sequence[str]) -> list[float]:
    return df[[c for c in cols if c in df.columns]].to_numpy().ravel().tolist()


def stats_table(stats: pd.DataFrame, lang: str, order: Sequence[str], tid: str = "tab-stats") -> Table:
    """Mean, 95% CI, SD and runs per scenario and metric (``stats.parquet`` layout; CI columns optional)."""
    has_ci = {"ci_low", "ci_high"} <= set(stats.columns)
    header = [t("col.metric", lang), t("col.scenario", lang), t("col.mean", lang)]
    header += [t("col.ci", lang)] if has_ci else []
    header += [t("col.sd", lang), t("col.n", lang)]
    rows = []
    for metric, g in by_metric(stats):
        scale = scale_for(metric, _values(g, ("mean", "ci_low", "ci_high")))
        label = with_unit(metric_name(metric, lang), scale, lang)
        for r in by_scenario(g, order).itertuples(index=False):
            row = [label, str(r.scenario), scale.num(r.mean)]
            row += [ci(scale, r.ci_low, r.ci_high)] if has_ci else []
            rows.append([*row, scale.num(getattr(r, "sd", None)), plain(int(r.n))])
    return Table(tid, t("h.outcomes", lang), header, rows)


def paired_table(paired: pd.DataFrame, lang: str, order: Sequence[str]) -> Table:
    """Mean paired difference from the baseline with its 95% CI (shares in percentage points)."""
    base = str(paired["baseline"].iloc[0]) if "baseline" in paired else ""
    header = [t("col.metric", lang), t("col.scenario", lang), t("col.diff", lang), t("col.ci", lang), t("col.n", lang)]
    rows = []
    for metric, g in by_metric(paired):
        scale = scale_for(metric, _values(g, ("mean_diff", "ci_low", "ci_high")), diff=True)
        label = with_unit(metric_name(metric, lang), scale, lang)
        for r in by_scenario(g, order).itertuples(index=False):
            rows.append(
                [label, str(r.scenario), scale.num(r.mean_diff), ci(scale, r.ci_low, r.ci_high), plain(int(r.n))]
            )
    return Table("tab-paired", t("fig.diff", lang, baseline=base), header, rows)


def outcome_stats(outcomes: pd.DataFrame, runs: pd.DataFrame | None) -> pd.DataFrame | None:
    """Mean, SD and count per scenario of every numeric outcome of the completed runs (``stats`` layout, no CI)."""
    if runs is None:
        return None
    done = runs[runs["status"] == STATUS_OK]
    outcomes = outcomes.merge(done[["run_id", "scenario"]], on="run_id")
    metrics = [c for c in outcomes.select_dtypes("number").columns if c not in ID_COLUMNS]
    if not metrics:
        return None
    long = outcomes.melt(id_vars=["scenario"], value_vars=metrics, var_name="metric").dropna(subset=["value"])
    g = long.groupby(["metric", "scenario"], sort=False)["value"]
    out = pd.concat({"mean": g.mean(), "sd": g.std(), "n": g.count()}, axis=1).reset_index()
    rank = {m: i for i, m in enumerate(metrics)}
    return out.sort_values("metric", key=lambda s: s.map(rank), kind="stable")


def runs_table(runs: pd.DataFrame, lang: str, order: Sequence[str]) -> Table:
    """Runs per scenario, how many completed and failed, and their seeds."""
    counts = by_scenario(run_counts(runs), order)
    header = [t("col.scenario", lang), t("col.n", lang), t("col.ok", lang), t("col.failed", lang), t("col.seeds", lang)]
    rows = [
        [str(r.scenario), plain(int(r.runs)), plain(int(r.ok)), plain(int(r.failed)), seed_list(r.seeds)]
        for r in counts.itertuples(index=False)
    ]
    return Table("tab-runs", t("k.runs", lang), header, rows)


def seed_list(seeds: object, shown: int = 8) -> str:
    """Seeds as text, shortened after ``shown``."""
    if not isinstance(seeds, list | tuple):
        return "—"
    head = ", ".join(str(s) for s in seeds[:shown])
    return head + (f", … (+{len(seeds) - shown})" if len(seeds) > shown else "")


def text_or(value: object, fallback: str) -> str:
    """``value`` if it is a non-empty string (a Parquet null arrives as None or NaN), else ``fallback``."""
    return value if isinstance(value, str) and value.strip() else fallback


def _given(v: object) -> object | None:
    """``v``, or None for a missing value (None, NaN)."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def condition(target: Mapping[str, Any], lang: str, scale: Scale | None = None, figure: bool = False) -> str:
    """A target's condition in words: "Tech-loan balance ≥ 800亿元", "change in … since the start > 0万元".

    ``target`` has ``metric``, ``op`` and ``threshold``, and optionally ``window_months`` (the metric summed
    over that many months) and ``base_date`` (the change since that month, or since "start"). ``figure``:
    units every font can draw (see ``Scale.figure_text``).
    """
    metric, threshold = str(_given(target.get("metric")) or ""), float(target["threshold"])
    name = metric_name(metric, lang) if metric else t("cond.unmodelled", lang)
    if window := _given(target.get("window_months")):
        mean = target.get("window_stat") == "mean"
        name = t("cond.window_mean" if mean else "cond.window", lang, metric=name, n=int(window))
    if base := _given(target.get("base_date")):
        name = t("cond.change", lang, metric=name, base=t("cond.start", lang) if base == "start" else base)
    shown = {">=": "≥", "<=": "≤"}.get(str(target["op"]), str(target["op"]))
    scale = scale or scale_for(metric, [threshold])
    value = scale.figure_text(threshold, lang) if figure else scale.text(threshold, lang, compact=True)
    return f"{name} {shown} {value}"


def targets_table(targets: pd.DataFrame, lang: str, order: Sequence[str]) -> Table:
    """Each target's probability of being met by its date, with its Wilson interval, and the value the runs
    achieved (median and 10–90% range) against the threshold; not-reached and out-of-scope targets say so."""
    header = [t(k, lang) for k in ("col.scenario", "col.target", "col.condition", "col.date", "col.achieved")]
    header += [t("col.successes", lang), with_unit(t("col.prob", lang), PROB, lang)]
    header += [with_unit(t("col.ci_wilson", lang), PROB, lang)]
    rows = []
    for r in by_scenario(targets, order).itertuples(index=False):
        d = r._asdict()
        cond = condition(d, lang)
        state = str(d.get("state") or ("scored" if r.n else "not_reached"))
        first = [str(r.scenario), text_or(r.label, cond), cond, month_label(r.date), achieved(d, lang)]
        if state == "scored":
            rows.append([*first, f"{int(r.successes)} / {int(r.n)}", PROB.num(r.prob), ci(PROB, r.ci_low, r.ci_high)])
        else:
            why = text_or(d.get("reason"), "")
            verdict = t("target.out_of_scope_why", lang, reason=why) if why else t(f"target.{state}", lang)
            rows.append([*first, verdict, "—", "—"])
    return Table("tab-targets", t("h.targets", lang), header, rows)


def achieved(target: Mapping[str, Any], lang: str) -> str:
    """The runs' median value of a target's metric with its 10–90% range, in the threshold's unit."""
    median = _given(target.get("value_median"))
    if median is None:
        return "—"
    metric = str(_given(target.get("metric")) or "")
    lo, hi = target.get("value_p10"), target.get("value_p90")
    scale = scale_for(metric, [target["threshold"], median, lo, hi])
    return f"{scale.text(median, lang, compact=True)} [{scale.num(lo)}, {scale.num(hi)}]"


def depletion_median_table(median: pd.DataFrame, lang: str, order: Sequence[str], starts: dict[str, str]) -> Table:
    """Median month of depletion per scenario and fund, in months from the start and as a calendar month."""
    months = Scale("months", 1.0, 1)
    header = [
        t("col.scenario", lang),
        t("col.entity", lang),
        with_unit(t("col.median_month", lang), months, lang),
        t("col.median_month", lang),
        with_unit(t("col.median_ci", lang), months, lang),
        t("col.events", lang),
    ]
    rows = []
    for r in by_scenario(median, order).itertuples(index=False):
        when = calendar_month(starts.get(str(r.scenario)), r.median_month)
        reached = pd.notna(r.median_month)
        rows.append(
            [
                str(r.scenario),
                entity_name(str(r.entity), lang),
                months.num(r.median_month) if reached else t("never", lang),
                (when or "—") if reached else t("never", lang),
                ci(months, r.ci_low, r.ci_high),
                f"{int(r.events)} / {int(r.n)}",
            ]
        )
    return Table("tab-depletion-median", t("col.median_month", lang), header, rows)


def depletion_year_table(by_year: pd.DataFrame, lang: str, order: Sequence[str]) -> Table:
    """Probability of depletion by the end of each year, one row per scenario and fund."""
    wide = by_year.pivot_table(index=["scenario", "entity"], columns="year", values="prob", sort=False).reset_index()
    years = [c for c in wide.columns if c not in ("scenario", "entity")]
    header = [t("col.scenario", lang), t("col.entity", lang)]
    header += [with_unit(t("col.by_year", lang, year=int(y)), PROB, lang) for y in years]
    rows = [
        [str(r["scenario"]), entity_name(str(r["entity"]), lang), *(PROB.num(r[y]) for y in years)]
        for _, r in by_scenario(wide, order).iterrows()
    ]
    return Table("tab-depletion-by-year", t("h.depletion", lang), header, rows)
