"""The firms and loans a run starts with: the initial population (drawn from the scenario or read from its
CSV) and the loan stock it holds, and the fixed mode's loans (one per firm on the first product)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import bookings
from sim.firms import read_firms_csv
from sim.scenario import ScenarioError

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def populate(m: EcosystemModel) -> None:
    """The initial firms (drawn, or read from the scenario's CSV) and the loan stock they hold at month 0."""
    p = m.s.enterprises
    if p.csv:
        try:
            table = read_firms_csv(p.csv)
        except (OSError, ValueError) as e:
            raise ScenarioError(p.csv, [("enterprises.csv", str(e))]) from None
        slots = m.pop.add(0, 0, table)
    else:
        slots = m.pop.add(p.initial_count, 0)
    if m.fixed:
        fixed_loans(m, slots, 0)
        return
    # The loan stock before the burn-in went to firms whose investment returns more than plain credit costs
    # (LPR + spread + a typical risk premium), the ones banks judged safest first (a noisy view of θ), as
    # the flow of new loans will, so that the stock and the flow start alike.
    gen = m.streams.gen("init", 0, "loan stock")
    signal = m.pop.theta[slots] + gen.standard_normal(slots.size)
    score = m.pop.pd_annual(signal, slots)
    plain_cost = m.lpr + float(np.mean([b.p.spread_rate for b in m.banks])) + 0.015
    score[m.pop.investment_return(slots) <= plain_cost] = np.inf
    k = round(p.initial_borrower_share * slots.size)
    holders = np.sort(slots[np.argsort(score, kind="stable")[:k]])
    amount = m.pop.base_need(holders)
    bank = holders % len(m.banks)
    spread = np.array([b.p.spread_rate for b in m.banks])[bank]
    legacy = m.products.legacy
    m.book.add(
        firm=holders,
        bank=bank,
        product=np.full(holders.size, legacy),
        principal=amount,
        rate=m.lpr + spread,
        lgd=m.products.lgd[legacy],
        start=0,
        maturity=1 + (gen.random(holders.size) * 12).astype(int),
    )
    m.pop.debt_wan[holders] = amount
    m.pop.cost_rate[holders] = m.lpr + spread
    m.pop.first_loan[holders] = True
    bookings.update_institutions(m)


def fixed_loans(m: EcosystemModel, slots: np.ndarray, month: int) -> None:
    """Fixed mode: each firm gets one loan of the fixed size on the first product's channels in turn."""
    f, pr = m.s.fixed, m.products
    chans = np.flatnonzero(pr.ch_prod == pr.ch_prod[0])
    ch = chans[slots % chans.size]
    prod, bank = pr.ch_prod[ch], pr.ch_bank[ch]
    amount = np.full(slots.size, f.loan_wan)
    m.book.add(
        firm=slots,
        bank=bank,
        product=prod,
        principal=amount,
        rate=m.lpr,
        fee_rate=pr.fee[prod],
        lgd=f.lgd,
        start=month,
        maturity=month + 1 + (slots % f.term_months),
    )
    bookings.book_capacity(m, bank, prod, amount)
    bookings.register_new_loans(m, slots, bank, prod, amount, np.full(slots.size, m.lpr))
