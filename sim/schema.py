"""The scenario schema: every field a scenario file may set, with unit, meaning, default and source.

Frozen pydantic models with ``extra="forbid"``: an unknown key is an error listing the valid keys. Money in
万元, rates annual decimals, ``_share`` in 0–1, ``_months`` in months. Defaults marked "typical" come from
public scheme rules and statistics (source in the description); "assumption" marks a modelling choice.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.calendar import DEFAULT_LPR_PATH
from sim.schema_base import ByStage, Money, Rate, Share, Strict, _month
from sim.schema_instruments import (
    Bonds,
    Grants,
    Pledge,
    PledgeAssets,
    RedList,
    VentureFundParams,  # noqa: F401  (re-exported: sim.scenario reads the schema from here)
    month_or_none,
)

STAGES = ("seed", "startup", "growth", "mature")
PARTIES = ("bank", "pool", "guarantor", "reguarantor", "insurer", "government", "vc")


class StageMix(ByStage):
    """Shares of firms in each stage; must sum to 1."""

    @model_validator(mode="after")
    def _sums_to_one(self) -> StageMix:
        total = sum(self.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"stage shares must sum to 1, they sum to {total:.6g}")
        return self


class EnterpriseParams(Strict):
    """The tech-SME population: size, lifecycle, revenue, financing needs and default risk."""

    initial_count: int = Field(2000, ge=0, description="Firms alive at the start (count).")
    scale: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Share of the region simulated (``--scale``): firms, entry, institutions' money and the"
        " amount and count targets are multiplied by it, per-firm and per-loan figures and rates are not"
        " (sim/scale.py). 0.1 runs a tenth of the region, ten times faster, with per-firm outcomes within noise.",
    )
    entry_per_month: float = Field(
        10.0, ge=0.0, description="Mean new firms per month (Poisson). Assumption, scale with the region."
    )
    csv: str | None = Field(
        None, description="Path (relative to the scenario file) of a CSV of real firms for the initial population."
    )
    stage_mix: StageMix = Field(
        StageMix(seed=0.25, startup=0.35, growth=0.3, mature=0.1),
        description="Stage shares of the initial firms. Assumption after MOST tech-SME surveys; with the default"
        " entry mix, advance, exit and graduation rates it is about the stationary mix, so a region does not age.",
    )
    entry_stage_mix: StageMix = Field(
        StageMix(seed=0.6, startup=0.3, growth=0.1, mature=0.0),
        description="Stage shares of entering firms: mostly new start-ups. Assumption.",
    )
    graduation_rate: Rate = Field(
        0.17,
        description="Annual chance a mature firm leaves the tech-SME population (outgrows the 科技型中小企业"
        " criteria: ≤500 staff, revenue and assets ≤ 2亿元; 国科发政〔2017〕115号). Its loans run off at maturity."
        " Calibrated so that stage_mix is stationary (E8).",
    )
    annual_pd: ByStage = Field(
        ByStage(seed=0.08, startup=0.05, growth=0.03, mature=0.015),
        description="Annual default probability of an average firm by stage (typical, docs/model.md §11.1).",
    )
    quality_pd_elasticity: float = Field(
        0.5, ge=0.0, description="PD multiplier exp(-k θ) for latent quality θ ~ N(0,1). Assumption."
    )
    debt_service_pd_factor: float = Field(
        0.3,
        ge=0.0,
        description="PD multiplier 1 + k × debt-service ratio: (interest net of subsidies + scheduled principal)"
        " over revenue, both annual. Cheaper credit lowers the hazard a little; a heavier burden raises it."
        " Assumption (order of the leverage effect in SME default models, e.g. Altman & Sabato 2007).",
    )
    distress_pd_factor: float = Field(
        0.5, ge=0.0, description="PD multiplier 1 + k × distress from unfunded needs. Assumption."
    )
    default_correlation: float = Field(
        0.05,
        ge=0.0,
        lt=1.0,
        description="One-year asset correlation ρ: one systematic factor per model year, so the one-year default"
        " rate follows the Vasicek distribution. 0.05: above the empirical SME estimates of 1–3% (Dietsch & Petey"
        " 2004, JBF 28, French and German SMEs) and below the Basel II IRB SME corporate value ≈0.10 at PD 3–5%"
        " (BCBS 2006 §272–273), which is calibrated for capital; raise it to stress default clustering.",
    )
    exit_after_default_share: Share = Field(0.8, description="Chance a defaulted firm exits. Assumption.")
    black_list_months: int = Field(
        60,
        ge=1,
        le=600,
        description="Months a defaulted firm that stays in business is barred from new credit: adverse credit"
        " records are kept five years (征信业管理条例 第十六条).",
    )
    monthly_revenue_wan: ByStage = Field(
        ByStage(seed=8.0, startup=40.0, growth=150.0, mature=500.0),
        description="Median monthly revenue by stage, 万元. Assumption after 科技型中小企业 statistics.",
    )
    revenue_dispersion: float = Field(0.8, ge=0.0, description="Log-sd of initial revenue around the median.")
    revenue_drift_rate: float = Field(0.05, description="Annual log-revenue drift of an average firm.")
    quality_drift_rate: float = Field(0.05, description="Extra annual drift per unit of θ.")
    funded_drift_rate: float = Field(0.08, description="Extra annual drift while a firm holds a loan.")
    unfunded_drift_rate: float = Field(0.04, ge=0.0, description="Annual drift lost while a need goes unfunded.")
    revenue_volatility_rate: float = Field(0.25, ge=0.0, description="Annual volatility of log revenue.")
    need_rate: ByStage = Field(
        ByStage(seed=0.35, startup=0.5, growth=0.6, mature=0.5),
        description="Annual chance that a firm without a loan has a new financing need, by stage (renewals of"
        " maturing loans are extra). Calibrated to E4 (about half of tech SMEs hold a loan).",
    )
    need_revenue_months: float = Field(
        3.0,
        gt=0.0,
        description="Loan a firm asks for when credit costs what its investment returns, in months of revenue;"
        " typical tech loan 240万–510万 (docs/model.md §11.1).",
    )
    return_rate: ByStage = Field(
        ByStage(seed=0.085, startup=0.106, growth=0.09, mature=0.085),
        description="Mean annual return on the investment a loan funds, by stage. A firm applies only while the"
        " all-in cost of credit is below its return (the extensive margin of demand). Calibrated to E3/E4; the"
        " start-up stage's by calibration/china-tech-sme.yaml (best 0.106).",
    )
    return_quality_rate: float = Field(
        0.01, ge=0.0, description="Extra annual return per unit of quality θ. Calibrated to E3/E4."
    )
    return_dispersion_rate: float = Field(
        0.035,
        ge=0.0,
        description="SD of a firm's own persistent return (drawn at entry): how many firms sit near the margin"
        " where a price change moves them. Calibrated to E3/E4.",
    )
    loan_demand_elasticity: float = Field(
        0.3,
        ge=0.0,
        le=3.0,
        description="Elasticity η of the amount asked to the all-in cost: amount = need × (return ÷ cost)^η (the"
        " intensive margin). Karlan & Zinman (2008, AER) and later field evidence: loan-size elasticities of small"
        " borrowers about 0.3–1; the low end chosen.",
    )
    collateral_asset_share: Share = Field(
        0.1,
        description="Share of a firm's assets (one year of revenue) a bank accepts as collateral. Tech SMEs are"
        " light in assets; a guarantee, a pool share or insurance stands in for what they lack. Assumption.",
    )
    need_min_wan: Money = Field(50.0, description="Smallest loan a firm asks for, 万元.")
    need_max_wan: Money = Field(1000.0, description="Largest loan a firm asks for, 万元 (product ceilings apply).")
    renewal_share: Share = Field(
        0.79,
        description="Chance a firm whose loan matures has a new need at once (working capital rolls over). With"
        " need_rate, demand and screening it sets the steady borrower share. Calibrated: calibration/"
        "china-tech-sme.yaml (PBoC 获贷率 ≈48%, NPL, 代偿率, loan size; best of 60 trials 0.79).",
    )
    initial_borrower_share: Share = Field(
        0.3,
        description="Share of initial firms given a loan before the burn-in (those whose investment returns more"
        " than plain credit costs, safest first): their loans set the region's calibrated starting balance, to"
        " which the steady-state book after the burn-in is scaled. With the default behaviour 0.3 gives about the"
        " steady-state balance (scale ≈ 1).",
    )
    max_applications: int = Field(2, ge=1, le=10, description="Applications a firm makes per month at most.")
    visibility_share: Share = Field(0.7, description="Chance an application is seen by the lender at all.")
    need_patience_months: int = Field(
        3, ge=1, le=24, description="Months a firm keeps applying for an unfunded need before it lapses. Assumption."
    )
    distress_per_unfunded: float = Field(0.2, ge=0.0, description="Distress added when a need lapses unfunded.")
    distress_decay_share: Share = Field(0.9, description="Share of distress left after a month.")
    stage_advance_rate: ByStage = Field(
        ByStage(seed=0.08, startup=0.065, growth=0.065, mature=0.0),
        description="Annual chance to advance to the next stage (lab → pilot → production). Calibrated so that"
        " stage_mix is stationary given entry, exits and graduation (E8).",
    )
    funded_advance_factor: float = Field(1.5, ge=0.0, description="Stage-advance multiplier while funded.")
    rd_share_of_loan: Share = Field(0.3, description="Share of a loan spent on R&D.")
    patent_cost_wan: float = Field(50.0, gt=0.0, description="R&D spending per patent, 万元. Assumption.")
    database_share: Share = Field(0.6, description="Share of firms in the enterprise database 科创企业库.")
    high_tech_share: Share = Field(0.3, description="Share of firms certified high-tech 高新技术企业.")
    patent_holder_share: Share = Field(0.4, description="Share of initial firms holding a patent.")
    rd_setback_rate: Rate = Field(0.02, description="Annual chance of an R&D setback (科技保险 pays it). Assumption.")
    setback_distress: float = Field(0.5, ge=0.0, description="Distress an uninsured setback adds.")
    vc_rate: float = Field(0.02, ge=0.0, description="Annual chance a promising early-stage firm gets VC.")
    vc_quality_threshold: float = Field(0.5, description="Minimum θ for VC interest.")
    vc_amount_wan: Money = Field(500.0, description="Typical VC round, 万元.")
    vc_pd_factor: Share = Field(0.7, description="PD multiplier for VC-backed firms.")
    listing_rate: float = Field(0.01, ge=0.0, description="Annual listing chance of an eligible firm.")
    listing_revenue_wan: Money = Field(300.0, description="Monthly revenue above which a firm may list.")
    listing_neeq_share: Share = Field(0.7, description="Share of listings on NEEQ 新三板 (rest IPO/regional).")
    listing_raise_wan: Money = Field(3000.0, description="Direct finance raised at listing, 万元.")
    pledgeable: PledgeAssets = Field(
        PledgeAssets(), description="Assets firms can pledge (receivables, orders, equity, warehouse receipts)."
    )
    bonds: Bonds = Field(Bonds(), description="Bond issuance 债券融资 by established firms (direct finance).")


class FixedMode(Strict):
    """Stripped-down mode for checking results against formulas: no behaviour, constant book."""

    enabled: bool = Field(False, description="Switch the fixed mode on.")
    annual_pd: Rate = Field(0.03, description="Annual PD of every firm.")
    loan_wan: Money = Field(1.0, description="Amount of every loan, 万元.")
    term_months: int = Field(12, ge=1, description="Term of every loan; maturing loans roll over.")
    lgd: Share = Field(0.6, description="Loss given default of every loan.")


class BankParams(Strict):
    """A lender: a bank or tech sub-branch 科技支行, a tech micro-credit company 科技小贷 or a financial lessor
    融资租赁 (``kind``; its limits are the same fields with the values its regulation sets)."""

    name: str
    kind: Literal["bank", "microcredit", "lessor"] = Field(
        "bank",
        description="bank; microcredit (科技小贷: no deposits, funded above LPR, lending ≤ 2× net assets under"
        " 银保监办发〔2020〕86号 — capital_ratio 0.5 — and rates up to 4× LPR); lessor (融资租赁: risk assets ≤ 8×"
        " net assets under 银保监发〔2020〕22号 — capital_ratio 0.125 — the leased equipment secures the lease)."
        " Loans of non-banks are reported apart (microcredit_loan_balance_wan, leasing_balance_wan).",
    )
    capital_wan: Money = Field(
        200_000.0,
        description="Capital allotted to the region's tech lending, 万元. Losses (its share and what others could"
        " not pay) reduce it; net interest income adds to it.",
    )
    capital_ratio: Share = Field(0.105, description="Minimum capital ÷ loan book (CBIRC 10.5%).")
    funding_discount_rate: float = Field(
        0.015, description="Funding cost = LPR − this (negative: funded above LPR, e.g. 科技小贷). Assumption."
    )
    relending_discount_rate: float = Field(
        0.0, ge=0.0, description="Further funding-cost cut on tech loans from re-lending 再贷款 (e.g. 0.01)."
    )
    spread_rate: float = Field(
        0.006,
        ge=0.0,
        description="Spread over LPR before the risk premium. Calibrated to E9 (policy loans at LPR + 0–1.5 pp,"
        " interest-subsidised loans at about LPR + 0.3–0.5 pp net).",
    )
    screening_noise: float = Field(
        1.0, ge=0.0, description="SD of the bank's error on θ; a tech sub-branch is lower (e.g. 0.5)."
    )
    max_premium_rate: float = Field(
        0.025,
        ge=0.0,
        description="Rate ≤ LPR + this: above it adverse selection makes a higher rate unprofitable (Stiglitz &"
        " Weiss 1981), and inclusive-finance guidance caps small-firm rates. A firm whose retained expected loss"
        " needs more is rationed, not priced. Assumption.",
    )
    unsecured_revenue_months: float = Field(
        1.0,
        ge=0.0,
        description="Largest exposure the bank retains without collateral, in months of the firm's revenue"
        " (cash-flow lending). Retained share × loan ≤ this + collateral: a guarantee, pool or insurer share"
        " raises the loan a light-asset firm can get. Assumption.",
    )
    hurdle_rate: float = Field(0.005, description="Minimum expected annual margin to accept.")
    npl_tolerance: Share = Field(0.03, description="Tech-loan NPL ratio above which the bank tightens (不良容忍度).")
    tightening_rate: float = Field(
        0.01,
        ge=0.0,
        description="Hurdle increase, ramping from 0 at the NPL tolerance to this at twice it. Calibrated to E8: a"
        " stronger response turns one bad year into a credit crunch that feeds on itself.",
    )
    loss_weight: float = Field(
        1.0, ge=0.0, description="Weight officers put on retained loss; < 1 with due-diligence exemption 尽职免责."
    )
    annual_quota_wan: Money | None = Field(
        None,
        description="Yearly tech-loan volume set aside 单列信贷规模: lending up to it is not held back by the capital"
        " limit (the set-aside sits outside the general credit plan).",
    )
    annual_quota_growth_rate: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Yearly growth of the set-aside (002 §二(二)6 单列信贷规模 并保持逐年增长): in the n-th calendar"
        " year of the run the quota is annual_quota_wan × (1 + this)^(n − 1).",
    )
    quota_start: str | None = Field(None, description="First month the set-aside applies (default: the start).")
    reliability_buffer_share: float = Field(
        0.1, gt=0.0, description="A risk sharer is trusted fully while its funds ≥ this × its covered exposure."
    )

    @field_validator("quota_start")
    @classmethod
    def _quota_start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class GuarantorParams(Strict):
    """A financing guarantor 融资担保; with ``reguarantor: true`` the provincial re-guarantor."""

    name: str
    reguarantor: bool = Field(False, description="Provincial re-guarantor taking a product's re-guarantee share.")
    net_assets_wan: Money = Field(20_000.0, description="Net assets, 万元 (2亿 city government guarantor).")
    leverage_cap: float = Field(10.0, gt=0.0, description="Guarantee balance ≤ cap × net assets (10×; 15× small).")
    target_leverage: float | None = Field(
        6.0,
        gt=0.0,
        description="New guarantees are written only while guarantee balance ÷ net assets is below this (and the"
        " cap): a buffer so that claims do not push the guarantor over its regulatory cap. Policy guarantors run at"
        " 2–5× (E6); calibrated to E6. None: up to the cap.",
    )
    floor_wan: Money = Field(0.0, description="No new business below these net assets.")
    single_borrower_share: Share = Field(0.1, description="One firm's guarantee ≤ this × net assets.")
    max_pd: Rate = Field(0.08, description="Accept only firms whose estimated annual PD is at most this.")
    screening_noise: float = Field(0.8, ge=0.0, description="SD of the guarantor's error on θ.")
    counter_guarantee: bool = Field(True, description="Require counter-guarantee 反担保 (firm assets ≥ loan).")
    opex_rate: float = Field(0.01, ge=0.0, description="Annual operating cost ÷ net assets.")
    investment_rate: float = Field(0.025, ge=0.0, description="Annual investment income ÷ net assets.")
    injections: list[tuple[str, Money]] = Field([], description="Government capital injections as (YYYY-MM, 万元).")

    @field_validator("injections")
    @classmethod
    def _months(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        return [(_month(d), a) for d, a in v]


class TechInsurance(Strict):
    """科技保险: R&D-failure cover bought by firms at a subsidised premium."""

    uptake_share: Share = Field(0.0, description="Share of firms insured (at the subsidised price).")
    premium_rate: Rate = Field(
        0.025, description="Annual premium ÷ sum insured (R&D insurance 1–3%; ≈ fair at a 2% setback rate)."
    )
    sum_insured_wan: Money = Field(100.0, description="Cover per firm, 万元.")
    start: str | None = Field(None, description="First month firms buy the cover (default: the scenario start).")

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class InsurerParams(Strict):
    """An insurer writing loan guarantee insurance 贷款保证保险 and tech insurance 科技保险."""

    name: str
    capital_wan: Money = Field(50_000.0, description="Capital set against the region's book, 万元.")
    premium_rate: Rate = Field(0.02, description="Initial annual premium ÷ loan.")
    premium_cap_rate: Rate = Field(0.027, description="Premium ceiling (typical cap 2.7%/yr).")
    premium_floor_rate: Rate = Field(0.01, description="Premium floor.")
    target_loss_ratio: float = Field(0.7, gt=0.0, description="Yearly repricing aims at this loss ratio.")
    reprice_step_share: Share = Field(0.2, description="Largest relative premium change a year.")
    suspend_loss_ratio: float = Field(
        1.2,
        gt=0.0,
        description="Suspend new business at this loss ratio (Yunnan ≥120%), judged on a full year: from the 12th"
        " month with premiums (a line's first claims against a few months of premiums do not stop it).",
    )
    suspend_overdue_share: Share = Field(0.10, description="Suspend when overdue (default) rate reaches this.")
    max_pd: Rate = Field(0.1, description="Underwrite only firms with estimated annual PD ≤ this.")
    screening_noise: float = Field(0.9, ge=0.0, description="SD of the insurer's error on θ.")
    stoploss_ratio: float = Field(1.5, gt=0.0, description="Government covers losses above this yearly loss ratio.")
    stoploss_share: Share = Field(0.0, description="Share of the excess the government covers.")
    tech: TechInsurance = Field(TechInsurance(), description="Tech insurance line.")


class PoolParams(Strict):
    """A risk compensation pool 风险补偿资金池 (tech credit, IP pledge, ...)."""

    name: str
    initial_wan: Money = Field(5000.0, description="Initial size, 万元.")
    start: str | None = Field(None, description="Month the pool is set up and funded (default: the scenario start).")
    topup_wan: Money = Field(0.0, description="Added each January, 万元.")
    refill_to_wan: Money | None = Field(None, description="Each January refill up to this size instead.")
    per_loan_cap_wan: Money | None = Field(None, description="Most paid on one loan, 万元.")
    per_bank_year_cap_wan: Money | None = Field(None, description="Most paid to one bank in a calendar year.")
    npl_corridor: tuple[Share, Share] | None = Field(
        None, description="Pay only on a bank's yearly covered NPL ratio between (lower, upper) (Shanghai 3–5%)."
    )
    leverage_multiple: float | None = Field(
        None, gt=0.0, description="Covered balance ≤ m × pool balance (typical 5–10)."
    )
    suspend_npl_ratio: Share | None = Field(
        None, description="No new covered lending for a bank whose covered NPL ratio passes this."
    )

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return None if v is None else _month(v)

    @field_validator("npl_corridor")
    @classmethod
    def _ordered(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and v[0] >= v[1]:
            raise ValueError("npl_corridor lower bound must be below the upper bound")
        return v


class Subsidies(Strict):
    """What the special fund 专项资金 pays besides loss shares."""

    per_firm_year_cap_wan: Money | None = Field(None, description="Most interest subsidy per firm per year.")
    bank_reward_share: Share = Field(0.0, description="Reward to banks as a share of the rewarded lending 以奖代补.")
    bank_reward_basis: Literal["policy_products", "growth", "all_new"] = Field(
        "policy_products",
        description="What the reward is paid on: new loans of reward-eligible policy products (policy_products),"
        " the year's growth of the bank's tech-loan balance over the year before, paid in December (growth), or"
        " every new loan including renewals (all_new).",
    )
    listing_reward_wan: Money = Field(0.0, description="Reward per new listing, 万元.")
    tech_premium_subsidy_share: Share = Field(0.0, description="Share of tech-insurance premiums subsidised.")
    investment_risk_subsidy_share: Share = Field(
        0.0,
        description="投资风险补助: share of a VC round in an early-stage firm the fund pays the investor (国家科技型"
        " 中小企业创业投资引导基金 风险补助: up to 5% of the investment, 国科发财〔2007〕 rules).",
    )
    investment_risk_response: float = Field(
        2.0,
        ge=0.0,
        description="Relative rise of the VC rate per unit of the subsidy share (a 5% subsidy × 2 = +10% rounds)."
        " Assumption: investors' return on early rounds ≈ 20–25%/yr, so 5% of the stake is a sizeable cut in risk.",
    )
    bond_subsidy_share: Share = Field(
        0.0,
        description="Bond subsidy 债券融资补贴: share of the amount raised paid to the issuer (000 §三(四)3"
        " 根据…募集资金的规模给予补贴; city schemes pay 0.5–2%).",
    )
    bond_subsidy_response: float = Field(
        5.0,
        ge=0.0,
        description="Relative rise of the issuance rate per unit of the subsidy share (1% × 5 = +5% issues)."
        " Assumption: the subsidy offsets part of the 1–3% issuance cost of a small issuer.",
    )


class GovernmentParams(Strict):
    """The special fund and the compensation pools."""

    annual_budget_wan: Money = Field(0.0, description="Special-fund budget each calendar year, 万元.")
    vc_guidance_multiplier: float = Field(
        1.0, ge=0.0, description="VC rate multiplier from a guidance fund / angel sub-funds 天使投资子基金."
    )
    listing_multiplier: float = Field(1.0, ge=0.0, description="Listing rate multiplier from cultivation 上市培育.")
    subsidies: Subsidies = Field(Subsidies(), description="Subsidy rules.")
    pools: list[PoolParams] = Field([], description="Compensation pools.")
    grants: Grants = Field(Grants(), description="Grants 无偿资助 to early-stage firms.")
    fund_start: str | None = Field(
        None,
        description="First month the special fund pays (its budget of that year arrives then); before it no"
        " subsidy, reward, grant or loss share is paid. Default: the scenario start.",
    )
    vc_guidance_start: str | None = Field(None, description="First month vc_guidance_multiplier applies.")
    listing_start: str | None = Field(None, description="First month listing_multiplier applies.")

    @field_validator("fund_start", "vc_guidance_start", "listing_start")
    @classmethod
    def _starts(cls, v: str | None) -> str | None:
        return month_or_none(v)


class Shares(Strict):
    """Who bears which share of a loan's loss; must sum to 1."""

    bank: Share = 1.0
    pool: Share = 0.0
    guarantor: Share = 0.0
    reguarantor: Share = 0.0
    insurer: Share = 0.0
    government: Share = 0.0
    vc: Share = 0.0

    @model_validator(mode="after")
    def _sums_to_one(self) -> Shares:
        total = sum(getattr(self, p) for p in PARTIES)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"loss shares must sum to 1, they sum to {total:.6g}")
        return self


