"""Words of the calibration and evidence sections, en and zh; merged into ``experiments.report.i18n.TEXT``."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "h.calibration": ("Fit to the observed figures", "与观测数据的拟合"),
    "cal.table": ("Targets: observed against the model", "校准目标：观测值与模型值"),
    "cal.col.target": ("Target", "目标"),
    "cal.col.observed": ("Observed ± sd", "观测值 ± 标准差"),
    "cal.col.best": ("Model, best set", "模型（最优参数）"),
    "cal.col.accepted": ("Model, accepted sets", "模型（可接受参数集）"),
    "cal.col.z": ("z", "z值"),
    "cal.col.source": ("Source", "来源"),
    "cal.cap": (
        (
            "The fitted parameters: all trials (grey), the sets consistent with the targets (blue: an approximate"
            " posterior sample) and the best set (red); the last panel shows χ² by trial and its running minimum."
        ),
        "校准参数：全部试验（灰）、与目标一致的参数集（蓝，近似后验样本）和最优参数（红）；最后一图为各试验的χ²及其累计最小值。",
    ),
    "cal.s.all": ("all trials", "全部试验"),
    "cal.s.accepted": ("accepted", "可接受"),
    "cal.s.best": ("best", "最优"),
    "cal.x.trial": ("trial", "试验"),
    "cal.f.trials": (
        "{trials} candidates tried; {accepted} consistent with the targets; best χ² {chi2}.",
        "共试验{trials}组参数，其中{accepted}组与目标一致；最优χ²为{chi2}。",
    ),
    "cal.f.target": (
        "{metric}: observed {observed} ± {sd}, model {model} (z {z}).",
        "{metric}：观测值{observed} ± {sd}，模型{model}（z值{z}）。",
    ),
    "h.evidence": ("What the model reproduces", "模型复现的已知事实"),
    "ev.table": ("Published evidence and closed-form answers against the model", "公开实证与解析解对照模型结果"),
    "ev.col.check": ("Check", "检验"),
    "ev.col.claim": ("What is known", "已知事实"),
    "ev.col.source": ("Source", "来源"),
    "ev.col.range": ("Must land in", "应落入区间"),
    "ev.col.model": ("Model: mean [95% CI]", "模型：均值 [95%置信区间]"),
    "ev.col.verdict": ("Verdict", "结论"),
    "ev.True": ("holds", "符合"),
    "ev.False": ("does not hold", "不符合"),
    "ev.rule": (
        "Paired seeds on common random numbers; rule: {rule}. pp = percentage points.",
        "配对种子、共同随机数；判定规则：{rule}。pp为百分点。",
    ),
    "ev.fig.checks": (
        "Each check: seeds (grey), mean with 95% CI, range to land in (green)",
        "各项检验：各种子取值（灰）、均值及95%置信区间、应落入区间（绿）",
    ),
    "ev.cap.checks": (
        (
            "One panel per check: the value under each seed, the mean with its 95% interval (blue: holds, red: does"
            " not) and the published range (green band)."
        ),
        "每项检验一幅小图：各种子的取值、均值及95%置信区间（蓝：符合，红：不符合）及公开区间（绿色带）。",
    ),
    "ev.cap.responses": (
        (
            "How the channels respond: the average balance against the interest subsidy; additional credit per unit"
            " covered against the cover (FOGAPE-like product; dashed: 0.65, band: 0.3–1.0); the share of first-year"
            " borrowers in default by months since the loan, with and without cover; one-year default rates in the"
            " fixed mode against the Vasicek density (PD 3%, ρ 0.12)."
        ),
        (
            "各渠道的响应：平均贷款余额随贴息比例的变化；每单位担保余额带来的额外贷款随担保比例的变化"
            "（类FOGAPE产品；虚线0.65，区间0.3–1.0）；首年借款企业自放款起的累计违约率（有无担保）；"
            "固定模式下一年违约率与Vasicek分布（PD 3%，ρ 0.12）。"
        ),
    ),
    "ev.x.subsidy": ("interest subsidy, % of interest", "贴息比例（占利息%）"),
    "ev.y.balance": ("average balance vs no subsidy, %", "平均余额相对无贴息变化，%"),
    "ev.t.subsidy": ("Demand responds to price", "需求对价格的响应"),
    "ev.x.cover": ("guarantee cover, %", "担保比例，%"),
    "ev.y.add": ("additional ÷ covered balance", "额外余额 ÷ 担保余额"),
    "ev.t.cover": ("Additionality against cover", "额外性与担保比例"),
    "ev.x.months": ("months since the loan", "放款后月数"),
    "ev.y.default": ("defaulted, %", "累计违约，%"),
    "ev.t.vintage": ("Default curves with and without cover", "有无担保的违约曲线"),
    "ev.s.covered": ("covered (policy run)", "担保贷款（政策情景）"),
    "ev.s.without": ("same stages, no guarantee", "同阶段企业，无担保"),
    "ev.x.rate": ("one-year default rate, %", "一年违约率，%"),
    "ev.t.vasicek": ("One-year default rate against Vasicek", "一年违约率与Vasicek分布"),
    "ev.s.model": ("model (fixed mode)", "模型（固定模式）"),
    "ev.s.vasicek": ("Vasicek density", "Vasicek密度"),
    "ev.f.count": ("{held} of {total} checks hold.", "{total}项检验中{held}项符合。"),
    "ev.f.fail": (
        "{check} does not hold: model {value}, must land in {range}.",
        "{check}不符合：模型{value}，应落入{range}。",
    ),
}
