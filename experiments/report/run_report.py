"""The parts of a report on a single run folder (``techfin run``): findings, monthly charts, result tables."""

from __future__ import annotations

from typing import Any

from experiments.report.doc import Fig, Heading, Table
from experiments.report.figures_time import run_chart
from experiments.report.fmt import month_label, scale_for, scale_of, with_unit
from experiments.report.i18n import capital, entity_name, metric_name, t
from experiments.report.instruments_section import no_business_table
from experiments.report.load import FAN_METRICS, ReportData
from experiments.report.names import reason, target_label
from experiments.report.tables import condition
from sim import metrics

KEY_FIGURES: tuple[str, ...] = metrics.shown_in("key")
"""The rows of a single run's key-figure table (the registry's ``key`` place)."""


def money(v: float | None, lang: str) -> str:
    """One amount with the unit that suits it (亿元 from 1亿 up, else 万元)."""
    return scale_of("money", [v]).text(v, lang)


def _target_state(target: dict[str, Any], end: str) -> str:
    """met, missed, not_reached or out_of_scope (summaries written before the four states: from value and date)."""
    if target.get("status"):
        return str(target["status"])
    if target.get("met"):
        return "met"
    return "not_reached" if target.get("value") is None and str(target.get("date", "")) > end else "missed"


def run_findings(data: ReportData, lang: str) -> list[str]:
    """Balances and growth, credit for public money, pool depletion, NPLs, guarantors, targets."""
    s = data.summary
    if not s:
        return []
    out = [
        t(
            "f.run_growth",
            lang,
            start=money(s.get("credit_balance_start_wan"), lang),
            end=money(s.get("credit_balance_end_wan"), lang),
            months=s.get("months", "—"),
            cagr=scale_for("credit_cagr").text(s.get("credit_cagr"), lang),
        ),
        t(
            "f.run_credit",
            lang,
            credit=money(s.get("new_credit_wan"), lang),
            spend=money(s.get("net_public_cost_wan"), lang),
        ),
    ]
    if s.get("additional_balance_avg_wan") is not None:
        add = float(s["additional_balance_avg_wan"])
        per = scale_for("credit_per_public_wan").text(s.get("credit_per_public_wan"), lang)
        out.append(t("f.run_add" if add >= 0 else "f.run_add_neg", lang, add=money(abs(add), lang), per=per))
    return out + _state_findings(s, lang)


def _state_findings(s: dict[str, Any], lang: str) -> list[str]:
    """Pools, NPL ratio, guarantor capital and plan targets at the end of the run."""
    out = []
    for key, p in (s.get("pools") or {}).items():
        name = entity_name(f"pool:{key}", lang)
        name = capital(name) if lang == "en" else name
        if p.get("depleted"):
            out.append(t("f.pool_out", lang, pool=name, month=p.get("depletion_month")))
        else:
            out.append(t("f.pool_ok", lang, pool=name, end=s.get("end"), balance=money(p.get("balance_end_wan"), lang)))
    if s.get("npl_ratio_end") is not None:
        out.append(t("f.npl", lang, npl=scale_for("npl_ratio_end").text(s["npl_ratio_end"], lang)))
    if s.get("guarantor_net_assets_end_wan") is not None:
        out.append(t("f.guarantor", lang, assets=money(s["guarantor_net_assets_end_wan"], lang)))
    targets = s.get("targets") or []
    if targets:
        states = [_target_state(x, str(s.get("end", ""))) for x in targets]
        counts = {k: states.count(k) for k in ("met", "missed", "not_reached", "out_of_scope")}
        out.append(
            t(
                "f.run_targets",
                lang,
                met=counts["met"],
                missed=counts["missed"],
                later=counts["not_reached"],
                scope=counts["out_of_scope"],
                total=len(states),
            )
        )
    return out


def run_figures(data: ReportData, lang: str, flang: str) -> list[Fig]:
    """Monthly line charts of the fan-chart metrics the run recorded."""
    monthly = data.table("monthly")
    if monthly is None:
        return []
    return [
        Fig(f"fig-run-{m}", t("cap.run", lang, metric=metric_name(m, lang)), run_chart(monthly, m, flang))
        for m in FAN_METRICS
        if m in monthly.columns
    ]


def run_tables(data: ReportData, lang: str) -> list[Heading | Table]:
    """Key figures, year-end balances, pools and plan targets from ``summary.json``."""
    s = data.summary
    if not s:
        return []
    item, value = t("col.item", lang), t("col.value", lang)
    keys = [k for k in KEY_FIGURES if s.get(k) is not None]
    out: list[Heading | Table] = [
        Table(
            "tab-key",
            t("h.run_tables", lang),
            [item, value],
            [[metric_name(k, lang), scale_for(k, [s[k]]).text(s[k], lang)] for k in keys],
            kv=True,
        )
    ]
    years = s.get("year_end_balance_wan") or {}
    if years:
        scale = scale_for("tech_loan_balance_wan", years.values())
        out.append(
            Table(
                "tab-year-end",
                t("col.balance", lang),
                [t("col.year", lang), with_unit(t("col.balance", lang), scale, lang)],
                [[str(y), scale.num(v)] for y, v in years.items()],
            )
        )
    if s.get("pools"):
        out.append(_pools_table(s["pools"], lang))
    if s.get("targets"):
        out.append(_targets_table(s["targets"], str(s.get("end", "")), lang))
    idle = no_business_table(s.get("products") or {}, lang)
    if idle is not None:
        out.append(idle)
    return out


def _pools_table(pools: dict[str, dict[str, Any]], lang: str) -> Table:
    values = [p.get(k) for p in pools.values() for k in ("balance_end_wan", "payouts_wan")]
    scale = scale_for("pool_balance_wan", values)
    header = [
        t("col.pool", lang),
        with_unit(t("col.pool_end", lang), scale, lang),
        with_unit(t("col.payouts", lang), scale, lang),
        t("col.depleted", lang),
    ]
    rows = [
        [
            entity_name(f"pool:{name}", lang),
            scale.num(p.get("balance_end_wan")),
            scale.num(p.get("payouts_wan")),
            p.get("depletion_month") if p.get("depleted") else t("no", lang),
        ]
        for name, p in pools.items()
    ]
    return Table("tab-pools", t("col.pool", lang), header, rows)


def _targets_table(targets: list[dict[str, Any]], end: str, lang: str) -> Table:
    header = [t(k, lang) for k in ("col.target", "col.condition", "col.date", "col.value", "col.result")]
    rows = []
    for x in targets:
        scale = scale_for(str(x["metric"]), [x["threshold"], x.get("value")])
        cond = condition(x, lang, scale)
        rows.append(
            [
                target_label(x.get("label"), lang) or cond,
                cond,
                month_label(x["date"]),
                scale.text(x.get("value"), lang),
                _verdict(x, end, lang),
            ]
        )
    return Table("tab-run-targets", t("h.targets", lang), header, rows)


def _verdict(target: dict[str, Any], end: str, lang: str) -> str:
    state = _target_state(target, end)
    if state == "out_of_scope" and target.get("reason"):
        return t("target.out_of_scope_why", lang, reason=reason(target["reason"], lang))
    return t(f"target.{state}", lang)
