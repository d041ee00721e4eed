"""Assemble a report: what was run, findings, one section per kind of result present, provenance.

A section appears only when its table is in the folder, so a folder missing an optional file gives a shorter
report rather than an error. The section matching the experiment's kind comes first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd

from experiments.report.budget_report import budget_section
from experiments.report.calibration_report import calibration_findings, calibration_section
from experiments.report.design_report import design_findings, design_section
from experiments.report.discover_report import discover_section
from experiments.report.doc import Bullets, Document, Fig, Heading, Para, Table
from experiments.report.entities import naming
from experiments.report.evidence_report import evidence_findings, evidence_section
from experiments.report.figures_stats import paired_chart, sensitivity_chart, sweep_heatmaps, target_chart
from experiments.report.figures_time import fan_chart, survival_chart
from experiments.report.findings import findings
from experiments.report.i18n import metric_name, t
from experiments.report.instruments_section import no_business_across_runs
from experiments.report.load import FAN_METRICS, ReportData
from experiments.report.names import entities, localise
from experiments.report.provenance import kind_name, provenance_tables, what_table
from experiments.report.run_report import run_figures, run_findings, run_tables
from experiments.report.style import figure_lang
from experiments.report.sweep import sweep_axes, sweep_metrics, sweep_params
from experiments.report.tables import (
    depletion_median_table,
    depletion_year_table,
    outcome_stats,
    paired_table,
    runs_table,
    stats_table,
    targets_table,
)
from experiments.report.tables_design import indices_tables, points_table

Block = Heading | Para | Bullets | Fig | Table
Section = Callable[[ReportData, str, str], list[Block]]


MAX_PANELS = 9


def _headline(data: ReportData, df: pd.DataFrame, value: str, file: str, lang: str) -> tuple[pd.DataFrame, str]:
    """Rows of the metrics the report shows (see ``ReportData.report_metrics``) that have any value, and a note
    saying how many of the file's metrics that is when it is not all of them."""
    available = [str(m) for m in pd.unique(df["metric"])]
    with_values = set(df.loc[df[value].notna(), "metric"].astype(str))
    chosen = [m for m in data.report_metrics(available) if m in with_values]
    rank = {m: i for i, m in enumerate(chosen)}
    shown = df[df["metric"].isin(chosen)].sort_values("metric", key=lambda c: c.map(rank), kind="stable")
    note = (
        t("rows.metrics", lang, shown=len(chosen), total=len(available), file=file)
        if len(chosen) < len(available)
        else ""
    )
    return shown, note


def _effects(data: ReportData, lang: str, flang: str) -> list[Block]:
    paired = data.table("paired")
    if paired is None:
        return []
    base = str(paired["baseline"].iloc[0]) if "baseline" in paired else (data.baseline or "")
    shown, note = _headline(data, paired, "mean_diff", "paired.parquet", lang)
    if shown.empty:
        return []
    panels = shown[shown["metric"].isin(list(pd.unique(shown["metric"]))[:MAX_PANELS])]
    table = paired_table(shown, lang, data.scenarios)
    table.note = note
    return [
        Heading(t("h.effects", lang), "sec-effects"),
        Fig("fig-paired", t("cap.paired", lang, baseline=base), paired_chart(panels, flang, data.scenarios)),
        table,
    ]


def _depletion(data: ReportData, lang: str, flang: str) -> list[Block]:
    surv, median, by_year = data.table("survival"), data.table("depletion_median"), data.table("depletion_by_year")
    if surv is None and median is None and by_year is None:
        return []
    out: list[Block] = [Heading(t("h.depletion", lang), "sec-depletion")]
    if surv is not None:
        chart = survival_chart(surv, flang, data.horizon, data.baseline, data.scenarios)
        out.append(Fig("fig-survival", t("cap.survival", lang), chart))
    if median is not None:
        out.append(depletion_median_table(median, lang, data.scenarios, data.starts))
    if by_year is not None:
        out.append(depletion_year_table(by_year, lang, data.scenarios))
    return out


def _budget(data: ReportData, lang: str, flang: str) -> list[Block]:
    return budget_section(data.table("budget_by_year"), data.table("budget_months"), lang, flang, data.scenarios)


def _targets(data: ReportData, lang: str, flang: str) -> list[Block]:
    targets = data.table("targets")
    if targets is None:
        return []
    return [
        Heading(t("h.targets", lang), "sec-targets"),
        Fig("fig-targets", t("cap.targets", lang), target_chart(targets, flang, data.scenarios)),
        targets_table(targets, lang, data.scenarios),
    ]


def _sweep(data: ReportData, lang: str, flang: str) -> list[Block]:
    points = data.table("points")
    if points is None or not sweep_params(points) or not sweep_metrics(points):
        return []
    x, y = sweep_axes(points)
    rest = t("cap.heat_rest", lang) if len(sweep_params(points)) > 2 else ""
    axes = {"x": x.removeprefix("param."), "y": (y or "").removeprefix("param.")}
    caption = t("cap.heat" if y else "cap.heat1", lang, **axes, rest=rest)
    return [
        Heading(t("h.sweep", lang), "sec-sweep"),
        Fig("fig-heatmap", caption, sweep_heatmaps(points, flang)),
        points_table(points, lang),
    ]


