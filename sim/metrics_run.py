"""The registry's run-level figures (``sim.metrics``): one number per run in ``summary.json``, those only an
experiment's flattened outcomes row holds, and the patterns of outcome names with a varying part."""

from __future__ import annotations

from sim.metrics_base import Metric, Pattern

R, OUT = "run", "outcome"  # kinds
HEAD, FIND, CLI, KEY = "headline", "findings", "cli", "key"  # places
M = Metric

#: Run-level figures and outcomes, in the registry's order.
RUN: tuple[Metric, ...] = (
    # run-level figures, the most telling first (the order of headline tables and findings)
    M(
        "additional_balance_avg_wan",
        "wan",
        R,
        "Additional average credit balance",
        "额外平均贷款余额",
        (HEAD, FIND, CLI, KEY),
    ),
    M(
        "credit_per_public_wan",
        "multiple",
        R,
        "Additional balance per 万 of net public cost",
        "每万元财政净支出带来的额外贷款余额",
        (HEAD, FIND, CLI, KEY),
    ),
    M("credit_cagr", "rate", R, "Credit growth (CAGR)", "贷款年均增长率", (HEAD, FIND, CLI, KEY)),
    M("credit_balance_start_wan", "wan", R, "Tech-loan balance at start", "期初科技贷款余额", (KEY,)),
    M("credit_balance_end_wan", "wan", R, "Tech-loan balance at end", "期末科技贷款余额", (HEAD, FIND, CLI, KEY)),
    M("net_public_cost_wan", "wan", R, "Net public cost", "财政净支出", (HEAD, FIND, CLI, KEY)),
    M("new_credit_wan", "wan", R, "New credit", "新增贷款", (HEAD, FIND, KEY)),
    M("borrowers_end", "count", R, "Borrowers at end", "期末贷款企业数", (HEAD, KEY)),
    M("first_loan_firms", "count", R, "First-loan firms", "首贷企业数", (HEAD, KEY)),
    M("firms_served", "count", R, "Firms served", "获贷企业数", (KEY,)),
    M("npl_ratio_end", "share", R, "NPL ratio at end", "期末不良贷款率", (HEAD, FIND, KEY)),
    M("avg_cost_rate_mean", "rate", R, "Mean all-in financing cost", "平均综合融资成本", (HEAD, KEY)),
    M("pool_depleted", "flag", R, "Pool depleted", "资金池耗尽", (HEAD, FIND, CLI)),
    M(
        "pool_months_to_depletion_censored",
        "months",
        OUT,
        "Months to pool depletion (censored)",
        "资金池耗尽所需月数（删失）",
        (HEAD,),
    ),
    M("pool_months_to_depletion", "months", R, "Months to pool depletion", "资金池耗尽所需月数", (HEAD, CLI)),
    M("guarantor_depleted", "flag", OUT, "Guarantor capital depleted", "担保资本耗尽", (HEAD, CLI)),
    M("guarantor_net_assets_end_wan", "wan", R, "Guarantor net assets at end", "期末担保机构净资产", (HEAD, KEY)),
    M("targets_met", "count", R, "Targets met", "达成目标数", (HEAD, CLI)),
    M("additional_balance_end_wan", "wan", R, "Additional credit balance at end", "期末额外贷款余额", (KEY,)),
    M(
        "fiscal_credit_per_public_wan",
        "multiple",
        R,
        "Additional balance from fiscal instruments per 万 of net public cost",
        "每万元财政净支出由财政工具带来的额外余额",
        (KEY,),
    ),
    M(
        "additionality_ratio",
        "share",
        R,
        "Additional balance per unit of covered balance",
        "每单位分险贷款余额的额外余额",
        (KEY,),
    ),
    M(
        "policy_borrower_default_rate_24m",
        "share",
        R,
        "24-month default rate, first-year policy borrowers",
        "首年政策贷款企业24个月违约率",
        (KEY,),
    ),
    M(
        "plain_borrower_default_rate_24m",
        "share",
        R,
        "24-month default rate, first-year other borrowers",
        "首年其他贷款企业24个月违约率",
        (KEY,),
    ),
    M(
        "gross_lending_per_public_wan",
        "multiple",
        R,
        "New lending per 万 of net public cost, renewals included (not additional)",
        "每万元财政净支出对应的新增放贷（含续贷，非额外）",
        (KEY,),
    ),
    M("guarantor_leverage_max", "multiple", R, "Guarantor leverage (max)", "担保放大倍数（最高）", (KEY,)),
    M("guarantor_claims_rate", "rate", R, "Guarantor claims rate", "担保代偿率", (KEY,)),
    M("listings", "count", R, "Listings", "上市挂牌企业数", (KEY,)),
    M("months", "months", R, "Months simulated", "模拟月数"),
    M("start_scale", "number", R, "Money scale after the burn-in", "预热期后的金额缩放系数"),
    M("scale", "share", R, "Share of the region simulated", "模拟的地区规模比例"),
    M("targets_missed", "count", R, "Targets missed", "未达成目标数"),
    M("targets_not_reached", "count", R, "Targets not reached (after the run ends)", "未到期目标数（晚于模拟结束）"),
    M("targets_out_of_scope", "count", R, "Targets out of scope", "超出模型范围的目标数"),
    M("covered_balance_avg_wan", "wan", R, "Average covered (risk-shared) balance", "平均分险贷款余额"),
    M("policy_balance_avg_wan", "wan", R, "Average policy-product balance", "平均政策产品贷款余额"),
    M("policy_new_credit_wan", "wan", R, "New credit under policy products", "政策产品新增贷款"),
    M(
        "policy_lending_per_public_wan",
        "multiple",
        R,
        "Policy-product lending per 万 of net public cost, renewals included",
        "每万元财政净支出对应的政策产品放贷（含续贷）",
    ),
    M("substitution_share", "share", R, "Covered balance the banks would have lent anyway", "分险贷款中的替代部分"),
    M(
        "policy_borrower_default_rate_12m",
        "share",
        R,
        "12-month default rate, first-year policy borrowers",
        "首年政策贷款企业12个月违约率",
    ),
    M("policy_borrowers_year1", "count", R, "First-year policy borrowers", "首年政策贷款企业数"),
    M(
        "plain_borrower_default_rate_12m",
        "share",
        R,
        "12-month default rate, first-year other borrowers",
        "首年其他贷款企业12个月违约率",
    ),
    M("plain_borrowers_year1", "count", R, "First-year other borrowers", "首年其他贷款企业数"),
    M("pool_balance_end_wan", "wan", R, "Pool balance at end", "期末资金池余额"),
    M("guarantor_insolvent", "flag", R, "Guarantor insolvent", "担保机构资不抵债"),
    M("patents_end", "count", R, "Patents at end", "期末专利数"),
    M("firms_alive_end", "count", R, "Firms alive at end", "期末存续企业数"),
    M("conservation_error_wan", "wan", R, "Loss conservation error", "损失守恒误差"),
    M("targets_total", "count", R, "Targets", "目标数"),
    M("baseline_balance_end_wan", "wan", R, "Tech-loan balance at end without the policy", "无政策情形期末贷款余额"),
    M(
        "new_lending_diff_wan",
        "wan",
        R,
        "New lending beyond the no-policy run (renewals included)",
        "新增放贷差额（含续贷）",
    ),
    M(
        "additional_balance_avg_regulatory_wan",
        "wan",
        R,
        "Additional balance from regulatory levers",
        "监管与平台措施带来的额外余额",
    ),
    M(
        "additional_balance_avg_fiscal_wan",
        "wan",
        R,
        "Additional balance from fiscal instruments",
        "财政工具带来的额外余额",
    ),
    # run-level figures that exist only in an experiment's flattened outcomes row (experiments.analysis.outcomes)
    M("budget_exhausted_years", "count", OUT, "Years the budget ran out", "预算用尽的年数"),
    M("guarantor_months_to_depletion", "months", OUT, "Months to guarantor depletion", "担保资本耗尽所需月数"),
    M(
        "budget_exhausted_month_earliest",
        "number",
        OUT,
        "Earliest calendar month the budget ran out (1–12)",
        "预算用尽的最早月份（1–12月）",
    ),
    M("budget_stopped_share", "share", OUT, "Share of months with subsidies stopped", "补贴停发月份占比"),
)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        r"product\.(?P<name>[^.]+)\.(?P<step>eligible|open|worth|accepted|cheapest|written)",
        "count",
        "Product {name}: firm-months at step {step}",
        "产品{name}：{step}环节的企业·月数",
    ),
    Pattern(r"product\.(?P<name>[^.]+)\.written_wan", "wan", "Product {name}: amount written", "产品{name}：放款金额"),
    Pattern(
        r"product\.(?P<name>[^.]+)\.share_of_lending",
        "share",
        "Product {name}: share of new lending",
        "产品{name}：占新增贷款比例",
    ),
    Pattern(
        r"product\.(?P<name>[^.]+)\.little_business", "flag", "Product {name}: little business", "产品{name}：业务很少"
    ),
    Pattern(
        r"product\.(?P<name>[^.]+)\.reason_code",
        "number",
        "Product {name}: why little business (code)",
        "产品{name}：业务很少的原因（代码）",
    ),
    Pattern(r"pool\.(?P<name>[^.]+)\.depleted", "flag", "Pool {name} depleted", "资金池{name}耗尽"),
    Pattern(
        r"pool\.(?P<name>[^.]+)\.months_to_depletion",
        "months",
        "Months to depletion of pool {name}",
        "资金池{name}耗尽所需月数",
    ),
    Pattern(
        r"pool\.(?P<name>[^.]+)\.months_to_depletion_censored",
        "months",
        "Months to depletion of pool {name} (censored)",
        "资金池{name}耗尽所需月数（删失）",
    ),
    Pattern(r"pool\.(?P<name>[^.]+)\.balance_end_wan", "wan", "Pool {name} balance at end", "资金池{name}期末余额"),
    Pattern(r"pool\.(?P<name>[^.]+)\.payouts_wan", "wan", "Pool {name} payouts", "资金池{name}累计代偿"),
    Pattern(
        r"guarantor\.(?P<name>[^.]+)\.depleted", "flag", "Guarantor {name} capital depleted", "担保机构{name}资本耗尽"
    ),
    Pattern(
        r"guarantor\.(?P<name>[^.]+)\.months_to_depletion",
        "months",
        "Months to depletion of guarantor {name}",
        "担保机构{name}资本耗尽所需月数",
    ),
    Pattern(r"target\.(?P<i>\d+)\.met", "flag", "Plan target {i} met", "规划目标{i}达成"),
    Pattern(r"target\.(?P<i>\d+)\.value", "number", "Plan target {i}: value", "规划目标{i}取值"),
    Pattern(
        r"budget\.(?P<year>\d{4})\.exhausted_month",
        "number",
        "Calendar month the budget ran out in {year} (1–12)",
        "{year}年预算用尽的月份（1–12月）",
    ),
    Pattern(
        r"budget\.(?P<year>\d{4})\.stopped_share",
        "share",
        "Share of {year} with subsidies stopped",
        "{year}年补贴停发月份占比",
    ),
    Pattern(
        r"year_end_balance_wan\.(?P<year>\d{4})", "wan", "Tech-loan balance at end {year}", "{year}年末科技贷款余额"
    ),
)
