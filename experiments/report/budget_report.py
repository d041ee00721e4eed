"""The special fund's annual budget in a depletion report: when it runs out each year and for how much of the
year subsidies stop (tables ``budget_by_year`` and ``budget_months``, see ``experiments.analysis.budget``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from experiments.report.doc import Fig, Heading, Table
from experiments.report.fmt import PROB, with_unit
from experiments.report.i18n import TEXT, t
from experiments.report.style import PALETTE, grid, safe, style

WORDS: dict[str, tuple[str, str]] = {
    "h.budget": ("The special fund's annual budget", "专项资金年度预算的用尽"),
    "bud.cap": (
        (
            "Share of runs in which the year's budget has run out by the end of each month, one line per year; after"
            " that month subsidies and rewards stop until the next January."
        ),
        "各年度到每月月底预算已用尽的运行比例（每年一条线）；用尽后直至次年1月，补贴与奖励暂停。",
    ),
    "bud.tab": ("The budget, year by year", "各年度预算用尽情况"),
    "bud.col.year": ("Year", "年度"),
    "bud.col.months": ("Months simulated", "模拟月数"),
    "bud.col.prob": ("Runs out in the year", "年内用尽概率"),
    "bud.col.ci": ("95% CI (Wilson)", "95%置信区间（Wilson）"),
    "bud.col.median": ("Half the runs out by", "半数运行用尽月份"),
    "bud.col.stopped": ("Year with subsidies stopped, mean", "补贴暂停时间占全年比例（均值）"),
    "bud.x": ("month", "月份"),
    "bud.y": ("runs with the budget spent (%)", "预算已用尽的运行（%）"),
    "bud.f": (
        (
            "{scenario}: the special fund's budget runs out before the year ends in {prob} of runs in {year}, the worst"
            " year{median}; over the plan, subsidies stop for {share} of the months on average."
        ),
        "{scenario}：专项资金预算在{year}年年内用尽的概率为{prob}（最高的一年{median}）；整个规划期内平均有{share}的月份补贴暂停。",
    ),
    "bud.f_median": (", half of the runs by the end of {month}", "，半数运行在{month}月底前用尽"),
    "bud.f_never": (
        "{scenario}: the special fund's budget lasts every year in every run.",
        "{scenario}：各运行各年度专项资金预算均未用尽。",
    ),
}
TEXT.update(WORDS)  # one dictionary for every word of the report (``experiments.report.i18n``)


def _order(df: pd.DataFrame, order: Sequence[str]) -> list[str]:
    names = [str(s) for s in pd.unique(df["scenario"])]
    return [s for s in order if s in names] + [s for s in names if s not in order]


def budget_chart(months: pd.DataFrame, lang: str, order: Sequence[str]) -> Figure:
    """One panel per scenario: the share of runs whose budget is spent by the end of each month, a line a year."""
    names = _order(months, order)
    with style(lang):
        fig, axes = grid(len(names), ncols=2, width=10.0, row_height=3.2)
        for ax, s in zip(axes, names, strict=True):
            d = months[months["scenario"].astype(str) == s]
            for i, (year, g) in enumerate(d.groupby("year", sort=True)):
                colour = PALETTE[i % len(PALETTE)]
                ax.step(g["month"], g["exhausted_share"] * 100, where="post", color=colour, label=str(year))
            ax.set_xlim(0.5, 12.5)
            ax.set_ylim(-2, 102)
            ax.set_xticks(range(1, 13))
            ax.set_title(safe(s), loc="left", fontsize=10)
            ax.set_xlabel(safe(t("bud.x", lang)))
            ax.set_ylabel(safe(t("bud.y", lang)))
            ax.legend(fontsize=8, ncols=2, loc="upper left")
    return fig


def budget_table(by_year: pd.DataFrame, lang: str, order: Sequence[str]) -> Table:
    """Per scenario and year: chance the budget runs out, when half the runs are out, share of the year stopped."""
    header = [t("col.scenario", lang), t("bud.col.year", lang), t("bud.col.months", lang)]
    header += [with_unit(t(k, lang), PROB, lang) for k in ("bud.col.prob", "bud.col.ci")]
    header += [t("bud.col.median", lang), with_unit(t("bud.col.stopped", lang), PROB, lang)]
    rows = []
    for s in _order(by_year, order):
        for r in by_year[by_year["scenario"].astype(str) == s].itertuples(index=False):
            half = f"{int(r.year)}-{int(r.median_month):02d}" if r.median_month == r.median_month else "—"
            rows.append(
                [
                    s,
                    str(int(r.year)),
                    str(int(r.months)),
                    PROB.num(r.prob),
                    f"[{PROB.num(r.ci_low)}, {PROB.num(r.ci_high)}]",
                    half,
                    PROB.num(r.stopped_share_mean),
                ]
            )
    return Table("tab-budget", t("bud.tab", lang), header, rows)


def budget_section(by_year: pd.DataFrame | None, months: pd.DataFrame | None, lang: str, flang: str, order) -> list:
    """Heading, figure and table of the budget, when the folder has them."""
    if by_year is None or by_year.empty:
        return []
    out: list = [Heading(t("h.budget", lang), "sec-budget")]
    if months is not None and not months.empty:
        out.append(Fig("fig-budget", t("bud.cap", lang), budget_chart(months, flang, order)))
    out.append(budget_table(by_year, lang, order))
    return out


def budget_findings(by_year: pd.DataFrame | None, lang: str, order: Sequence[str]) -> list[str]:
    """One sentence per scenario: its worst year, when half the runs are out then, and the share of months
    with subsidies stopped over the plan."""
    if by_year is None or by_year.empty:
        return []
    out = []
    for s in _order(by_year, order):
        g = by_year[by_year["scenario"].astype(str) == s]
        if not (g["exhausted"] > 0).any():
            out.append(t("bud.f_never", lang, scenario=s))
            continue
        worst = g.sort_values(["prob", "year"], ascending=[False, True]).iloc[0]
        month = worst["median_month"]
        median = t("bud.f_median", lang, month=f"{int(worst['year'])}-{int(month):02d}") if month == month else ""
        share = float((g["stopped_share_mean"] * g["months"]).sum() / g["months"].sum())
        out.append(
            t(
                "bud.f",
                lang,
                scenario=s,
                prob=PROB.text(float(worst["prob"]), lang),
                year=int(worst["year"]),
                median=median,
                share=PROB.text(share, lang),
            )
        )
    return out
