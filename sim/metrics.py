"""The metric registry: every figure the simulator produces, defined once.

Each :class:`Metric` has its name (the column or summary key), its unit, its kind, an English and a Chinese
label, the format it is shown in, and the places it is shown. The monthly table (``sim.reporters``), the run
summary (``sim.result.SCALARS``), the outcomes row (``experiments.outcomes``), the command-line tables, the
report's tables, figures and sentences all read this module instead of keeping lists of their own; the entries
themselves are at the end of this module.

Kinds:

- ``flow``: summed over the month (``new_loans_wan``); ``cumulative``: a flow summed from the start month
  (``new_loans_cum_wan``, ``of`` names the flow); ``stock``: the state at the month end (``npl_ratio``);
- ``run``: one figure per run in ``summary.json`` (``credit_cagr``); ``outcome``: a run-level figure that
  exists only in the flattened outcomes row of an experiment (``guarantor_depleted``);
- ``derived``: a monthly series computed from the monthly table (calibration targets such as
  ``borrower_share``).

Units (what the number is in) and formats (how it is shown): ``wan`` 万元 → ``money`` (亿元 from 1亿 up, else
万元); ``share`` a fraction of one and ``rate`` a fraction per year → ``pct``; ``flag`` true/false, averaged
over runs a share → ``pct``; ``count`` → ``count``; ``months`` → ``months``; ``multiple`` 万元 per 万元 →
``times``; ``number`` → ``number``.

Places: ``fan`` a monthly series drawn as fan charts (and as lines in a single run's report), ``bands`` a
monthly series whose bands a comparison always keeps, ``headline`` an outcome a report shows when the experiment
names none, ``findings`` an outcome the summary of findings speaks about (in this order), ``cli`` an outcome the
command-line summary of a comparison prints, ``key`` a figure of a single run's key-figure table.

Outcome names with a part that varies (``pool.<name>.depleted``, ``target.<i>.met``,
``year_end_balance_wan.<YYYY>``) are :class:`Pattern` entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

UNITS = {
    "wan": ("10,000 yuan", "万元"),
    "share": ("share of one", "比例"),
    "rate": ("share per year", "年化比例"),
    "flag": ("true or false (a share of runs when averaged)", "是/否（多次运行平均为比例）"),
    "count": ("count", "个数"),
    "months": ("months", "月"),
    "multiple": ("万元 per 万元", "倍"),
    "number": ("number", "数值"),
}
FORMATS = ("money", "pct", "count", "months", "times", "number")
KINDS = ("flow", "cumulative", "stock", "run", "outcome", "derived")
MONTHLY_KINDS = ("flow", "cumulative", "stock")
PLACES = ("fan", "bands", "headline", "findings", "cli", "key")
DEFAULT_FORMAT = {
    "wan": "money",
    "share": "pct",
    "rate": "pct",
    "flag": "pct",
    "count": "count",
    "months": "months",
    "multiple": "times",
    "number": "number",
}
#: Columns of the monthly table that index it rather than measure anything.
INDEX_COLUMNS = ("month", "date")


@dataclass(frozen=True)
class Metric:
    """One figure: ``name``, ``unit`` (a key of ``UNITS``), ``kind`` (one of ``KINDS``), English and Chinese
    labels, ``fmt`` (one of ``FORMATS``, default from the unit), ``shown`` (places, see ``PLACES``), for a
    cumulative column ``of``: the flow it sums, and for a flow ``total``: the run summary also holds its sum over
    the run under the same name."""

    name: str
    unit: str
    kind: str
    en: str
    zh: str
    shown: tuple[str, ...] = ()
    of: str | None = None
    fmt: str = ""
    total: bool = False

    def __post_init__(self) -> None:
        if not self.fmt:
            object.__setattr__(self, "fmt", DEFAULT_FORMAT.get(self.unit, ""))

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("en" or "zh")."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Pattern:
    """Outcome names with a varying part: ``regex`` with one named group; labels are templates over it."""

    regex: str
    unit: str
    en: str
    zh: str
    kind: str = "outcome"
    fmt: str = ""
    shown: tuple[str, ...] = field(default=())

    def match(self, name: str) -> Metric | None:
        """The metric ``name`` is, if this pattern covers it."""
        hit = re.fullmatch(self.regex, name)
        if hit is None:
            return None
        part = hit.groupdict()
        return Metric(name, self.unit, self.kind, self.en.format(**part), self.zh.format(**part), fmt=self.fmt)


@cache
def registry() -> dict[str, Metric]:
    """Every named metric, in the registry's order."""
    return {m.name: m for m in METRICS}


