"""Schema of the financial institutions: lenders (banks, 科技小贷, lessors), guarantors and the re-guarantor,
insurers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sim.schema_base import Bilingual, Money, Rate, Share, Strict, _month, label_field
from sim.schema_instruments import month_or_none


class BankParams(Strict):
    """A lender: a bank or tech sub-branch 科技支行, a tech micro-credit company 科技小贷 or a financial lessor
    融资租赁 (``kind``; its limits are the same fields with the values its regulation sets)."""

    name: str
    label: Bilingual | None = label_field("lender", "咸宁市科技支行 — Xianning tech sub-branch")
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
    label: Bilingual | None = label_field("guarantor", "咸宁市政府性融资担保机构 — Xianning government guarantor")
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
    label: Bilingual | None = label_field("insurer", "科技保险机构 — tech insurer")
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
