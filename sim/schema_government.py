"""Schema of the government side: the special fund 专项资金, its subsidies, and the risk compensation pools."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sim.schema_base import Bilingual, Money, Share, Strict, _month, label_field
from sim.schema_instruments import Grants, month_or_none


class PoolParams(Strict):
    """A risk compensation pool 风险补偿资金池 (tech credit, IP pledge, ...)."""

    name: str
    label: Bilingual | None = label_field("pool", "科技企业贷款风险补偿资金池 — tech-firm loan risk compensation pool")
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
