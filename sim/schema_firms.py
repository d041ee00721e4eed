"""Schema of the tech-SME population (``enterprises``) and of the fixed mode that checks results against
formulas."""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.schema_base import ByStage, Money, Rate, Share, Strict
from sim.schema_instruments import Bonds, PledgeAssets

STAGES = ("seed", "startup", "growth", "mature")


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
