"""The month's fiscal programmes outside credit: grants 无偿资助, investment-risk subsidies 投资风险补助 on VC
rounds, bond issuance 债券融资 with its subsidy, and tech insurance 科技保险 with its premium subsidy. The rules
are the agents' (``Government``, ``Enterprises``, ``Insurer``); this module wires them and returns the
month's flows for the monthly table.

Draws come from the ``instruments`` stream (tech insurance: the ``insurance`` stream) only, so a programme that
is off moves no other random number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.calendar import monthly_prob
from sim.schema import STAGES

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def grants(m: EcosystemModel) -> dict[str, float]:
    """Grants to eligible early-stage firms while the fund has money; spent on R&D and the firm's investment."""
    g, pop, n = m.s.government.grants, m.pop, m.pop.n
    if g.rate <= 0:
        return {"grants_new": 0.0}
    stages = np.array([s in g.stages for s in STAGES])
    ok = pop.alive[:n] & ~pop.listed[:n] & stages[pop.stage[:n]]
    if g.database_only:
        ok &= pop.in_database[:n]
    u = m.streams.uniform("instruments", m.month, n, "grants")
    paid = m.government.award_grants(ok, u)
    v = m.streams.uniform_at("instruments", m.month, paid, "grant patents")
    rd = pop.receive_grants(paid, g.amount_wan, g.need_relief_share, v)
    return {"grants_new": float(paid.size), "rd_spending_wan": rd}


def investment_subsidy(m: EcosystemModel, vc_slots: np.ndarray) -> dict[str, float]:
    """投资风险补助: the fund pays investors a share of each VC round in an early-stage firm (every modelled round
    is early-stage), pro rata when the budget is short."""
    sub = m.s.government.subsidies
    if sub.investment_risk_subsidy_share <= 0 or vc_slots.size == 0:
        return {}
    owed = np.full(vc_slots.size, sub.investment_risk_subsidy_share * m.s.enterprises.vc_amount_wan)
    m.government.pay("investment_risk_subsidy", owed)
    return {}


def bonds(m: EcosystemModel) -> dict[str, float]:
    """Bond issues of established firms (direct finance) and the subsidy on the amount raised."""
    b = m.s.enterprises.bonds
    if b.rate <= 0 or (b.start is not None and m.label < b.start):
        return {"bond_issues_new": 0.0, "bond_finance_wan": 0.0}
    issued = m.pop.issue_bonds(m.month, m.government.bond_multiplier())
    m.pop.tf_served[issued] = True  # sci-tech finance reached the issuer
    raised = issued.size * b.amount_wan
    share = m.s.government.subsidies.bond_subsidy_share
    if share > 0 and issued.size:
        m.government.pay("bond_subsidy", np.full(issued.size, share * b.amount_wan))
    return {"bond_issues_new": float(issued.size), "bond_finance_wan": raised, "direct_finance_wan": raised}


def tech_insurance(m: EcosystemModel) -> None:
    """科技保险: insured firms pay premiums (partly subsidised); an R&D setback pays out if insured,
    and otherwise adds distress. Each insurer's line holds the firms whose fixed ``u_insure`` falls in its
    uptake band; a line not sold yet keeps its band empty (later lines keep their firms)."""
    pop, n, month = m.pop, m.pop.n, m.month
    key = np.uint64(m.streams.key("insurance", month))
    bands, lo, selling = [], 0.0, []
    for ins in m.insurers:
        t = ins.p.tech
        if t.start is None or m.label >= t.start:
            bands.append((lo, lo + t.uptake_share))
            selling.append(ins)
        lo += t.uptake_share
    counts = kernels.tech_insurance(
        pop.alive[:n], pop.listed[:n], key, monthly_prob(pop.p.rd_setback_rate), pop.u_insure[:n],
        np.array(bands, dtype=float).reshape(-1, 2), pop.distress[:n], pop.tech_insured[:n], pop.p.setback_distress,
    )  # fmt: skip
    share = m.s.government.subsidies.tech_premium_subsidy_share
    for ins, (insured, setbacks) in zip(selling, counts, strict=True):
        t = ins.p.tech
        if insured:
            prem = np.full(int(insured), t.sum_insured_wan * t.premium_rate / 12.0)
            m.government.pay("tech_premium_subsidy", prem * share)
            ins.collect_premiums(float(prem.sum()), tech=True)
            ins.pay_claims(min(float(setbacks * t.sum_insured_wan), ins.capital_wan), tech=True)
