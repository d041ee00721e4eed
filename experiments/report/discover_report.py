"""Scenario discovery in the report: the chosen box in plain words, its stability, the CART view, the peeling
trajectory figure (results written by ``techfin discover``, read with ``experiments.analysis.discover_store``)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from experiments.report.doc import Fig, Heading, Para, Table
from experiments.report.fmt import PROB
from experiments.report.i18n import TEXT, t
from experiments.report.labels import param_label, param_value
from experiments.report.style import GREY, PALETTE, new_figure, safe, style

WORDS: dict[str, tuple[str, str]] = {
    "h.discover": ("Scenario discovery: under which conditions it goes wrong", "情景发现：在什么条件下出现不利结果"),
    "dis.h": ("Outcome: {outcome}", "结果：{outcome}"),
    "dis.box": (
        (
            "{Outcome} in {density} of runs where {conds} (against {base} of all runs); these conditions take in"
            " {coverage} of all runs where it happens."
        ),
        "在{conds}的运行中，{density}出现“{outcome}”（全部运行中为{base}）；这些条件涵盖了出现该结果的全部运行的{coverage}。",
    ),
    "dis.none": (
        (
            "No condition on the inputs stands out: {outcome} in {base} of runs, and no box of runs is both denser in"
            " it and significant (quasi-p ≤ {qp})."
        ),
        "没有显著的输入条件：全部运行中{base}出现“{outcome}”，找不到结果更集中且显著（拟p值 ≤ {qp}）的参数区域。",
    ),
    "dis.counts": (
        "{cases} of {runs} runs are cases{unknown}; inputs: {inputs}.",
        "{runs}次运行中{cases}次出现该结果{unknown}；输入参数：{inputs}。",
    ),
    "dis.unknown": (
        " ({n} runs left out: the outcome is not known for them)",
        "（另有{n}次运行因结果无法判定而未计入）",
    ),
    "dis.stable": (
        "Across {n} bootstrap resamples, the box PRIM finds at the same coverage restricts {items}.",
        "在{n}次自助重抽样中，PRIM在相同覆盖率下找到的参数框限定{items}。",
    ),
    "dis.stable_item": ("{name} in {share}", "{name}的比例为{share}"),
    "dis.cart": (
        "CART, as a second view: of the runs where {conds}, {density} are cases ({coverage} of all cases).",
        "CART分类树的结果：在{conds}的运行中，{density}出现该结果（占全部该结果运行的{coverage}）。",
    ),
    "dis.gt": ("{name} exceeds {v}", "{name}高于{v}"),
    "dis.lt": ("{name} is at most {v}", "{name}不高于{v}"),
    "dis.ge": ("{name} is at least {v}", "{name}不低于{v}"),
    "dis.between": ("{name} is between {lo} and {hi}", "{name}介于{lo}与{hi}之间"),
    "dis.and": (" and ", "且"),
    "dis.list_and": (", ", "，"),
    "dis.cap": (
        (
            "Peeling trajectory of PRIM for “{outcome}”: each point is a box of runs, from all runs (right) to the"
            " smallest; colour: restricted inputs; ringed: the box kept."
        ),
        "“{outcome}”的PRIM剥离轨迹：每个点是一个运行子集（参数框），从全部运行（右）到最小框；颜色表示受限参数个数；圈出的是选定的框。",
    ),
    "dis.tab.box": ("The box kept for “{outcome}”", "“{outcome}”的选定参数框"),
    "dis.tab.cart": ("CART leaves for “{outcome}”, densest first", "“{outcome}”的CART叶节点（按密度排序）"),
    "dis.col.param": ("Input", "输入参数"),
    "dis.col.range": ("Box", "框内取值"),
    "dis.col.full": ("All runs", "全部运行取值"),
    "dis.col.qp": ("Quasi-p", "拟p值"),
    "dis.col.repc": ("Restricted in resamples, coverage match", "重抽样中受限比例（按覆盖率匹配）"),
    "dis.col.repd": ("Restricted in resamples, density match", "重抽样中受限比例（按密度匹配）"),
    "dis.col.conds": ("Conditions", "条件"),
    "dis.col.runs": ("Runs", "运行次数"),
    "dis.col.cases": ("Cases", "出现结果次数"),
    "dis.col.density": ("Density", "密度"),
    "dis.col.coverage": ("Coverage", "覆盖率"),
    "dis.ax.cov": ("coverage: share of all cases inside the box", "覆盖率：框内结果占全部结果的比例"),
    "dis.ax.den": ("density: share of the box's runs that are cases", "密度：框内运行中出现结果的比例"),
    "dis.ax.res": ("restricted inputs", "受限参数个数"),
    "dis.ax.base": ("all runs: {base}", "全部运行：{base}"),
    "dis.ax.kept": ("kept", "选定"),
    "dis.all": ("all runs", "全部运行"),
    "dis.note": (
        (
            "Box chosen by {rule}; restrictions with quasi-p above {qp} lifted{dropped}. Quasi-p: chance of so many"
            " cases in the box if that one limit were lifted (Bryant & Lempert 2010)."
        ),
        (
            "选框规则：{rule}；拟p值高于{qp}的限定已取消{dropped}。"
            "拟p值：取消该项限定后框内出现同样多结果的概率（Bryant & Lempert 2010）。"
        ),
    ),
    "dis.dropped": (" ({names})", "（{names}）"),
    "dis.rule.f1": ("the best balance of coverage and density (harmonic mean)", "覆盖率与密度的最佳平衡（调和平均）"),
    "dis.rule.min_coverage": ("the highest density with coverage at least {value}", "覆盖率不低于{value}时密度最高"),
    "dis.rule.step": ("step {value} of the trajectory", "剥离轨迹第{value}步"),
}
TEXT.update(WORDS)  # one dictionary for every word of the report (``experiments.report.i18n``)
MAX_LEAVES = 6


def _pct(v: float, lang: str) -> str:
    return PROB.text(v, lang) if v == v else "—"


def condition_text(name: str, lower: float | None, upper: float | None, lang: str, strict_lower: bool = False) -> str:
    """One input's limits in words: "the pool's loss share exceeds 0.55" / "资金池风险分担比例高于0.55"."""
    label = param_label(name, lang)
    v = lambda x: param_value(name, float(x), lang)
    if lower is not None and upper is not None:
        return t("dis.between", lang, name=label, lo=v(lower), hi=v(upper))
    if lower is not None:
        return t("dis.gt" if strict_lower else "dis.ge", lang, name=label, v=v(lower))
    return t("dis.lt", lang, name=label, v=v(upper))