def _sensitivity(data: ReportData, lang: str, flang: str) -> list[Block]:
    indices = data.table("indices")
    if indices is not None:
        main = [c for c in ("ST", "mu_star") if c in indices]
        informative = indices[main].notna().any(axis=1) if main else False
        indices = indices[informative] if main else None
    if indices is None or indices.empty:
        return []
    return [
        Heading(t("h.sensitivity", lang), "sec-sensitivity"),
        Fig("fig-sensitivity", t("cap.sens", lang), sensitivity_chart(indices, flang)),
        *indices_tables(indices, lang),
    ]


def _paths(data: ReportData, lang: str, flang: str) -> list[Block]:
    if data.kind == "run":
        figs = run_figures(data, lang, flang)
        return [Heading(t("h.paths", lang), "sec-paths"), *figs] if figs else []
    bands = data.table("bands")
    if bands is None:
        return []
    present = set(bands["metric"])
    figs = [
        Fig(
            f"fig-fan-{m}",
            t("cap.fan" if data.baseline else "cap.fan_nobase", lang, metric=metric_name(m, lang)),
            fan_chart(bands, m, flang, data.baseline, data.scenarios),
        )
        for m in FAN_METRICS
        if m in present
    ]
    return [Heading(t("h.paths", lang), "sec-paths"), *figs]


def _outcomes(data: ReportData, lang: str, flang: str) -> list[Block]:
    if data.kind == "run":
        tables = run_tables(data, lang)
        return [Heading(t("h.run_tables", lang), "sec-results"), *tables] if tables else []
    stats, tid, file = data.table("stats"), "tab-stats", "stats.parquet"
    outcomes = data.table("outcomes")
    if stats is None and outcomes is not None and data.kind not in ("sweep", "sensitivity"):
        stats, tid, file = outcome_stats(outcomes, data.table("runs")), "tab-outcomes", "outcomes.parquet"
    if stats is None:
        return []
    shown, note = _headline(data, stats, "mean", file, lang)
    if shown.empty:
        return []
    table = stats_table(shown, lang, data.scenarios, tid=tid)
    table.note = note
    idle = no_business_across_runs(outcomes, data.table("runs"), lang) if outcomes is not None else None
    return [Heading(t("h.outcomes", lang), "sec-outcomes"), table, *([idle] if idle is not None else [])]


def _evidence(data: ReportData, lang: str, flang: str) -> list[Block]:
    summary = data.table("evidence")
    if summary is None:
        return []
    return evidence_section(summary, data.table("evidence_values"), data.table("evidence_curves"), lang, flang)


def _discover(data: ReportData, lang: str, flang: str) -> list[Block]:
    return discover_section(data.folder, lang, flang)


def _calibration(data: ReportData, lang: str, flang: str) -> list[Block]:
    fit = data.table("fit")
    return [] if fit is None else calibration_section(fit, data.table("trials"), lang, flang)


SECTIONS: dict[str, Section] = {
    "calibration": _calibration,
    "design": design_section,
    "evidence": _evidence,
    "compare": _effects,
    "depletion": _depletion,
    "budget": _budget,
    "targets": _targets,
    "sweep": _sweep,
    "sensitivity": _sensitivity,
    "discover": _discover,
    "paths": _paths,
    "outcomes": _outcomes,
}


def build_document(data: ReportData, lang: str) -> Document:
    """The whole report on ``data`` in ``lang`` ("en" or "zh"); figures in Chinese only if a CJK font exists. Banks,
    pools, products and funds are named as the folder's scenarios name them (``entities``)."""
    with naming(entities(data)):
        return _document(localise(data, lang), lang)


def _document(data: ReportData, lang: str) -> Document:
    flang = figure_lang(lang)
    subtitle = f"{kind_name(data.kind, lang)} · {t('generated', lang, when=f'{datetime.now():%Y-%m-%d %H:%M}')}"
    doc = Document(t("title", lang, name=data.title), subtitle, lang)
    doc.blocks += [Heading(t("h.what", lang), "sec-what"), what_table(data, lang)]
    if (runs := data.table("runs")) is not None and "scenario" in runs:
        doc.blocks.append(runs_table(runs, lang, data.scenarios))
    doc.blocks.append(Para(t("units.note", lang), "note"))
    if data.kind == "run":
        found = run_findings(data, lang)
    elif data.table("evidence") is not None:
        found = evidence_findings(data.table("evidence"), lang)
    elif data.table("fit") is not None:
        found = calibration_findings(data.table("fit"), data.table("trials"), lang)
    elif data.kind == "design":
        found = design_findings(data, lang)
    else:
        found = findings(data, lang)
    if found:
        doc.blocks += [Heading(t("h.findings", lang), "sec-findings"), Bullets(found, "findings")]
    order = [data.kind, *SECTIONS] if data.kind in SECTIONS else list(SECTIONS)
    for key in dict.fromkeys(order):
        doc.blocks += SECTIONS[key](data, lang, flang)
    doc.blocks += [Heading(t("h.provenance", lang), "sec-provenance"), *provenance_tables(data, lang)]
    return doc
