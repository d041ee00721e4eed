"""The scenario schema: every field a scenario file may set, with unit, meaning, default and source.

Frozen pydantic models with ``extra="forbid"``: an unknown key is an error listing the valid keys. Money in
万元, rates annual decimals, ``_share`` in 0–1, ``_months`` in months. Defaults marked "typical" come from
public scheme rules and statistics (source in the description); "assumption" marks a modelling choice. Names
shown to readers (``label``, a target's ``out_of_scope``) are bilingual, "中文 — English" (``Bilingual``).

This is the public module: the blocks are defined by topic in ``sim.schema_base`` (base types),
``sim.schema_firms`` (enterprises, fixed mode), ``sim.schema_institutions`` (banks, guarantors, insurers),
``sim.schema_government`` (special fund, subsidies, pools), ``sim.schema_products`` (loss shares, products),
``sim.schema_plan`` (macro, platforms, targets) and ``sim.schema_instruments`` (pledges, funds, grants, bonds,
red list), and imported from here.
"""

from __future__ import annotations

from sim.schema_base import SEP, Bilingual, ByStage, Money, Rate, Share, Strict
from sim.schema_firms import STAGES, EnterpriseParams, FixedMode, StageMix
from sim.schema_government import GovernmentParams, PoolParams, Subsidies
from sim.schema_institutions import BankParams, GuarantorParams, InsurerParams, TechInsurance
from sim.schema_instruments import (
    Bonds,
    Grants,
    Pledge,
    PledgeAssets,
    RedList,
    VentureFundParams,
    month_or_none,
)
from sim.schema_plan import MacroParams, Platforms, Shock, Target
from sim.schema_products import PARTIES, Eligibility, ProductParams, Shares

__all__ = [
    "PARTIES",
    "SEP",
    "STAGES",
    "BankParams",
    "Bilingual",
    "Bonds",
    "ByStage",
    "Eligibility",
    "EnterpriseParams",
    "FixedMode",
    "GovernmentParams",
    "Grants",
    "GuarantorParams",
    "InsurerParams",
    "MacroParams",
    "Money",
    "Platforms",
    "Pledge",
    "PledgeAssets",
    "PoolParams",
    "ProductParams",
    "Rate",
    "RedList",
    "Share",
    "Shares",
    "Shock",
    "StageMix",
    "Strict",
    "Subsidies",
    "Target",
    "TechInsurance",
    "VentureFundParams",
    "month_or_none",
]