def box_conditions(box: pd.DataFrame, lang: str) -> str:
    """The restricted inputs of a box table, joined in words."""
    parts = []
    for r in box[box["restricted"]].itertuples(index=False):
        lo = r.lower if r.lower_restricted else None
        hi = r.upper if r.upper_restricted else None
        parts.append(condition_text(str(r.parameter), lo, hi, lang))
    return t("dis.and", lang).join(parts)


def leaf_conditions(conditions: str, lang: str) -> str:
    """A CART leaf's conditions (JSON ``[[input, lower, upper], …]``) in words."""
    parts = [condition_text(str(c), lo, hi, lang, strict_lower=True) for c, lo, hi in json.loads(conditions)]
    return t("dis.and", lang).join(parts) or t("dis.all", lang)


def _sentence(summary: dict[str, Any], box: pd.DataFrame, lang: str) -> str:
    outcome = summary["outcome"][lang if lang in ("en", "zh") else "en"]
    qp = summary.get("settings", {}).get("qp_max", 0.05)
    if not bool(box["restricted"].any()):
        return t("dis.none", lang, outcome=outcome, base=_pct(summary["base_rate"], lang), qp=f"{qp:g}")
    return t(
        "dis.box",
        lang,
        Outcome=outcome[:1].upper() + outcome[1:],
        outcome=outcome,
        density=_pct(summary["density"], lang),
        conds=box_conditions(box, lang),
        base=_pct(summary["base_rate"], lang),
        coverage=_pct(summary["coverage"], lang),
    )


