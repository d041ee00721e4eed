"""Schema of loan products: who bears which share of a loss, who may borrow, and what the borrower pays."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.schema_base import Bilingual, Money, Rate, Share, Strict, _month, label_field
from sim.schema_firms import STAGES
from sim.schema_instruments import Pledge

PARTIES = ("bank", "pool", "guarantor", "reguarantor", "insurer", "government", "vc")


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
    label: Bilingual | None = label_field("product", "知识产权质押贷款 — IP-pledge loan")
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