class Eligibility(Strict):
    """Which firms a product may lend to."""

    stages: list[Literal["seed", "startup", "growth", "mature"]] = Field(list(STAGES))
    database_only: bool = Field(False, description="Only firms in the enterprise database 科创企业库.")
    high_tech_only: bool = Field(False, description="Only certified high-tech firms.")
    vc_backed_only: bool = Field(False, description="Only VC-backed firms (投贷联动).")
    patent_holders_only: bool = Field(False, description="Only firms holding a patent (IP pledge).")


class ProductParams(Strict):
    """A loan product as a risk-sharing contract."""

    name: str
    banks: list[str] = Field(description="Banks offering it (names in ``banks``).")
    shares: Shares = Field(
        Shares(), description="Loss shares of bank, pool, guarantor, re-guarantor, insurer, government."
    )
    pool: str | None = Field(None, description="Pool bearing the pool share.")
    guarantor: str | None = Field(None, description="Guarantor bearing the guarantor share.")
    reguarantor: str | None = Field(None, description="Re-guarantor bearing the re-guarantee share.")
    insurer: str | None = Field(None, description="Insurer bearing the insurer share.")
    vc_fund: str | None = Field(None, description="Venture or guidance fund bearing the vc share (``vc_funds``).")
    pledge: Pledge | None = Field(
        None,
        description="Asset pledged (应收账款 receivables, 订单 order, 股权 equity, 仓单 warehouse_receipt): only"
        " holders may borrow, and advance × value counts as collateral (enterprises.pledgeable).",
    )
    leased_asset_share: Share = Field(
        0.0,
        description="融资租赁: share of the amount the leased equipment secures (what the lessor recovers by"
        " repossessing it): counted as collateral in the lending limit. Typical 0.3–0.6 for lab and production"
        " equipment; 0 for a loan.",
    )
    rate_cap_rate: Rate | None = Field(None, description="Ceiling on the bank's annual rate.")
    rate_cap_spread_rate: float | None = Field(
        None, ge=0.0, description="Ceiling written as LPR + this (e.g. 天府知来贷 LPR + 1.5pp)."
    )
    other_cost_rate: Rate = Field(
        0.0, description="Annual-equivalent cost paid to third parties (IP appraisal, registration, notary)."
    )
    available_from: str | None = Field(None, description="First month the product can be written (YYYY-MM).")
    available_until: str | None = Field(None, description="Last month the product can be written (YYYY-MM).")
    guarantee_fee_rate: Rate = Field(0.0, description="Annual guarantee fee (policy ≤1%, commercial 1.2–2.5%).")
    reguarantee_fee_rate: Rate = Field(0.0, description="Annual re-guarantee fee paid by the guarantor (0.3–0.5%).")
    interest_subsidy_share: Share = Field(0.0, description="Share of interest paid by the special fund 贴息.")
    first_loan_interest_subsidy_share: Share | None = Field(None, description="Higher share on a firm's first loan.")
    fee_subsidy_share: Share = Field(0.0, description="Share of the guarantee fee subsidised.")
    premium_subsidy_share: Share = Field(0.0, description="Share of the insurance premium subsidised.")
    eligibility: Eligibility = Field(Eligibility())
    max_loan_wan: Money = Field(1000.0, description="Ceiling per loan, 万元.")
    term_months: int = Field(12, ge=1, le=120, description="Term; principal is repaid at maturity.")
    lgd: Share = Field(0.6, description="Loss given default; collateral or pledges lower it.")
    signal_factor: float = Field(1.0, gt=0.0, description="Multiplies screening noise (tax-credit data 银税 < 1).")
    ip_pledge: bool = Field(False, description="Counts as an IP-pledge loan 知识产权质押 in the outputs.")

    @field_validator("available_from", "available_until")
    @classmethod
    def _window(cls, v: str | None) -> str | None:
        return None if v is None else _month(v)

    reward_eligible: bool = Field(True, description="New loans earn the bank reward.")


