"""Money flows on the outstanding book: maturities, monthly interest / fees / premiums with their
subsidies, and defaults settled through the loss waterfall."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.bookings import KINDS, layout
from sim.kernels import bookings as kb
from sim.kernels import waterfall
from sim.products import GUAR, INS, POOL, REGUAR
from sim.schema import PARTIES
from sim.waterfall import BANK

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def repay_maturities(m: EcosystemModel, month: int) -> dict[str, float]:
    """Close matured loans (bullet repayment); most borrowers have a renewal need at once.

    In a deferral window 延期还本付息 (``m.deferral``: the window's last month, take-up share and spread), a
    borrower whose loan falls due asks, with the take-up probability, to postpone the principal to a date drawn
    evenly over the months after the window; the loan stays open and the firm cannot be forced into default
    until then. Loans already postponed are not postponed again. In fixed mode loans roll over instead.
    """
    b = m.book
    due = kb.due_rows(b.active[: b.n], b.maturity[: b.n], month)
    out = {"maturities": float(due.size), "deferred_loans": 0.0}
    if due.size == 0:
        return out
    if m.fixed:
        b.maturity[due] += m.s.fixed.term_months
        return out
    pop = m.pop
    if m.deferral is not None:
        end, take_up, spread = m.deferral
        firms = b.firm[due]
        ask = m.streams.uniform_at("deferral", month, firms, "take-up") < take_up
        ask &= (b.maturity[due] == month) & (pop.deferred_until[firms] < 0)
        new_date = end + 1 + np.floor(m.streams.uniform_at("deferral", month, firms, "date") * spread).astype(np.int32)
        b.maturity[due[ask]] = new_date[ask]
        pop.deferred_until[firms[ask]] = new_date[ask] - 1
        out["deferred_loans"] = float(ask.sum())
        due = due[~ask]
        if due.size == 0:
            return out
    firms, renew = kb.repay(
        due, b.firm, b.active, pop.debt_wan, pop.deferred_until, pop.alive, pop.listed, pop.black_list
    )  # closed; debt and deferral ended; renew: those that may renew
    renew &= m.streams.uniform_at("needs", month, firms, "renewal") < pop.p.renewal_share
    pop.need_wan[firms[renew]] = pop.base_need(firms[renew])
    return out


def pay_interest_and_subsidies(m: EcosystemModel) -> dict[str, float]:
    """Interest to banks, guarantee fees, re-guarantee fees and premiums for the month; the special fund pays
    its subsidies (``Government.pay_subsidies``).

    Works on the whole book with closed loans masked to zero (the book is compacted monthly), in two compiled
    passes: what is owed and asked (``sim.kernels.accrue``), then, once the fund has paid its share of the totals
    asked, the subsidies on each loan and the month's net cost (``sim.kernels.net_cost``); the fees by bearer in
    ``sim.kernels.bookings``.
    """
    b, n, gov = m.book, m.book.n, m.government
    owed = (b.principal[:n], b.active[:n], b.rate[:n], b.fee_rate[:n])
    totals, ask_i, by_product, by_bank, top = kernels.accrue(
        *owed, b.refee_rate[:n], b.premium_rate[:n], b.int_sub_share[:n], b.fee_sub_share[:n], b.prem_sub_share[:n],
        b.product[:n], b.bank[:n], b.firm[:n], gov.firm_subsidy_year, gov.interest_cap(), len(m.products.names),
        len(m.banks),
    )  # fmt: skip
    principal, interest, *asked = totals.tolist()
    paid = gov.pay_subsidies(top, *asked)
    net = kernels.net_cost(
        *owed, b.premium_rate[:n], b.fee_sub_share[:n], b.prem_sub_share[:n], ask_i, b.firm[:n],
        gov.firm_subsidy_year, *paid,
    )  # fmt: skip
    _collect_fees(m, by_product)
    for bank, earned in zip(m.banks, by_bank.tolist(), strict=True):
        bank.earn(earned, m.lpr)
    return {"avg_cost_rate": net * 12.0 / principal if principal > 0 else np.nan, "interest_wan": interest}


#: The fees collected (and paid) by bearers: (kind of bearer, row of ``accrue``'s ``by_product``: fee, re-guarantee
#: fee, premium, and +1 collected / -1 paid), in the order the parties book them.
FEES = ((GUAR, 0, 1), (REGUAR, 1, 1), (GUAR, 1, -1), (INS, 2, 1))
_FEE_KINDS = np.array([KINDS.index(j) for j, _, _ in FEES])
_FEE_ROWS = np.array([r for _, r, _ in FEES])


def _collect_fees(m: EcosystemModel, by_product: np.ndarray) -> None:
    """Guarantors collect fees and pay re-guarantee fees; re-guarantors and insurers collect theirs
    (``by_product``: fees, re-guarantee fees and premiums by product)."""
    lay = layout(m)
    per = kb.by_bearer(by_product, _FEE_KINDS, _FEE_ROWS, lay.rows, lay.bearer, lay.start, lay.parties)
    for c, (j, _, sign) in enumerate(FEES):
        parties = m.insurers if j == INS else m.guarantors
        first = lay.parties[_FEE_KINDS[c]]
        for party, amt in zip(parties, per[c, first : first + len(parties)].tolist(), strict=True):
            if amt and j == INS:
                party.collect_premiums(amt)
            elif amt and sign < 0:
                party.pay_fees(amt)
            elif amt:
                party.collect_fees(amt, "fee" if j == GUAR else "reguarantee_fee")


#: The month's loss flows, in the order ``settle_losses`` sums them.
LOSS_KEYS = (*(f"loss_{p}_wan" for p in PARTIES), "loss_wan", "shortfall_wan")


def settle_defaults(m: EcosystemModel, month: int, defaulted: np.ndarray) -> dict[str, float]:
    """End every loan of the defaulted firms and route each loss through the waterfall (compiled:
    ``sim.kernels.waterfall``; pools' caps and every entity's debit run through the agents' own methods)."""
    b, lay, n, nb = m.book, layout(m), m.book.n, len(m.banks)
    principal, loss, claims, roles, entity, held = waterfall.default_claims(
        b.active[:n], b.firm[:n], defaulted, b.principal[:n], b.lgd[:n], b.product[:n], b.bank[:n],
        m.products.shares, lay.roles, lay.entities, nb, m.pop.debt_wan,
    )  # fmt: skip
    if loss.size == 0:
        return dict.fromkeys(LOSS_KEYS, 0.0) | {"defaulted_loans": 0.0}
    bank = roles[:, BANK]
    if held[POOL]:
        for pool in m.government.pools:
            sel = (roles[:, POOL] == pool.index) & (claims[:, POOL] > 0)
            if sel.any():
                claims[sel, POOL] = pool.admissible(claims[sel, POOL], principal[sel], bank[sel])
    paid, totals, sums, by_bank, error = waterfall.settle_losses(
        loss, claims, entity, m.ledger.funds(), principal, bank, nb, BANK
    )
    m.conservation_error_wan = max(m.conservation_error_wan, error)
    debit(m, paid, totals, roles, principal, held)
    for i, (own, short, bad) in enumerate(zip(*by_bank.tolist(), strict=True)):
        if own or short or bad:  # (a bank without a defaulted loan this month adds nothing)
            m.banks[i].bear_losses(own, short, bad, month)
    return dict(zip(LOSS_KEYS, sums.tolist(), strict=True)) | {"defaulted_loans": float(loss.size)}


def debit(
    m: EcosystemModel, paid: np.ndarray, totals: np.ndarray, accounts: np.ndarray, principal: np.ndarray,
    held: np.ndarray,
) -> None:  # fmt: skip
    """Each entity pays what the waterfall says it owes in total (over all its roles), through its own method
    (``held``: how many claims name a bearer in each role column)."""
    led = m.ledger
    for pool in m.government.pools if held[POOL] else ():
        sel = accounts[:, POOL] == pool.index
        if sel.any():
            m.government.record("pool_payout", pool.pay(accounts[sel, BANK], paid[sel, POOL]))
    for g in m.guarantors:
        amt = totals[led.guarantor(g.index)]
        if amt:
            g.pay_claims(float(amt))
    for ins in m.insurers if held[INS] else ():
        sel = accounts[:, INS] == ins.index
        if sel.any():
            ins.pay_claims(float(totals[led.insurer(ins.index)]), float(principal[sel].sum()))
    owed = totals[led.fund()]
    if owed > 0:
        m.government.pay("loss_share", np.array([owed]))
    for v in m.ventures:
        amt = float(totals[led.venture(v.index)])
        if amt:
            v.pay_claims(amt)
            if v.p.public:  # a government guidance fund's money is public money
                m.government.record("guidance_fund_payout", amt)
