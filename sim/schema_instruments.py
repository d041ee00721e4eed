"""Schema blocks of the instruments the plans name beyond loans, pools, guarantees and insurance (issue 10):
pledged assets 应收账款/订单/股权/仓单质押, venture and guidance funds bearing loan losses (投贷联动,
"风险补偿金+银行+创业投资基金"), the red list 守信红名单, grants 无偿资助, bond issuance 债券融资 and the
phase-in month of each instrument.

Every instrument is off by default (a zero share, a zero rate or an empty list), and off means the run is the
same as without it: a paired difference of exactly zero (tests/test_instruments.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sim.schema_base import Bilingual, ByStage, Money, Rate, Share, Strict, _month, label_field

PLEDGES = ("receivables", "order", "equity", "warehouse_receipt")
Pledge = Literal["receivables", "order", "equity", "warehouse_receipt"]


def month_or_none(v: str | None) -> str | None:
    """A YYYY-MM month normalised, or None."""
    return None if v is None else _month(v)


class PledgeAsset(Strict):
    """An asset a firm can pledge: who holds it, what it is worth and how much a lender advances against it."""

    holder_share: ByStage = Field(description="Share of firms in each stage that hold the asset (firm-level draw).")
    value_revenue_months: float = Field(ge=0.0, description="Value of the asset, in months of the firm's revenue.")
    advance_share: Share = Field(description="Loan-to-value a lender accepts against it (质押率).")
    vc_backed_only: bool = Field(False, description="Only VC-backed firms hold it (a priced round values equity).")


class PledgeAssets(Strict):
    """Assets tech SMEs pledge besides IP. A product with ``pledge`` lends only to holders and counts
    advance × value as collateral in the lender's collateral-or-cover limit (``Bank.lending_limit``)."""

    receivables: PledgeAsset = Field(
        PledgeAsset(
            holder_share=ByStage(seed=0.1, startup=0.4, growth=0.7, mature=0.8),
            value_revenue_months=2.0,
            advance_share=0.7,
        ),
        description="应收账款: value ≈ 2 months of revenue (collection period of Chinese industrial firms ≈ 50–60"
        " days, NBS 规模以上工业企业 2018–2021); advance 70% (typical 60–80% on the PBoC 应收账款融资服务平台);"
        " holders: firms with trade customers, few in the lab stage (assumption).",
    )
    order: PledgeAsset = Field(
        PledgeAsset(
            holder_share=ByStage(seed=0.05, startup=0.3, growth=0.5, mature=0.5),
            value_revenue_months=1.5,
            advance_share=0.3,
        ),
        description="订单融资: an order book of ≈ 1.5 months of revenue (assumption); banks advance 30% of order"
        " value (typical 30–50%, the low end for tech SMEs' smaller buyers).",
    )
    equity: PledgeAsset = Field(
        PledgeAsset(
            holder_share=ByStage(seed=1.0, startup=1.0, growth=1.0, mature=1.0),
            value_revenue_months=12.0,
            advance_share=0.3,
            vc_backed_only=True,
        ),
        description="股权质押 of an unlisted firm: only VC-backed firms (a priced round values the equity); value"
        " ≈ one year of revenue for the founders' pledgeable stake (assumption, conservative against tech-SME"
        " valuations of 2–5× revenue); banks advance 30% (typical 20–40% for unlisted equity).",
    )
    warehouse_receipt: PledgeAsset = Field(
        PledgeAsset(
            holder_share=ByStage(seed=0.0, startup=0.1, growth=0.3, mature=0.3),
            value_revenue_months=1.0,
            advance_share=0.5,
        ),
        description="仓单质押: inventory in a bonded warehouse ≈ 1 month of revenue (industrial inventory turnover"
        " ≈ 10×/yr, NBS); advance 50% (typical 50–70%, the low end for specialised goods); holders: producing"
        " firms only (assumption).",
    )

    def asset(self, kind: str) -> PledgeAsset:
        """The block of one pledge kind."""
        return getattr(self, kind)


