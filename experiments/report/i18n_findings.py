"""Words of the findings (one sentence each), target verdicts, fund names and target conditions, en and zh;
merged into ``experiments.report.i18n.TEXT``."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
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
    "mismatch.region": ("region", "地区（企业数量、进入率与营收）"),
    "mismatch.start": ("start", "起始月份"),
    "mismatch.horizon": ("horizon", "模拟期长度"),
    "mismatch.setting": ("setting", "设定"),
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
        "{pool} is not exhausted by {end} ({balance} left).",
        "{pool}至{end}未耗尽（余额{balance}）。",
    ),
    "f.pool_out": ("{pool} is exhausted in {month}.", "{pool}于{month}耗尽。"),
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
    "target.no_reason": ("the model lacks what it measures", "模型不含其度量对象"),
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
}