class Shock(Strict):
    """A downturn window."""

    start: str
    months: int = Field(ge=1)
    factor_shift: float = Field(
        0.0,
        ge=0.0,
        description="Downturn: the systematic default factor moves this many standard deviations toward default in"
        " the window (1.0: a one-in-six year; 2.0: about one in forty).",
    )
    pd_multiplier: float = Field(1.0, ge=0.0, description="Further multiplier of the default hazard in the window.")
    revenue_hit_rate: float = Field(
        0.0, ge=0.0, description="Annual log-revenue drift lost in the window; investment returns fall as much."
    )
    deferral: bool = Field(
        False, description="延期还本付息: borrowers whose loan matures in the window may postpone its principal."
    )
    deferral_take_up_share: Share = Field(
        0.5,
        description="Share of maturing borrowers who ask for deferral. PBoC: 7.3万亿 of loans deferred in 2020 against"
        " ≈15万亿 of inclusive small-business loans, about half.",
    )
    deferral_spread_months: int = Field(
        6, ge=1, le=36, description="New principal dates spread evenly over this many months after the window."
    )

    @field_validator("start")
    @classmethod
    def _month(cls, v: str) -> str:
        return _month(v)


class MacroParams(Strict):
    """LPR path and shocks."""

    lpr_path: list[tuple[str, Rate]] = Field(list(DEFAULT_LPR_PATH), description="1-year LPR from each month.")
    shocks: list[Shock] = Field([], description="Downturn windows.")

    @field_validator("lpr_path")
    @classmethod
    def _months(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        if not v:
            raise ValueError("lpr_path needs at least one (YYYY-MM, rate) entry")
        return [(_month(d), r) for d, r in v]


class Platforms(Strict):
    """Information and matching platforms."""

    matching_extra_applications: int = Field(0, ge=0, description="Extra applications a month (平台抢单).")
    matching_visibility_share: Share | None = Field(None, description="Visibility of applications with the platform.")
    credit_info_noise_factor: float = Field(
        1.0, gt=0.0, description="Multiplies every lender's screening noise (credit sharing < 1)."
    )
    red_list: RedList = Field(RedList(), description="守信红名单: rate preference for firms with a clean record.")
    start: str | None = Field(
        None, description="First month the platforms work (default: the scenario start); before it, none."
    )

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class Target(Strict):
    """A numeric plan target: ``metric`` at ``date`` compared with ``threshold``.

    The verdict has four states: met, missed, not reached (the run ended before ``date``) and out of scope
    (``out_of_scope`` says why the model cannot score it: bonds, M&A, an institution the scenario sets up …).
    """

    metric: str | None = Field(
        None, description="A column of the monthly table (see the list below); may be omitted when out of scope."
    )
    date: str = Field(description="YYYY-MM at whose end the target is checked.")
    threshold: float = Field(description="The plan's figure, in the metric's unit (万元 for amounts).")
    op: Literal[">=", "<=", ">", "<"] = ">="
    label: str = Field(
        "", description='Shown in reports as "中文 — English": the Chinese part in zh reports, the rest in en.'
    )
    clause: str = Field("", description="The plan clause that sets the target, e.g. '002 §二(二)8'.")
    window_months: int | None = Field(
        None, ge=1, description="Sum the metric over the last N months to the date (e.g. 12: a yearly flow)."
    )
    window_stat: Literal["sum", "mean"] = Field(
        "sum", description="Over ``window_months``: 'sum' for flows, 'mean' for levels such as rates."
    )
    base_date: str | None = Field(
        None, description="Compare the change since this month ('start': the set-up state) with the threshold."
    )
    offset: float = Field(
        0.0, description="Added to the model value: a count or amount reached before the start (plan totals)."
    )
    out_of_scope: str | None = Field(
        None,
        description="Why the model cannot score this target (it lacks what the target measures); the verdict is"
        " 'out of scope' and the metric, if given, is shown for information only.",
    )

    @field_validator("date")
    @classmethod
    def _month(cls, v: str) -> str:
        return _month(v)

    @field_validator("base_date")
    @classmethod
    def _base(cls, v: str | None) -> str | None:
        return v if v in (None, "start") else _month(v)

    @field_validator("out_of_scope")
    @classmethod
    def _reason(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("give the reason the model cannot score the target (or leave out_of_scope out)")
        return v

    @model_validator(mode="after")
    def _metric_needed(self) -> Target:
        if self.metric is None and self.out_of_scope is None:
            raise ValueError("a target needs a metric (or out_of_scope: the reason it cannot be scored)")
        return self