def _stability(box: pd.DataFrame, lang: str) -> str:
    r = box[box["restricted"] | (box["reproduce_coverage"].fillna(0) > 0)]
    n = int(box["resamples"].max()) if "resamples" in box and len(box) else 0
    if not n or r.empty:
        return ""
    items = [
        t("dis.stable_item", lang, name=param_label(str(x.parameter), lang), share=_pct(x.reproduce_coverage, lang))
        for x in r.sort_values("reproduce_coverage", ascending=False).itertuples(index=False)
    ]
    return t("dis.stable", lang, n=n, items=t("dis.list_and", lang).join(items))


def _cart(cart: pd.DataFrame, summary: dict[str, Any], lang: str) -> str:
    good = cart[cart["density"] > summary["base_rate"]].sort_values(["cases", "density"], ascending=False)
    if good.empty:
        return ""
    r = good.iloc[0]
    return t(
        "dis.cart",
        lang,
        conds=leaf_conditions(str(r["conditions"]), lang),
        density=_pct(float(r["density"]), lang),
        coverage=_pct(float(r["coverage"]), lang),
    )


def summary_lines(summary: dict[str, Any], tables: dict[str, pd.DataFrame], lang: str) -> list[str]:
    """The findings of one discovery as sentences: the box, the counts, stability, CART."""
    box = tables["box"]
    unknown = int(summary.get("unknown", 0))
    inputs = t("dis.list_and", lang).join(param_label(p, lang) for p in summary.get("inputs") or box["parameter"])
    counts = t(
        "dis.counts",
        lang,
        cases=summary["cases"],
        runs=summary["runs"],
        unknown=t("dis.unknown", lang, n=unknown) if unknown else "",
        inputs=inputs,
    )
    lines = [_sentence(summary, box, lang), counts, _stability(box, lang), _cart(tables["cart"], summary, lang)]
    return [line for line in lines if line]


def summary_text(summary: dict[str, Any], tables: dict[str, pd.DataFrame], lang: str) -> str:
    """``summary_lines`` as one block of text, for the terminal."""
    return "\n".join(summary_lines(summary, tables, lang))


def trajectory_chart(traj: pd.DataFrame, summary: dict[str, Any], lang: str) -> Figure:
    """Coverage against density along the peeling trajectory, coloured by restricted inputs, the kept box ringed."""
    with style(lang):
        fig = new_figure(6.8, 4.2)
        ax = fig.subplots()
        for k in sorted(pd.unique(traj["res_dim"])):
            part = traj[traj["res_dim"] == k]
            colour = PALETTE[int(k) % len(PALETTE)]
            ax.scatter(part["coverage"] * 100, part["density"] * 100, s=18, color=colour, label=str(int(k)))
        peeled = traj[traj["phase"] != "lift"]
        ax.plot(peeled["coverage"] * 100, peeled["density"] * 100, color=GREY, lw=0.6, zorder=0)
        lifted = traj[(traj["phase"] == "lift") | (traj["step"] == summary.get("peeled_step", -1))]
        if (traj["phase"] == "lift").any():  # restrictions lifted for their quasi-p: a dashed path from the box
            ax.plot(lifted["coverage"] * 100, lifted["density"] * 100, color=GREY, lw=0.8, ls=":", zorder=0)
        kept = traj[traj["chosen"]]
        ax.scatter(kept["coverage"] * 100, kept["density"] * 100, s=140, facecolors="none", edgecolors="k", lw=1.5)
        for r in kept.itertuples(index=False):
            text = f"{t('dis.ax.kept', lang)}: {r.coverage * 100:.0f}% / {r.density * 100:.0f}%"
            ax.annotate(safe(text), (r.coverage * 100, r.density * 100), xytext=(8, -14), textcoords="offset points")
        base = float(summary["base_rate"]) * 100
        ax.axhline(base, color=GREY, ls="--", lw=1)
        ax.text(2, base, safe(t("dis.ax.base", lang, base=f"{base:.0f}%")), va="bottom", color=GREY)
        ax.set_xlim(0, 102)
        ax.set_ylim(0, 102)
        ax.set_xlabel(safe(t("dis.ax.cov", lang) + " (%)"))
        ax.set_ylabel(safe(t("dis.ax.den", lang) + " (%)"))
        ax.legend(title=safe(t("dis.ax.res", lang)), loc="lower left", fontsize=8, ncols=2)
    return fig


