"""The design-search section of a report (``techfin design``): what the search found, in zh and en.

Reads ``pareto``, ``candidates``, ``recommended``, ``convergence`` and ``voi`` (``experiments.design.results``)
and the manifest's objectives, constraints, levers and the plan's lever values.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from experiments.report.doc import Fig, Heading, Para, Table
from experiments.report.i18n import LANGS
from experiments.report.load import ReportData
from experiments.report.style import GREY, PALETTE, grid, safe, style

MAX_ROWS = 15
TEXT: dict[str, tuple[str, str]] = {
    "h": ("Designs that do most within the risks accepted", "在可接受风险内效果最好的方案"),
    "intro": (
        (
            "{cands} candidate designs over {gens} generations of {pop} ({sampler}); each ran on the same {pairs}"
            " runs ({samples} samples of the uncertainties × {reps} seeds) as the plan as written, so differences"
            " between designs are not luck. {feasible} candidates meet every constraint; {front} are on the Pareto set"
            " (no other feasible design is better on every objective)."
        ),
        (
            "共评估{cands}个候选方案（{sampler}，{gens}代，每代{pop}个）；每个方案与现行方案使用相同的{pairs}次运行"
            "（不确定因素{samples}组抽样 × {reps}个随机种子），方案间的差异不是运气所致。"
            "{feasible}个候选方案满足全部约束；{front}个位于帕累托前沿（没有其他可行方案在所有目标上都更好）。"
        ),
    ),
    "f.plan_ok": ("The plan as written meets every constraint.", "现行方案满足全部约束条件。"),
    "f.plan_bad": ("The plan as written misses a constraint: {which}.", "现行方案未满足约束：{which}。"),
    "f.design": (
        (
            "{design}: {levers}; {measure} {value} against the plan's {plan} (paired difference {diff}, 95% CI {low}"
            " to {high})."
        ),
        "{design}：{levers}；{measure}为{value}，现行方案为{plan}（配对差{diff}，95%置信区间{low}至{high}）。",
    ),
    "f.none": (
        "No candidate met every constraint: relax a constraint or widen the levers' bounds.",
        "没有候选方案满足全部约束：请放宽约束或扩大政策杠杆的取值范围。",
    ),
    "f.voi": (
        (
            "Value of information: resolving {unc} first would most change the best design by {obj} (expected gain"
            " {gain}, another design best in {switch} of runs)."
        ),
        "信息价值：若先弄清{unc}，按{obj}选出的最优方案变化最大（预期增益{gain}，{switch}的运行中另一方案更优）。",
    ),
    "cap.fig": (
        (
            "Left: every candidate on the first two objectives (grey: misses a constraint; blue: feasible; red: the"
            " Pareto set; black star: the plan as written). Right: hypervolume of the feasible Pareto set found by"
            " each generation (objectives scaled to their range; it levels off as the search converges)."
        ),
        (
            "左：各候选方案在前两个目标上的表现（灰：未满足约束；蓝：可行；红：帕累托前沿；黑色星号：现行方案）。"
            "右：各代累计可行帕累托前沿的超体积（目标按取值范围标准化；趋于平稳表示搜索收敛）。"
        ),
    ),
    "tab.pareto": ("The Pareto set (best on the first objective first)", "帕累托前沿（按第一个目标排序）"),
    "tab.rec": (
        "Recommended designs against the plan as written (paired on the same runs)",
        "推荐方案与现行方案对比（同一组运行配对）",
    ),
    "tab.conv": ("Convergence by generation", "逐代收敛情况"),
    "tab.voi": (
        "Value of information: which uncertainty, if resolved, would most change the best design",
        "信息价值：哪个不确定因素一旦明确，对最优方案影响最大",
    ),
    "note.voi": (
        (
            "Expected value of partial perfect information (regression estimate from the design runs; with few"
            " samples read it as a ranking)."
        ),
        "部分完全信息期望价值（基于方案运行的回归估计；样本较少时仅供排序参考）。",
    ),
    "col.design": ("Design", "方案"),
    "col.measure": ("Measure", "指标"),
    "col.role": ("Role", "作用"),
    "col.value": ("Value", "取值"),
    "col.plan": ("Plan", "现行方案"),
    "col.diff": ("Difference (95% CI)", "差值（95%置信区间）"),
    "col.gen": ("Generation", "代"),
    "col.cands": ("Candidates", "候选方案"),
    "col.feasible": ("Feasible", "可行"),
    "col.hv": ("Hypervolume", "超体积"),
    "col.unc": ("Uncertainty", "不确定因素"),
    "col.evppi": ("EVPPI", "信息价值"),
    "col.rel": ("Share of the best value", "占最优值比例"),
    "col.switch": ("Runs where another design is best", "另一方案更优的运行占比"),
    "plan": ("plan as written", "现行方案"),
    "balanced": ("balanced", "均衡方案"),
    "best": ("best", "最优"),
    "x.gen": ("generation", "代"),
    "all": ("all together", "全部因素"),
}


def _t(key: str, lang: str, **fields: Any) -> str:
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def _g(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return f"{v:.4g}"


def _design_name(name: str, lang: str) -> str:
    parts = []
    for p in str(name).split("; "):
        if p == "plan":
            parts.append(_t("plan", lang))
        elif p == "balanced":
            parts.append(_t("balanced", lang))
        else:
            parts.append(p.replace("best:", _t("best", lang) + ":"))
    return "; ".join(parts)


def _levers(data: ReportData, trial: int, lang: str) -> str:
    cands = data.table("candidates")
    if trial < 0:
        values = data.manifest.get("plan_levers") or {}
    elif cands is not None and trial in set(cands["trial"]):
        row = cands.set_index("trial").loc[trial]
        values = {c.removeprefix("param."): row[c] for c in cands.columns if c.startswith("param.")}
    else:
        values = {}
    return ", ".join(f"{k} = {_g(float(v))}" for k, v in values.items())


def design_findings(data: ReportData, lang: str) -> list[str]:
    """The search in numbers, the plan against the constraints, the balanced design against the plan, VOI."""
    m, cands, rec = data.manifest, data.table("candidates"), data.table("recommended")
    if cands is None:
        return []
    samples, reps = int(m.get("samples", 1)), int(m.get("replicates", 1))
    out = [
        _t(
            "intro",
            lang,
            cands=len(cands),
            gens=m.get("generations", "?"),
            pop=m.get("population", "?"),
            sampler="NSGA-III" if m.get("sampler") == "nsga3" else "NSGA-II",
            pairs=samples * reps,
            samples=samples,
            reps=reps,
            feasible=int(cands["feasible"].sum()),
            front=int(cands["pareto"].sum()),
        )
    ]
    if m.get("constraints"):
        plan = rec[rec["design"] == "plan"] if rec is not None else pd.DataFrame()
        missed = [c for c in m["constraints"] if not _meets(c, plan)]
        out.append(_t("f.plan_bad", lang, which="; ".join(missed)) if missed else _t("f.plan_ok", lang))
    if not int(cands["pareto"].sum()):
        return [*out, _t("f.none", lang)]
    if rec is not None:
        first = (m.get("objectives") or [""])[0].split(" ", 1)[-1]
        for design, rows in rec[rec["design"] != "plan"].groupby("design", sort=False):
            r = rows[rows["measure"] == first]
            if r.empty:
                continue
            r = r.iloc[0]
            out.append(
                _t(
                    "f.design",
                    lang,
                    design=_design_name(design, lang),
                    levers=_levers(data, int(r["trial"]), lang),
                    measure=first,
                    value=_g(r["value"]),
                    plan=_g(r["plan"]),
                    diff=_g(r["diff"]),
                    low=_g(r["ci_low"]),
                    high=_g(r["ci_high"]),
                )
            )
            break  # the balanced design comes first
    voi = data.table("voi")
    if voi is not None:
        top = voi[voi["uncertainty"] != "all"].iloc[0]
        out.append(
            _t(
                "f.voi",
                lang,
                unc=top["uncertainty"],
                obj=top["objective"],
                gain=_g(top["evppi"]),
                switch=f"{top['switch_share']:.0%}",
            )
        )
    return out


def _meets(constraint: str, plan: pd.DataFrame) -> bool:
    for op in ("<=", ">="):
        if op in constraint:
            measure, bound = constraint.rsplit(op, 1)
            row = plan[plan["measure"] == measure.strip()]
            if row.empty or not math.isfinite(float(row["value"].iloc[0])):
                return False
            v = float(row["value"].iloc[0])
            return v <= float(bound) if op == "<=" else v >= float(bound)
    return True


def design_figure(data: ReportData, lang: str) -> Figure:
    """Candidates on the first two objectives (or the first against the trial) and hypervolume by generation."""
    cands, conv, m = data.table("candidates"), data.table("convergence"), data.manifest
    objs = [o.split(" ", 1)[1] for o in m.get("objectives") or []]
    rec = data.table("recommended")
    with style(lang):
        fig, axes = grid(2, ncols=2, width=10.0, row_height=3.6)
        ax = axes[0]
        x, y = (objs[0], objs[1]) if len(objs) > 1 else ("trial", objs[0])
        feas, front = cands["feasible"], cands["pareto"]
        ax.scatter(cands.loc[~feas, x], cands.loc[~feas, y], s=10, color=GREY, alpha=0.5)
        ax.scatter(cands.loc[feas & ~front, x], cands.loc[feas & ~front, y], s=12, color=PALETTE[0], alpha=0.6)
        ax.scatter(cands.loc[front, x], cands.loc[front, y], s=22, color=PALETTE[1])
        if rec is not None and x != "trial":
            plan = rec[rec["design"] == "plan"].set_index("measure")["value"]
            if x in plan and y in plan:
                ax.scatter([plan[x]], [plan[y]], marker="*", s=160, color="black", label=safe(_t("plan", lang)))
                ax.legend(frameon=False, fontsize=8)
        ax.set_xlabel(safe(x))
        ax.set_ylabel(safe(y))
        ax = axes[1]
        if conv is not None:
            ax.plot(conv["generation"], conv["hypervolume"], "-o", color=PALETTE[0])
        ax.set_xlabel(safe(_t("x.gen", lang)))
        ax.set_ylabel(safe(_t("col.hv", lang)))
    return fig


def design_section(data: ReportData, lang: str, flang: str) -> list:
    """Heading, figure, Pareto set, recommended designs against the plan, convergence, value of information."""
    cands = data.table("candidates")
    if cands is None:
        return []
    out: list = [
        Heading(_t("h", lang), "sec-design"),
        Fig("fig-design", _t("cap.fig", lang), design_figure(data, flang)),
    ]
    objs = [o.split(" ", 1)[1] for o in data.manifest.get("objectives") or []]
    pareto = data.table("pareto")
    if pareto is not None:
        params = [c for c in pareto.columns if c.startswith("param.")]
        cols = [*params, *[c for c in objs if c in pareto]]
        rows = [[str(int(r["trial"])), *[_g(float(r[c])) for c in cols]] for _, r in pareto.head(MAX_ROWS).iterrows()]
        header = ["trial", *[c.removeprefix("param.") for c in cols]]
        note = "" if len(pareto) <= MAX_ROWS else f"{MAX_ROWS} / {len(pareto)}"
        out.append(Table("tab-pareto", _t("tab.pareto", lang), header, rows, note=note))
    if (rec := data.table("recommended")) is not None:
        out.append(_recommended_table(rec, lang))
    if (conv := data.table("convergence")) is not None:
        rows = [
            [str(int(r.generation)), str(int(r.candidates)), str(int(r.feasible)), f"{r.hypervolume:.4f}"]
            for r in conv.itertuples()
        ]
        header = [_t(k, lang) for k in ("col.gen", "col.cands", "col.feasible", "col.hv")]
        out.append(Table("tab-convergence", _t("tab.conv", lang), header, rows))
    if (voi := data.table("voi")) is not None:
        rows = [
            [
                _t("all", lang) if r.uncertainty == "all" else str(r.uncertainty),
                _g(r.evppi),
                f"{r.evppi_relative:.1%}",
                f"{r.switch_share:.0%}",
            ]
            for r in voi.itertuples()
        ]
        header = [_t(k, lang) for k in ("col.unc", "col.evppi", "col.rel", "col.switch")]
        out.append(Table("tab-voi", _t("tab.voi", lang), header, rows, note=_t("note.voi", lang)))
    else:
        out.append(Para(_t("note.voi", lang), "note"))
    return out


def _recommended_table(rec: pd.DataFrame, lang: str) -> Table:
    rows = []
    for r in rec.itertuples():
        role = r.objective or r.constraint
        diff = "—" if r.trial < 0 else f"{_g(r.diff)} ({_g(r.ci_low)} – {_g(r.ci_high)})"
        rows.append([_design_name(r.design, lang), r.measure, role, _g(r.value), _g(r.plan), diff])
    header = [_t(k, lang) for k in ("col.design", "col.measure", "col.role", "col.value", "col.plan", "col.diff")]
    return Table("tab-recommended", _t("tab.rec", lang), header, rows)
