"""Words of figures and their captions, en and zh; merged into ``experiments.report.i18n.TEXT``."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # figure text
    "fig.date": ("Date", "日期"),
    "fig.month": ("Months since start", "自起始月起的月数"),
    "fig.survival": ("Share of runs not yet depleted", "尚未耗尽的运行比例"),
    "fig.horizon": ("plan horizon", "规划期末"),
    "fig.censored": ("censored at end of run", "运行结束时删失"),
    "fig.band": ("median and 10–90% band", "中位数及10%–90%区间"),
    "fig.diff": ("Difference vs {baseline}", "与{baseline}之差"),
    "fig.prob": ("Probability of meeting the target", "达成目标的概率"),
    "fig.mean_of": ("mean {metric}", "{metric}均值"),
    "fig.S1": ("first order (S1)", "一阶指数 (S1)"),
    "fig.ST": ("total order (ST)", "总效应指数 (ST)"),
    "fig.mu_star": ("μ* (mean |elementary effect|)", "μ*（基本效应绝对值均值）"),
    "fig.sigma": ("σ (interactions, non-linearity)", "σ（交互作用与非线性）"),
    "fig.index": ("Index", "指数"),
    "cap.fan": (
        "{metric}: median across replicates (line) and 10–90% band (shade); the baseline is grey.",
        "{metric}：各次重复的中位数（线）与10%–90%区间（阴影）；灰色为基准情景。",
    ),
    "cap.fan_nobase": (
        "{metric}: median across replicates (line) and 10–90% band (shade), one colour per scenario.",
        "{metric}：各次重复的中位数（线）与10%–90%区间（阴影），每个情景一种颜色。",
    ),
    "cap.run": ("{metric}, month by month.", "{metric}逐月变化。"),
    "cap.paired": (
        "Each scenario's effect versus {baseline} on the same seeds, mean with 95% CI.",
        "各情景在相同随机种子下相对{baseline}的效应：均值及95%置信区间。",
    ),
    "cap.survival": (
        (
            "Share of runs whose fund is not yet exhausted (Kaplan–Meier, shaded 95% CI); ticks mark runs "
            "censored at the end of the simulation; dashed lines mark the plan horizon."
        ),
        (
            "资金尚未耗尽的运行比例（Kaplan–Meier估计，阴影为95%置信区间）；短竖线表示模拟结束时删失的运行；"
            "虚线为规划期末。"
        ),
    ),
    "cap.targets": (
        "Probability of meeting each plan target by its date, with Wilson 95% interval.",
        "按期达成各项规划目标的概率及Wilson 95%区间。",
    ),
    "cap.heat": (
        "Mean outcome over the sweep by {x} and {y}{rest}.",
        "按{x}与{y}划分的扫描结果均值{rest}。",
    ),
    "cap.heat1": ("Mean outcome over the sweep by {x}.", "按{x}划分的扫描结果均值。"),
    "cap.heat_rest": (", averaged over the other parameters", "（对其余参数取平均）"),
    "cap.sens": (
        "Sensitivity indices, largest first, with confidence whiskers.",
        "敏感性指数（由大到小排列），误差线为置信区间。",
    ),
}