def box_table(summary: dict[str, Any], box: pd.DataFrame, lang: str, tid: str) -> Table:
    """Every input: its range in the box and in all runs, quasi-p, and how often resamples restrict it."""
    header = [t(k, lang) for k in ("dis.col.param", "dis.col.range", "dis.col.full", "dis.col.qp")]
    header += [f"{t('dis.col.repc', lang)} (%)", f"{t('dis.col.repd', lang)} (%)"]
    rows = []
    for r in box.itertuples(index=False):
        v = lambda x, name=str(r.parameter): param_value(name, float(x), lang)
        rng = f"{v(r.lower)} – {v(r.upper)}" if r.restricted else "—"
        rows.append(
            [
                param_label(str(r.parameter), lang),
                rng,
                f"{v(r.data_min)} – {v(r.data_max)}",
                f"{r.qp:.2g}" if r.qp == r.qp else "—",
                f"{r.reproduce_coverage * 100:.0f}" if r.reproduce_coverage == r.reproduce_coverage else "—",
                f"{r.reproduce_density * 100:.0f}" if r.reproduce_density == r.reproduce_density else "—",
            ]
        )
    s = summary.get("settings", {})
    dropped = summary.get("dropped") or []
    names = t("dis.list_and", lang).join(param_label(d, lang) for d in dropped)
    note = t(
        "dis.note",
        lang,
        rule=_rule(summary.get("selection") or {}, lang),
        qp=f"{s.get('qp_max', 0.05):g}",
        dropped=t("dis.dropped", lang, names=names) if dropped else "",
    )
    return Table(tid, t("dis.tab.box", lang, outcome=summary["outcome"][lang]), header, rows, note=note)


def _rule(selection: dict[str, Any], lang: str) -> str:
    rule = str(selection.get("rule", "f1"))
    return t(f"dis.rule.{rule}", lang, value=selection.get("value", "")) if f"dis.rule.{rule}" in TEXT else rule


def cart_table(summary: dict[str, Any], cart: pd.DataFrame, lang: str, tid: str) -> Table:
    """The densest CART leaves: conditions, runs, cases, density, coverage."""
    header = [t(k, lang) for k in ("dis.col.conds", "dis.col.runs", "dis.col.cases")]
    header += [f"{t('dis.col.density', lang)} (%)", f"{t('dis.col.coverage', lang)} (%)"]
    rows = [
        [
            leaf_conditions(str(r.conditions), lang),
            str(int(r.runs)),
            str(int(r.cases)),
            f"{r.density * 100:.1f}",
            f"{r.coverage * 100:.1f}",
        ]
        for r in cart.head(MAX_LEAVES).itertuples(index=False)
    ]
    return Table(tid, t("dis.tab.cart", lang, outcome=summary["outcome"][lang]), header, rows)


def discover_section(folder: Any, lang: str, flang: str) -> list:
    """Every discovery stored in ``folder``: heading, sentences, trajectory figure, box and CART tables."""
    from experiments.analysis.discover_store import read_all

    found = read_all(folder)
    if not found:
        return []
    blocks: list = [Heading(t("h.discover", lang), "sec-discover")]
    for i, (summary, tables) in enumerate(found):
        outcome = summary["outcome"][lang]
        blocks.append(Heading(t("dis.h", lang, outcome=outcome), f"sec-discover-{i}", level=3))
        blocks += [Para(line) for line in summary_lines(summary, tables, lang)]
        chart = trajectory_chart(tables["trajectory"], summary, flang)
        blocks.append(Fig(f"fig-discover-{i}", t("dis.cap", lang, outcome=outcome), chart))
        blocks.append(box_table(summary, tables["box"], lang, f"tab-discover-box-{i}"))
        blocks.append(cart_table(summary, tables["cart"], lang, f"tab-discover-cart-{i}"))
    return blocks
