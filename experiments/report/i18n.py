"""Every word a report shows, in English and Chinese, in one place.

``t(key, lang, **fields)`` returns the sentence for ``key`` with ``fields`` filled in; ``metric_name`` names a
model metric with its label from the metric registry (``sim.metrics``).
"""

from __future__ import annotations

from sim.metrics import label

LANGS = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    # page structure
    "title": ("Simulation report: {name}", "仿真报告：{name}"),
    "kind.run": ("single run", "单次运行"),
    "kind.compare": ("scenario comparison", "情景比较"),
    "kind.sweep": ("parameter sweep", "参数扫描"),
    "kind.sensitivity": ("sensitivity analysis", "敏感性分析"),
    "kind.depletion": ("pool depletion analysis", "资金池耗尽分析"),
    "kind.targets": ("plan target attainment", "规划目标达成分析"),
    "kind.evidence": ("evidence checks", "实证检验"),
    "kind.calibration": ("calibration", "参数校准"),
    "kind.design": ("design search", "方案优化搜索"),
    "k.posterior": ("Uncertainty in the bands", "区间所含的不确定性"),
    "k.posterior.yes": (
        "luck and parameters: replicate k runs accepted parameter set k of {sets} from calibration {name}",
        "随机性与参数：第k次重复运行采用校准{name}的{sets}组可接受参数中的第k组",
    ),
    "k.posterior.no": (
        "luck only (one parameter set; add --posterior to carry a calibration's parameter uncertainty)",
        "仅随机性（单一参数集；加 --posterior 可纳入校准的参数不确定性）",
    ),
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
    "h.contents": ("Contents", "目录"),
    "h.what": ("What was run", "运行内容"),
    "h.findings": ("Summary of findings", "主要发现"),
    "h.paths": ("Paths over time", "随时间变化的路径"),
    "h.effects": ("Effects versus the baseline", "相对基准情景的效应"),
    "h.outcomes": ("Outcomes by scenario", "各情景结果"),
    "h.depletion": ("Depletion of the pool and guarantor capital", "风险补偿资金池与担保资本的耗尽"),
    "h.targets": ("Plan targets", "规划目标"),
    "h.sweep": ("Parameter sweep", "参数扫描"),
    "h.sensitivity": ("Sensitivity of outcomes to parameters", "结果对参数的敏感性"),
    "h.run_tables": ("Run results", "运行结果"),
    "h.provenance": ("Provenance", "来源与可复现信息"),
    "units.note": (
        (
            "Money is shown in 亿元 (100 million yuan) or 万元 (10,000 yuan), as each heading says. "
            "Intervals are 95% confidence intervals unless stated otherwise."
        ),
        "金额单位为亿元或万元，以各表头标注为准。除另有说明外，区间均为95%置信区间。",
    ),
    "generated": ("Generated {when} by techfin report.", "由 techfin report 于 {when} 生成。"),
    # what was run
    "k.kind": ("Kind", "类型"),
    "k.name": ("Name", "名称"),
    "k.created": ("Created", "创建时间"),
    "k.scenarios": ("Scenarios", "情景"),
    "k.baseline": ("Baseline", "基准情景"),
    "k.replicates": ("Replicates per scenario", "每个情景的重复次数"),
    "k.master_seed": ("Master seed", "主随机种子"),
    "k.seeds": ("Replicate seeds", "各次重复的随机种子"),
    "k.seed": ("Seed", "随机种子"),
    "k.months": ("Months simulated", "模拟月数"),
    "k.period": ("Period", "模拟期间"),
    "k.runs": ("Runs", "运行次数"),
    "k.metrics": ("Metrics", "指标"),
    "k.space": ("Parameter space", "参数空间"),
    "k.command": ("Command line", "命令行"),
    "k.code_version": ("Code version", "代码版本"),
    "k.scenario_digest": ("Scenario digest (SHA-256)", "情景摘要（SHA-256）"),
    "k.report_version": ("Report made with", "报告生成环境"),
    "k.not_recorded": ("not recorded", "未记录"),
    "runs.count": ("{total} ({ok} completed, {failed} failed)", "{total}次（完成{ok}次，失败{failed}次）"),
    # table headings
    "col.scenario": ("Scenario", "情景"),
    "col.metric": ("Metric", "指标"),
    "col.mean": ("Mean", "均值"),
    "col.ci": ("95% CI", "95%置信区间"),
    "col.sd": ("SD", "标准差"),
    "col.n": ("Runs", "运行次数"),
    "col.diff": ("Difference vs baseline", "与基准情景之差"),
    "col.ok": ("Completed", "完成"),
    "col.failed": ("Failed", "失败"),
    "col.seeds": ("Seeds", "随机种子"),
    "col.entity": ("Fund", "资金主体"),
    "col.median_month": ("Median depletion month", "耗尽时间中位数"),
    "col.median_ci": ("95% CI of the median", "中位数95%置信区间"),
    "col.events": ("Runs depleted", "耗尽次数"),
    "col.by_year": ("Depleted by end {year}", "{year}年末前耗尽"),
    "col.target": ("Target", "目标"),
    "col.condition": ("Condition", "条件"),
    "col.date": ("By", "截止"),
    "col.prob": ("Probability met", "达成概率"),
    "col.ci_wilson": ("95% CI (Wilson)", "95%置信区间（Wilson）"),
    "col.successes": ("Runs meeting it", "达成次数"),
    "col.point": ("Point", "设计点"),
    "col.parameter": ("Parameter", "参数"),
    "col.method": ("Method", "方法"),
    "col.value": ("Value", "数值"),
    "col.item": ("Item", "项目"),
    "col.year": ("Year", "年份"),
    "col.balance": ("Tech-loan balance at year end", "年末科技贷款余额"),
    "col.pool": ("Pool", "资金池"),
    "col.pool_end": ("Balance at end", "期末余额"),
    "col.payouts": ("Paid out", "累计代偿"),
    "col.depleted": ("Depleted", "是否耗尽"),
    "col.result": ("Result", "结果"),
    "col.library": ("Library", "软件库"),
    "col.version": ("Version", "版本"),
    "col.file": ("File", "文件"),
    "col.digest": ("Digest (SHA-256)", "摘要（SHA-256）"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "met": ("met", "达成"),
    "missed": ("missed", "未达成"),
    "never": ("not reached", "未达到"),
    "rows.metrics": (
        "{shown} of the {total} metrics in {file} are shown.",
        "显示{file}中{total}项指标里的{shown}项。",
    ),
    "rows.capped": ("First {shown} of {total} rows shown.", "仅显示前{shown}行（共{total}行）。"),
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
    # findings
    "f.failed": ("{failed} of {total} runs failed and are left out.", "{total}次运行中有{failed}次失败，已排除。"),
    "f.diff": (
        "{scenario}: {metric} is {diff} {dir} than {baseline} (95% CI {low} to {high}){sig}.",
        "{scenario}：{metric}比{baseline}{dir}{diff}（95%置信区间 {low} 至 {high}）{sig}。",
    ),
    "f.additional": (
        (
            "{scenario}: against the same region without the policy (same seeds), the average tech-credit balance"
            " is {value} {dir} (95% CI {low} to {high})."
        ),
        (
            "{scenario}：与无该政策的同一地区相比（相同随机种子），平均科技贷款余额{dir}{value}"
            "（95%置信区间 {low} 至 {high}）。"
        ),
    ),
    "f.mismatch": (
        (
            "Warning: the scenarios compared differ in {what}; their differences mix region and period with"
            " policy. Compare a plan with the same region without the policy (--additionality) instead."
        ),
        "警告：所比较的情景在{what}上不同，其差异混合了地区、时期与政策的影响。应将规划与无该政策的同一地区比较（--additionality）。",
    ),
    "f.higher": ("higher", "高"),
    "f.lower": ("lower", "低"),
    "f.same": (
        "{scenario}: {metric} is the same as {baseline} in every paired run.",
        "{scenario}：{metric}在所有配对运行中与{baseline}相同。",
    ),
    "f.noise": ("; not distinguishable from zero", "；与零无显著差异"),
    "f.mean": (
        "{scenario}: mean {metric} {value} (95% CI {low} to {high}).",
        "{scenario}：{metric}均值为{value}（95%置信区间 {low} 至 {high}）。",
    ),
    "f.depl": (
        "{scenario}: {entity} is exhausted before the plan ends ({end}) in {prob} of runs{median}.",
        "{scenario}：{entity}在规划期末（{end}）前耗尽的运行占{prob}{median}。",
    ),
    "f.depl_share": (
        "{scenario}: the pool is exhausted within the simulated period in {prob} of runs.",
        "{scenario}：在模拟期内资金池耗尽的运行占{prob}。",
    ),
    "f.depl_median": (", median month {month}", "，耗尽时间中位数为{month}"),
    "f.target": (
        (
            "{scenario}: \u201c{target}\u201d is met with probability {prob} (95% CI {low}–{high}); achieved"
            " {achieved} (median [10%, 90%]) against {threshold}."
        ),
        (
            "{scenario}：\u201c{target}\u201d的达成概率为{prob}（95%置信区间 {low}–{high}）；实现值{achieved}"
            "（中位数 [10%, 90%]），目标为{threshold}。"
        ),
    ),
    "f.target_beyond": (
        "{scenario}: \u201c{target}\u201d is not reached: {date} is after the simulated period.",
        "{scenario}：\u201c{target}\u201d未到期：{date}晚于模拟期。",
    ),
    "f.target_out_of_scope": (
        "{scenario}: \u201c{target}\u201d is out of scope: {reason}.",
        "{scenario}：\u201c{target}\u201d超出模型范围：{reason}。",
    ),
    "f.sweep": (
        "{metric} ranges from {low} to {high} across the sweep; it is highest at {at} ({value}",
        "{metric}在扫描范围内介于{low}至{high}之间；在{at}时最高（{value}",
    ),
    "f.sweep_ci": (
        ", 95% CI {ci}), above every other point beyond noise.",
        "，95%置信区间 {ci}），高于其他各点且超出随机波动。",
    ),
    "f.sweep_flat": (
        (
            "{metric} ranges from {low} to {high} across the sweep; no point is higher than the others beyond noise"
            " (their 95% intervals overlap)."
        ),
        "{metric}在扫描范围内介于{low}至{high}之间；没有哪个设计点超出随机波动地高于其他各点（95%置信区间相互重叠）。",
    ),
    "f.sweep_one": (
        (
            "{metric} ranges from {low} to {high} across the sweep; with one run per point the effect of the parameters"
            " cannot be told from noise, so no highest point is named."
        ),
        "{metric}在扫描范围内介于{low}至{high}之间；每个设计点仅运行一次，参数的作用无法与随机波动区分，故不指明最高点。",
    ),
    "f.sweep_const": ("{metric} is {value} at every point of the sweep.", "{metric}在所有设计点均为{value}。"),
    "f.sens": (
        "{metric} ({method}): most influential {first} ({index} {value}){then}.",
        "{metric}（{method}）：影响最大的参数为{first}（{index} {value}）{then}。",
    ),
    "f.sens_flat": (
        (
            "{metric} ({method}): no parameter stands out; the confidence intervals of the largest {index} overlap"
            " ({names})."
        ),
        "{metric}（{method}）：没有哪个参数的影响明显更大；最大的几个{index}的置信区间相互重叠（{names}）。",
    ),
    "f.sens_const": (
        "{metric} took the same value in every run, so no parameter influences it here.",
        "{metric}在所有运行中取值相同，本次分析中没有参数对其产生影响。",
    ),
    "f.sens_then": (", then {names}", "，其次为{names}"),
    "f.run_growth": (
        "Tech-loan balance goes from {start} to {end} ({months} months); annual growth (CAGR) {cagr}.",
        "科技贷款余额由{start}增至{end}（{months}个月），年均增长率{cagr}。",
    ),
    "f.run_credit": (
        "New lending {credit} (renewals included) at a net public cost of {spend}.",
        "新增放贷{credit}（含续贷），财政净支出{spend}。",
    ),
    "f.run_add": (
        (
            "Additionality: the average tech-loan balance is {add} above the paired no-policy run, {per} per 万元"
            " of net public cost."
        ),
        "额外性：平均科技贷款余额比配对的无政策运行高{add}，每万元财政净支出带来{per}。",
    ),
    "f.run_add_neg": (
        (
            "Additionality: the average tech-loan balance is {add} below the paired no-policy run ({per} per 万元"
            " of net public cost)."
        ),
        "额外性：平均科技贷款余额比配对的无政策运行低{add}（每万元财政净支出{per}）。",
    ),
    "f.pool_ok": (
        "Pool {pool} is not exhausted by {end} ({balance} left).",
        "资金池{pool}至{end}未耗尽（余额{balance}）。",
    ),
    "f.pool_out": ("Pool {pool} is exhausted in {month}.", "资金池{pool}于{month}耗尽。"),
    "f.run_targets": (
        (
            "Plan targets: {met} met, {missed} missed, {later} not reached (dated after the run ends), {scope} out"
            " of scope (the model lacks what they measure), of {total}."
        ),
        (
            "规划目标共{total}项：达成{met}项，未达成{missed}项，{later}项未到期（晚于模拟结束），{scope}项超出"
            "模型范围（模型不含其度量对象）。"
        ),
    ),
    "target.met": ("met", "达成"),
    "target.missed": ("missed", "未达成"),
    "target.not_reached": ("not reached: dated after the run ends", "未到期：晚于模拟结束"),
    "target.out_of_scope": ("out of scope", "超出模型范围"),
    "target.out_of_scope_why": ("out of scope: {reason}", "超出模型范围：{reason}"),
    "f.npl": ("NPL ratio at the end {npl}.", "期末不良率{npl}。"),
    "f.guarantor": ("Guarantor net assets at the end {assets}.", "期末担保机构净资产{assets}。"),
    "entity.guarantor": ("guarantor capital", "担保机构资本"),
    "entity.pool": ("pool {name}", "资金池{name}"),
    "entity.one_guarantor": ("guarantor {name}", "担保机构{name}"),
    "cond.window": ("{metric} over {n} months", "{n}个月累计{metric}"),
    "cond.window_mean": ("{metric}, mean of {n} months", "{n}个月平均{metric}"),
    "cond.unmodelled": ("(not in the model)", "（模型不含）"),
    "col.achieved": ("Achieved: median [10%, 90%]", "实现值：中位数 [10%, 90%]"),
    "cond.change": ("change in {metric} since {base}", "{metric}较{base}的变化"),
    "cond.start": ("the start", "期初"),
    "method.sobol": ("Sobol", "Sobol法"),
    "method.morris": ("Morris", "Morris法"),
    "unit.yi": ("亿元", "亿元"),
    "unit.wan": ("万元", "万元"),
    "unit.pct": ("%", "%"),
    "unit.pp": ("pp", "个百分点"),
    "unit.months": ("months", "个月"),
    "unit.x": ("×", "倍"),
    "ax.yi": ("100 million yuan", "亿元"),
    "ax.wan": ("10,000 yuan", "万元"),
    "ax.pct": ("%", "%"),
    "ax.pp": ("percentage points", "百分点"),
    "ax.months": ("months", "月"),
    "ax.x": ("×", "倍"),
}

from experiments.report.i18n_instruments import TEXT as _INSTRUMENT_TEXT  # noqa: E402

TEXT.update(_INSTRUMENT_TEXT)


def t(key: str, lang: str, **fields: object) -> str:
    """The text for ``key`` in ``lang`` ("en" or "zh"), with ``fields`` substituted.

    Raises:
        KeyError: if ``key`` is not in the dictionary (a missing translation is a bug, not a fallback).
    """
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def metric_name(metric: str, lang: str) -> str:
    """A metric's label from the metric registry (``sim.metrics``); a name the registry lacks (an output of a test
    function run in place of the simulator) keeps its column name."""
    return label(metric, lang)


def entity_name(entity: str, lang: str) -> str:
    """``"pool:tech-credit"`` → "pool tech-credit"; ``"guarantor"`` → "guarantor capital"."""
    kind, _, name = entity.partition(":")
    if kind == "pool":
        return t("entity.pool", lang, name=name)
    if kind == "guarantor":
        return t("entity.one_guarantor", lang, name=name) if name else t("entity.guarantor", lang)
    return entity