def patterns() -> tuple[Pattern, ...]:
    """The outcome-name patterns."""
    return PATTERNS


def lookup(name: str) -> Metric | None:
    """The metric called ``name`` (a named one or one a pattern covers), or None when the registry has none."""
    m = registry().get(name)
    if m is not None:
        return m
    for p in patterns():
        if (hit := p.match(name)) is not None:
            return hit
    return None


def known(name: str) -> bool:
    """Whether ``name`` is a metric in the registry."""
    return lookup(name) is not None


def describe(name: str) -> Metric:
    """The metric called ``name``; a name the registry lacks (an output of a test function run in place of the
    simulator) is shown as a plain number under its own name."""
    return lookup(name) or Metric(name, "number", "outcome", name, name)


def label(name: str, lang: str) -> str:
    """The metric's label in ``lang``."""
    return describe(name).label(lang)


def of_kind(*kinds: str) -> tuple[str, ...]:
    """Names of the metrics of the given kinds, in registry order."""
    return tuple(m.name for m in registry().values() if m.kind in kinds)


def shown_in(place: str) -> tuple[str, ...]:
    """Names of the metrics shown in ``place``, in registry order."""
    if place not in PLACES:
        raise KeyError(place)
    return tuple(m.name for m in registry().values() if place in m.shown)


def monthly() -> tuple[str, ...]:
    """The monthly table's metric columns (flows, cumulatives and stocks), in registry order."""
    return of_kind(*MONTHLY_KINDS)


def cumulative() -> dict[str, str]:
    """Each cumulative column and the flow it sums."""
    return {m.name: m.of for m in registry().values() if m.kind == "cumulative" and m.of}


def scalars() -> tuple[str, ...]:
    """The run summary's single-number figures (run-level, not true/false)."""
    return tuple(m.name for m in registry().values() if (m.kind == "run" and m.unit != "flag") or m.total)


def problems(entries: tuple[Metric | Pattern, ...] | None = None) -> list[str]:
    """What is wrong with registry entries (default: this registry): a missing label, unit or format, an unknown
    kind or place, a Chinese label without Chinese, a cumulative column whose ``of`` is not a flow, a name twice."""
    entries = (*METRICS, *PATTERNS) if entries is None else entries
    out, seen = [], set()
    flows = {m.name for m in entries if isinstance(m, Metric) and m.kind == "flow"}
    for m in entries:
        name = m.name if isinstance(m, Metric) else m.regex
        if not (m.en or "").strip() or not (m.zh or "").strip():
            out.append(f"{name}: no English or no Chinese label")
        elif not re.search(r"[\u4e00-\u9fff]", m.zh):
            out.append(f"{name}: the Chinese label {m.zh!r} has no Chinese")
        if m.unit not in UNITS:
            out.append(f"{name}: unit {m.unit!r} is not one of {', '.join(UNITS)}")
        fmt = m.fmt or DEFAULT_FORMAT.get(m.unit, "")
        if fmt not in FORMATS:
            out.append(f"{name}: no format (or {fmt!r} is not one of {', '.join(FORMATS)})")
        if m.kind not in KINDS:
            out.append(f"{name}: kind {m.kind!r} is not one of {', '.join(KINDS)}")
        out += [f"{name}: place {p!r} is not one of {', '.join(PLACES)}" for p in m.shown if p not in PLACES]
        if isinstance(m, Metric) and m.kind == "cumulative" and m.of not in flows:
            out.append(f"{name}: a cumulative column must name the flow it sums (of={m.of!r})")
        if name in seen:
            out.append(f"{name}: defined twice")
        seen.add(name)
    return out


# ---- the registry ------------------------------------------------------------------------------------------------
F, C, S, R, OUT, D = "flow", "cumulative", "stock", "run", "outcome", "derived"
FAN, BANDS, HEAD, FIND, CLI, KEY = PLACES
M = Metric