class Bonds(Strict):
    """Bond issuance 债券融资 (公司债, 企业债, 中期票据, 短融, 集合票据) by established firms: direct finance."""

    rate: float = Field(
        0.0,
        ge=0.0,
        description="Annual chance an eligible firm issues (0: no bond market). Typical: a few hundred tech SMEs of"
        " ≈300,000 issued debt instruments a year nationally, ≪1%; 0.005 for a pilot city is an assumption.",
    )
    revenue_wan: Money = Field(
        800.0,
        description="Monthly revenue above which a firm can issue (≈1亿 a year: issuers' size floor, assumption).",
    )
    amount_wan: Money = Field(
        5000.0, description="Amount raised per issue, 万元 (集合票据/私募债 0.3–1亿; assumption)."
    )
    high_tech_only: bool = Field(True, description="Only certified high-tech firms issue (rating and disclosure).")
    start: str | None = Field(None, description="First month the issuance channel (and its subsidy) works.")

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class Grants(Strict):
    """Grants 无偿资助 from the special fund to early-stage firms: paid once, spent on R&D."""

    rate: float = Field(0.0, ge=0.0, description="Annual chance an eligible firm receives a grant (0: none).")
    amount_wan: Money = Field(
        30.0, description="Grant per firm, 万元 (city 科技计划 grants to SMEs 10–50万, assumption: 30)."
    )
    stages: list[Literal["seed", "startup", "growth", "mature"]] = Field(
        ["seed", "startup"], description="Stages that may receive one (lab and pilot stage, 000 §三(一)1)."
    )
    database_only: bool = Field(True, description="Only firms in the enterprise database 科技型中小企业库.")
    need_relief_share: Share = Field(
        1.0,
        description="Share of the grant that replaces borrowing: a firm with an open financing need asks for this"
        " much less (the grant funds part of the same investment). Assumption.",
    )


class RedList(Strict):
    """The red list 守信红名单: firms with a clean repayment record get a rate preference and priority."""

    share: Share = Field(
        0.0,
        description="Share of firms with a clean record (borrowed, never defaulted, not black-listed) that are on"
        " the list (applied and certified). 0: no red list.",
    )
    rate_discount_rate: float = Field(
        0.003,
        ge=0.0,
        le=0.05,
        description="Rate preference 利率优惠 a bank grants a listed firm (annual). Its acceptance is unchanged"
        " (优先支持: the bank accepts the thinner margin). Typical preferences 10–50 bp; assumption 30 bp.",
    )
    start: str | None = Field(None, description="First month the list is in use (default: the scenario start).")

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class VentureFundParams(Strict):
    """A venture or government guidance fund 创业投资基金 / 政府引导基金 that bears a share of a loan's loss
    (投贷联动; Shanxi's "风险补偿金+银行+融资担保或创业投资基金"). It covers its portfolio firms (VC-backed), knows
    them well, and its cover is limited to a multiple of its capital."""

    name: str
    label: Bilingual | None = label_field("fund", "产业引导股权投资基金 — industry guidance fund")
    capital_wan: Money = Field(10_000.0, description="Money set aside to bear loan losses, 万元 (assumption: 1亿).")
    public: bool = Field(
        False, description="A government guidance fund: its payouts are public money (net public cost)."
    )
    portfolio_only: bool = Field(True, description="Covers only VC-backed firms (its own or co-investors' portfolio).")
    max_pd: Rate = Field(0.1, description="Covers only firms whose estimated annual PD is at most this.")
    screening_noise: float = Field(
        0.5,
        ge=0.0,
        description="SD of its error on θ: an investor knows its portfolio better than a bank (assumption).",
    )
    leverage_multiple: float | None = Field(
        5.0, gt=0.0, description="Covered balance ≤ m × capital (assumption: 5, the low end of pools' 5–10)."
    )
    start: str | None = Field(None, description="First month it takes new cover (default: the scenario start).")

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)
