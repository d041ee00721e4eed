"""The one-screen summary of an experiment: plain sentences generated from its numbers."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from experiments.report.budget_report import budget_findings
from experiments.report.findings_design import constant_metrics, sensitivity_findings, sweep_findings
from experiments.report.fmt import PROB, calendar_month, month_label, scale_for
from experiments.report.i18n import TEXT, entity_name, metric_name, t
from experiments.report.load import ReportData, run_counts
from experiments.report.tables import achieved, by_scenario, condition, text_or
from sim import metrics

MAX_ITEMS = 14
PRIORITY: tuple[str, ...] = metrics.shown_in("findings")
"""Outcomes the findings speak about, in this order (the registry's ``findings`` place)."""


def _pick(metrics: Sequence[str], k: int) -> list[str]:
    chosen = [m for m in PRIORITY if m in metrics][:k]
    return chosen or list(metrics)[:k]


def findings(data: ReportData, lang: str) -> list[str]:
    """Sentences for every part of the experiment present in ``data``, at most ``MAX_ITEMS``."""
    out: list[str] = []
    runs = data.table("runs")
    if runs is not None:
        c = run_counts(runs)
        if int(c["failed"].sum()):
            out.append(t("f.failed", lang, failed=int(c["failed"].sum()), total=int(c["runs"].sum())))
    order = data.scenarios
    stats = data.table("stats")
    out += [t("f.mismatch", lang, what=_mismatch(m, lang)) for m in data.manifest.get("mismatch") or []]
    if stats is not None:
        out += additionality_findings(stats, lang, order)
    if (paired := data.table("paired")) is not None:
        out += paired_findings(paired, lang, order)
    elif stats is not None:
        out += mean_findings(stats, lang, order)
    if (survival := data.table("survival")) is not None:
        out += depletion_findings(survival, data.table("depletion_median"), data, lang)
    elif stats is not None and "pool_depleted" in set(stats["metric"]):
        g = by_scenario(stats[stats["metric"] == "pool_depleted"], order)
        out += [t("f.depl_share", lang, scenario=r.scenario, prob=PROB.text(r.mean, lang)) for r in g.itertuples()]
    out += budget_findings(data.table("budget_by_year"), lang, order)
    if (targets := data.table("targets")) is not None:
        out += target_findings(targets, lang, order)
    if (points := data.table("points")) is not None:
        out += sweep_findings(points, lang)
    if (indices := data.table("indices")) is not None:
        out += sensitivity_findings(indices, lang, constant_metrics(data.table("outcomes")))
    return out[:MAX_ITEMS]


def paired_findings(paired: pd.DataFrame, lang: str, order: Sequence[str]) -> list[str]:
    """ "jiaxing-2017: New credit is 12.30亿元 higher than baseline (95% CI 10.10亿元 to 14.60亿元)."."""
    out = []
    paired = paired[paired["mean_diff"].notna()]
    for metric in _pick([str(m) for m in pd.unique(paired["metric"])], 3):
        g = by_scenario(paired[paired["metric"] == metric], order)
        scale = scale_for(metric, g[["mean_diff", "ci_low", "ci_high"]].to_numpy().ravel(), diff=True)
        for r in g.itertuples(index=False):
            base, name = str(r.baseline), metric_name(metric, lang)
            if r.mean_diff == 0 and r.ci_low == 0 and r.ci_high == 0:
                out.append(t("f.same", lang, scenario=r.scenario, metric=name, baseline=base))
                continue
            out.append(
                t(
                    "f.diff",
                    lang,
                    scenario=r.scenario,
                    metric=name,
                    baseline=base,
                    diff=scale.text(abs(r.mean_diff), lang),
                    dir=t("f.higher" if r.mean_diff > 0 else "f.lower", lang),
                    low=scale.text(r.ci_low, lang),
                    high=scale.text(r.ci_high, lang),
                    sig=t("f.noise", lang) if r.ci_low <= 0 <= r.ci_high else "",
                )
            )
    return out


def additionality_findings(stats: pd.DataFrame, lang: str, order: Sequence[str]) -> list[str]:
    """ "xianning-2021: against the same region without the policy (same seeds), the average tech-credit balance
    is 3.10亿元 higher (95% CI …)." — for runs made with ``--additionality``."""
    g = stats[(stats["metric"] == "additional_balance_avg_wan") & stats["mean"].notna()]
    if g.empty:
        return []
    g = by_scenario(g, order)
    scale = scale_for("additional_balance_avg_wan", g[["mean", "ci_low", "ci_high"]].to_numpy().ravel())
    return [
        t(
            "f.additional",
            lang,
            scenario=r.scenario,
            value=scale.text(abs(r.mean), lang),
            dir=t("f.higher" if r.mean >= 0 else "f.lower", lang),
            low=scale.text(r.ci_low, lang),
            high=scale.text(r.ci_high, lang),
        )
        for r in g.itertuples(index=False)
    ]


def mean_findings(stats: pd.DataFrame, lang: str, order: Sequence[str]) -> list[str]:
    """ "jiaxing-2017: mean New credit 52.10亿元 (95% CI …)." for the headline metrics."""
    out = []
    stats = stats[stats["mean"].notna()]
    for metric in _pick([str(m) for m in pd.unique(stats["metric"])], 2):
        g = by_scenario(stats[stats["metric"] == metric], order)
        scale = scale_for(metric, g[["mean", "ci_low", "ci_high"]].to_numpy().ravel())
        out += [
            t(
                "f.mean",
                lang,
                scenario=r.scenario,
                metric=metric_name(metric, lang),
                value=scale.text(r.mean, lang),
                low=scale.text(r.ci_low, lang),
                high=scale.text(r.ci_high, lang),
            )
            for r in g.itertuples(index=False)
        ]
    return out


def depletion_findings(survival: pd.DataFrame, median: pd.DataFrame | None, data: ReportData, lang: str) -> list[str]:
    """ "s: pool tech-credit is exhausted before the plan ends (2020-12) in 18.0% of runs, median month 2019-07"."""
    out = []
    for (scenario, entity), g in survival.groupby(["scenario", "entity"], sort=False):
        s = str(scenario)
        h = data.horizon.get(s, int(g["month"].max()))
        upto = g[g["month"] <= h].sort_values("month")
        prob = 1.0 - float(upto["survival"].iloc[-1]) if len(upto) else 0.0
        start = data.starts.get(s)
        end = calendar_month(start, h) or f"{h} {t('unit.months', lang)}"
        med = ""
        if median is not None:
            m = median[(median["scenario"] == scenario) & (median["entity"] == entity)]
            if len(m) and pd.notna(m["median_month"].iloc[0]):
                month = float(m["median_month"].iloc[0])
                med = t("f.depl_median", lang, month=calendar_month(start, month) or f"{month:.0f}")
        out.append(
            t(
                "f.depl",
                lang,
                scenario=s,
                entity=entity_name(str(entity), lang),
                end=end,
                prob=PROB.text(prob, lang),
                median=med,
            )
        )
    return out


def target_findings(targets: pd.DataFrame, lang: str, order: Sequence[str]) -> list[str]:
    """ "s: “800亿 by 2018” is met with probability 42.0% (95% CI 30.1%–55.0%)."."""
    out = []
    for r in by_scenario(targets, order).itertuples(index=False):
        cond = condition(r._asdict(), lang)
        name = text_or(r.label, f"{cond} · {month_label(r.date)}")
        reason = text_or(getattr(r, "reason", None), "").rstrip(".")
        if getattr(r, "state", "") == "out_of_scope":
            out.append(t("f.target_out_of_scope", lang, scenario=r.scenario, target=name, reason=reason))
            continue
        if not r.n or pd.isna(r.prob):
            out.append(t("f.target_beyond", lang, scenario=r.scenario, target=name, date=month_label(r.date)))
            continue
        out.append(
            t(
                "f.target",
                lang,
                scenario=r.scenario,
                target=name,
                prob=PROB.text(r.prob, lang),
                low=PROB.text(r.ci_low, lang),
                high=PROB.text(r.ci_high, lang),
                achieved=achieved(r._asdict(), lang),
                threshold=cond,
            )
        )
    return out


def _mismatch(text: str, lang: str) -> str:
    """What the compared scenarios differ in: the manifest's words (``region (a: …, b: …)``) in English; in Chinese
    what it is, without the scenario keys and English figures the manifest lists."""
    if lang == "en":
        return text
    what = text.split(" ", 1)[0]
    return t(f"mismatch.{what}", lang) if f"mismatch.{what}" in TEXT else t("mismatch.setting", lang)
