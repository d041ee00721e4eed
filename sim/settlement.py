"""Money flows on the outstanding book: maturities, monthly interest / fees / premiums with their
subsidies, and defaults settled through the loss waterfall."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.products import GOV, GUAR, INS, POOL, REGUAR
from sim.schema import PARTIES
from sim.waterfall import BANK, settle

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def repay_maturities(m: EcosystemModel, month: int, deferral_until: int | None) -> None:
    """Close matured loans (bullet repayment); the firm's renewal need is the repaid principal.

    Under deferral 延期还本付息 maturities inside the shock window move to its end. In fixed mode loans
    roll over for another term instead.
    """
    b = m.book
    rows = b.open_rows()
    due = rows[b.maturity[rows] <= month]
    if due.size == 0:
        return
    if m.fixed:
        b.maturity[due] += m.s.fixed.term_months
        return
    if deferral_until is not None:
        b.maturity[due] = deferral_until
        return
    firms = b.firm[due]
    b.close(due)
    m.pop.debt_wan[firms] = 0.0
    renew = m.pop.alive[firms] & ~m.pop.listed[firms] & ~m.pop.black_list[firms]
    renew &= m.streams.uniform("needs", month, m.pop.n, "renewal")[firms] < m.pop.p.renewal_share
    m.pop.need_wan[firms[renew]] = b.principal[due][renew]


def pay_subsidies(m: EcosystemModel) -> dict[str, float]:
    """Interest, guarantee fees, re-guarantee fees and premiums for the month, with subsidies from the fund.

    Works on slice views of the whole book with closed loans masked to zero (the book is compacted monthly).
    """
    b, gov, n = m.book, m.government, m.book.n
    P = b.principal[:n] * b.active[:n]
    interest = P * b.rate[:n] / 12.0
    fee = P * b.fee_rate[:n] / 12.0
    refee = P * b.refee_rate[:n] / 12.0
    prem = P * b.premium_rate[:n] / 12.0
    want = interest * b.int_sub_share[:n]
    cap = m.s.government.subsidies.per_firm_year_cap_wan
    firms = b.firm[:n]
    if cap is not None and n:
        want = np.minimum(want, np.maximum(cap - m.firm_subsidy_year[firms], 0.0))  # one open loan per firm
    sub_i = gov.pay("interest_subsidy", want)
    np.add.at(m.firm_subsidy_year, firms[sub_i > 0], sub_i[sub_i > 0])
    sub_f = gov.pay("fee_subsidy", fee * b.fee_sub_share[:n])
    sub_p = gov.pay("premium_subsidy", prem * b.prem_sub_share[:n])
    _collect_fees(m, b.product[:n], fee, refee, prem)
    net = float((interest + fee + prem - sub_i - sub_f - sub_p).sum()) * 12.0
    total = float(P.sum())
    return {"avg_cost_rate": net / total if total > 0 else np.nan, "interest_wan": float(interest.sum())}


def _collect_fees(m: EcosystemModel, product: np.ndarray, fee: np.ndarray, refee: np.ndarray, prem: np.ndarray) -> None:
    """Guarantors collect fees and pay re-guarantee fees; re-guarantors and insurers collect theirs."""
    npr = len(m.products.names)
    acc = m.products.accounts
    by_prod = {
        name: np.bincount(product, weights=v, minlength=npr)
        for name, v in (("fee", fee), ("refee", refee), ("prem", prem))
    }
    for j, what, sign in ((GUAR, "fee", 1), (REGUAR, "refee", 1), (GUAR, "refee", -1), (INS, "prem", 1)):
        parties = m.insurers if j == INS else m.guarantors
        sel = acc[:, j] >= 0
        if not parties or not sel.any():
            continue
        per = np.bincount(acc[sel, j], weights=by_prod[what][sel], minlength=len(parties))
        for party, amt in zip(parties, per, strict=True):
            if amt and j == INS:
                party.collect_premiums(float(amt))
            elif amt:
                (party.collect_fees if sign > 0 else party.pay_fees)(float(amt))


def settle_defaults(m: EcosystemModel, month: int, defaulted: np.ndarray) -> dict[str, float]:
    """End every loan of the defaulted firms and route each loss through the waterfall."""
    b = m.book
    rows = b.open_rows()
    rows = rows[defaulted[b.firm[rows]]]
    out = {f"loss_{p}_wan": 0.0 for p in PARTIES} | {
        "loss_wan": 0.0,
        "shortfall_wan": 0.0,
        "defaulted_loans": float(rows.size),
    }
    if rows.size == 0:
        return out
    principal = b.principal[rows]
    loss = principal * b.lgd[rows]
    prod, bank = b.product[rows], b.bank[rows]
    claims = m.products.shares[prod] * loss[:, None]
    accounts = m.products.accounts[prod].copy()
    accounts[:, BANK] = bank
    for pool in m.government.pools:
        sel = (accounts[:, POOL] == pool.index) & (claims[:, POOL] > 0)
        if sel.any():
            claims[sel, POOL] = pool.admissible(claims[sel, POOL], principal[sel], bank[sel])
    available = [
        None,
        m.pool_funds(),
        m.guarantor_funds(),
        m.guarantor_funds(),
        m.insurer_funds(),
        np.array([m.government.budget_left_wan]),
    ]
    paid, shortfall, totals = settle(loss, claims, accounts, available)
    m.conservation_error_wan = max(m.conservation_error_wan, float(np.abs(paid.sum(axis=1) + shortfall - loss).max()))
    debit(m, paid, totals, accounts, principal)
    nb = len(m.banks)
    own = np.bincount(bank, weights=paid[:, BANK], minlength=nb)
    short = np.bincount(bank, weights=shortfall, minlength=nb)
    bad = np.bincount(bank, weights=principal, minlength=nb)
    for i, bk in enumerate(m.banks):
        bk.bear_losses(own[i], short[i], bad[i], month)
    b.close(rows)
    m.pop.debt_wan[b.firm[rows]] = 0.0
    for j, p in enumerate(PARTIES):
        out[f"loss_{p}_wan"] = float(paid[:, j].sum())
    out["loss_wan"], out["shortfall_wan"] = float(loss.sum()), float(shortfall.sum())
    return out


def debit(
    m: EcosystemModel, paid: np.ndarray, totals: list[np.ndarray], accounts: np.ndarray, principal: np.ndarray
) -> None:
    """Each party pays what the waterfall says, through its own method."""
    for pool in m.government.pools:
        sel = accounts[:, POOL] == pool.index
        if sel.any():
            m.government.record("pool_payout", pool.pay(accounts[sel, BANK], paid[sel, POOL]))
    for j in (GUAR, REGUAR):
        for g, amt in zip(m.guarantors, totals[j], strict=False):
            if amt:
                g.pay_claims(float(amt))
    for ins in m.insurers:
        sel = accounts[:, INS] == ins.index
        if sel.any():
            ins.pay_claims(float(totals[INS][ins.index]), float(principal[sel].sum()))
    if totals[GOV][0] > 0:
        m.government.pay("loss_share", totals[GOV][:1])