METRICS: tuple[Metric, ...] = (
    # monthly series: the fan-chart ones first (their order is the figures' order)
    M("tech_loan_balance_wan", "wan", S, "Tech-loan balance", "科技贷款余额", (FAN, BANDS)),
    M("borrowers", "count", S, "Borrowers", "贷款企业数", (FAN, BANDS)),
    M("pool_balance_wan", "wan", S, "Pool balance", "风险补偿资金池余额", (FAN, BANDS)),
    M("guarantor_net_assets_wan", "wan", S, "Guarantor net assets", "担保机构净资产", (FAN, BANDS)),
    M(
        "fiscal_spending_cum_wan",
        "wan",
        C,
        "Fiscal spending (cumulative)",
        "累计财政支出",
        (FAN, BANDS),
        of="fiscal_spending_wan",
    ),
    M("npl_ratio", "share", S, "NPL ratio", "不良贷款率", (FAN, BANDS)),
    M("new_loans_cum_wan", "wan", C, "New loans (cumulative)", "累计新增贷款", (BANDS,), of="new_loans_wan"),
    M("avg_cost_rate", "rate", S, "Average all-in financing cost", "平均综合融资成本", (BANDS,)),
    M("budget_left_wan", "wan", S, "Budget left", "剩余预算", (BANDS,)),
    M("lpr_rate", "rate", S, "Loan prime rate (LPR)", "贷款市场报价利率（LPR）"),
    M("avg_cost_over_lpr_rate", "rate", S, "Average financing cost over the LPR", "平均融资成本高于LPR的幅度"),
    M("guarantor_paid_in_capital_wan", "wan", S, "Guarantors' paid-in capital", "担保机构实缴资本"),
    M(
        "tech_finance_wan",
        "wan",
        F,
        "Sci-tech finance: policy loans, VC and listings (month)",
        "当月科技金融（政策贷款、创投、上市）",
    ),
    M(
        "tech_finance_cum_wan",
        "wan",
        C,
        "Sci-tech finance: policy loans, VC and listings (cumulative)",
        "累计科技金融（政策贷款、创投、上市）",
        of="tech_finance_wan",
    ),
    M(
        "tech_finance_firms_cum",
        "count",
        S,
        "Firms reached by sci-tech finance (cumulative)",
        "累计获得科技金融服务企业数",
    ),
    M("firms_served_cum", "count", S, "Firms served (cumulative)", "获贷企业数（累计）"),
    M("approval_rate", "share", S, "Approval rate", "贷款审批通过率"),
    M("pool_payouts_wan", "wan", F, "Pool payouts (month)", "当月资金池代偿"),
    M("guarantee_balance_wan", "wan", S, "Guarantee balance", "在保余额"),
    M("guarantor_leverage", "multiple", S, "Guarantor leverage", "担保放大倍数"),
    M("reguarantor_net_assets_wan", "wan", S, "Re-guarantor net assets", "再担保机构净资产"),
    M("insurer_premiums_wan", "wan", F, "Insurance premiums (month)", "当月保费收入"),
    M("insurer_claims_wan", "wan", F, "Insurance claims (month)", "当月保险赔付"),
    M("insurer_loss_ratio", "share", S, "Insurer loss ratio (12 months)", "保险赔付率（近12个月）"),
    M("tech_insurance_premium_wan", "wan", F, "Tech insurance premiums (month)", "当月科技保险保费"),
    M("spend_interest_subsidy_wan", "wan", F, "Interest subsidies (month)", "当月贷款贴息支出"),
    M("spend_fee_subsidy_wan", "wan", F, "Guarantee fee subsidies (month)", "当月担保费补贴支出"),
    M("spend_premium_subsidy_wan", "wan", F, "Premium subsidies (month)", "当月保费补贴支出"),
    M("spend_tech_premium_subsidy_wan", "wan", F, "Tech insurance premium subsidies (month)", "当月科技保险保费补贴"),
    M("spend_bank_reward_wan", "wan", F, "Rewards to banks (month)", "当月银行奖励支出"),
    M("spend_listing_reward_wan", "wan", F, "Listing rewards (month)", "当月上市奖励支出"),
    M("spend_loss_share_wan", "wan", F, "Budget share of losses (month)", "当月财政分担损失"),
    M("spend_stoploss_wan", "wan", F, "Insurer stop-loss payments (month)", "当月保险超赔补偿支出"),
    M("spend_pool_payout_wan", "wan", F, "Pool payouts from the budget (month)", "当月资金池代偿支出"),
    M("spend_injection_wan", "wan", F, "Capital injections (month)", "当月注资支出"),
    M("fiscal_spending_wan", "wan", F, "Fiscal spending (month)", "当月财政支出"),
    M("patents", "count", S, "Patents", "专利数"),
    M("firms_seed", "count", S, "Firms at seed stage", "研发期企业数"),
    M("firms_startup", "count", S, "Firms at start-up stage", "中试期企业数"),
    M("firms_growth", "count", S, "Firms at growth stage", "生产期企业数"),
    M("firms_mature", "count", S, "Mature firms", "成熟期企业数"),
    M("firms_alive", "count", S, "Firms alive", "存续企业数"),
    M("listings_ipo_cum", "count", S, "IPOs (cumulative)", "累计首发上市企业数"),
    M("vc_linked_loan_balance_wan", "wan", S, "VC-linked loan balance (投贷联动)", "投贷联动贷款余额"),
    M("ip_pledge_loan_balance_wan", "wan", S, "Patent-pledge loan balance", "知识产权质押贷款余额"),
    M("policy_loan_balance_wan", "wan", S, "Policy-product loan balance", "政策产品贷款余额"),
    M("covered_loan_balance_wan", "wan", S, "Covered (risk-shared) loan balance", "分险贷款余额"),
    M("receivables_pledge_loan_balance_wan", "wan", S, "Receivables-pledge loan balance", "应收账款质押贷款余额"),
    M("order_pledge_loan_balance_wan", "wan", S, "Order-pledge loan balance", "订单质押贷款余额"),
    M("equity_pledge_loan_balance_wan", "wan", S, "Equity-pledge loan balance", "股权质押贷款余额"),
    M(
        "warehouse_receipt_pledge_loan_balance_wan",
        "wan",
        S,
        "Warehouse-receipt pledge loan balance",
        "仓单质押贷款余额",
    ),
    M("microcredit_loan_balance_wan", "wan", S, "Tech micro-credit loan balance", "科技小贷贷款余额"),
    M("leasing_balance_wan", "wan", S, "Financial leasing balance", "融资租赁余额"),
    M(
        "vc_fund_covered_balance_wan",
        "wan",
        S,
        "Loans covered by venture / guidance funds",
        "创投/引导基金分险贷款余额",
    ),
    M("red_list_firms", "count", S, "Firms on the red list", "守信红名单企业数"),
    M("spend_grant_wan", "wan", F, "Grants paid (month)", "当月无偿资助"),
    M("spend_investment_risk_subsidy_wan", "wan", F, "Investment-risk subsidies paid (month)", "当月投资风险补助"),
    M("spend_bond_subsidy_wan", "wan", F, "Bond subsidies paid (month)", "当月债券融资补贴"),
    M("spend_guidance_fund_payout_wan", "wan", F, "Guidance-fund loss payouts (month)", "当月引导基金代偿"),
    M("loss_vc_wan", "wan", F, "Losses borne by venture / guidance funds (month)", "当月创投/引导基金承担损失"),
    M("grants_new", "count", F, "Grants awarded (month)", "当月无偿资助企业数"),
    M("bond_issues_new", "count", F, "Bond issues (month)", "当月发债企业数"),
    M("bond_finance_wan", "wan", F, "Bond finance raised (month)", "当月债券融资"),
    M("bond_finance_cum_wan", "wan", C, "Bond finance raised (cumulative)", "累计债券融资", of="bond_finance_wan"),
    M("maturities", "count", F, "Loans falling due (month)", "当月到期贷款笔数"),
    M("deferred_loans", "count", F, "Loans postponed 延期还本 (month)", "当月延期还本贷款笔数"),
    M("new_loans", "count", F, "New loans, count (month)", "当月新增贷款笔数"),
    M("new_loans_wan", "wan", F, "New loans (month)", "当月新增贷款"),
    M("first_loans_new", "count", F, "First loans (month)", "当月首贷企业数"),
    M("applications", "count", F, "Loan applications (month)", "当月贷款申请数"),
    M("approvals", "count", F, "Loan approvals (month)", "当月贷款批准数"),
    M("defaults", "count", F, "Defaulting firms (month)", "当月违约企业数"),
    M("defaulted_loans", "count", F, "Defaulted loans (month)", "当月违约贷款笔数"),
    M("loss_wan", "wan", F, "Credit losses (month)", "当月信贷损失"),
    M("shortfall_wan", "wan", F, "Unpaid loss shares (month)", "当月未能分担的损失"),
    M("loss_bank_wan", "wan", F, "Losses borne by banks (month)", "当月银行承担损失"),
    M("loss_pool_wan", "wan", F, "Losses borne by the pool (month)", "当月资金池承担损失"),
    M("loss_guarantor_wan", "wan", F, "Losses borne by guarantors (month)", "当月担保机构承担损失"),
    M("loss_reguarantor_wan", "wan", F, "Losses borne by the re-guarantor (month)", "当月再担保机构承担损失"),
    M("loss_insurer_wan", "wan", F, "Losses borne by insurers (month)", "当月保险机构承担损失"),
    M("loss_government_wan", "wan", F, "Losses borne by the budget (month)", "当月财政承担损失"),
    M("rd_spending_wan", "wan", F, "R&D spending", "研发支出", total=True),
    M("vc_rounds", "count", F, "VC rounds (month)", "当月创投融资轮次"),
    M("vc_investment_wan", "wan", F, "VC investment (month)", "当月创投投资额"),
    M("listings_new", "count", F, "New listings (month)", "当月新增上市挂牌"),
    M("listings_neeq_new", "count", F, "New NEEQ listings (month)", "当月新增新三板挂牌"),
    M("direct_finance_wan", "wan", F, "Direct finance (month)", "当月直接融资"),
    M("listing_reward_wan", "wan", F, "Listing rewards paid (month)", "当月上市奖励"),
    M("bank_reward_wan", "wan", F, "Bank rewards paid (month)", "当月银行奖励"),
    M("interest_wan", "wan", F, "Interest paid (month)", "当月利息支出"),
    M("policy_new_loans_wan", "wan", F, "New policy-product loans (month)", "当月政策产品新增贷款"),
    M("first_loan_firms_cum", "count", C, "First-loan firms (cumulative)", "首贷企业数（累计）", of="first_loans_new"),
    M("listings_cum", "count", C, "Listings (cumulative)", "累计上市挂牌企业数", of="listings_new"),
    M("listings_neeq_cum", "count", C, "NEEQ listings (cumulative)", "累计新三板挂牌企业数", of="listings_neeq_new"),
    M("direct_finance_cum_wan", "wan", C, "Direct finance (cumulative)", "累计直接融资", of="direct_finance_wan"),
    M("vc_investment_cum_wan", "wan", C, "VC investment (cumulative)", "累计创投投资额", of="vc_investment_wan"),
    M(
        "tech_insurance_premium_cum_wan",
        "wan",
        C,
        "Tech insurance premiums (cumulative)",
        "累计科技保险保费",
        of="tech_insurance_premium_wan",
    ),
    M("defaults_cum", "count", C, "Defaulting firms (cumulative)", "累计违约企业数", of="defaults"),
    M("pool_payouts_cum_wan", "wan", C, "Pool payouts (cumulative)", "累计资金池代偿", of="pool_payouts_wan"),
    M(
        "policy_new_loans_cum_wan",
        "wan",
        C,
        "New policy-product loans (cumulative)",
        "累计政策产品新增贷款",
        of="policy_new_loans_wan",
    ),
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
    # run-level figures that exist only in an experiment's flattened outcomes row (experiments.outcomes)
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
    # monthly series computed from the monthly table (calibration targets)
    M("borrower_share", "share", D, "Borrowers as a share of firms alive", "贷款企业占存续企业比例"),
    M("balance_per_borrower_wan", "wan", D, "Tech-loan balance per borrower", "户均科技贷款余额"),
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
