"""The books after each event: new loans told to every party (``book_capacity`` batch by batch,
``register_new_loans`` once a month) and the month end's
true-up of balances and exposures from the loan book (``update_institutions``, ``close_sharers``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.kernels import bookings as kb
from sim.products import GUAR, INS, POOL, REGUAR, VC
from sim.waterfall import BANK

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def update_institutions(m: EcosystemModel) -> None:
    """True up balances and exposures from the book; tightening, fees, repricing, suspension, depletion (the sums
    in one compiled pass: ``sim.kernels.bookings.true_up``)."""
    b, lay = m.book, layout(m)
    b.compact()
    n = b.n
    balances, exposure, pool_cover, ins_cover = kb.true_up(
        b.active[:n], b.principal[:n], b.product[:n], b.bank[:n], len(m.products.names), len(m.banks),
        lay.rows, lay.bearer, lay.share, lay.start, lay.parties, lay.pool_rows, lay.pool_start, lay.ins_rows,
        lay.ins_start,
    )  # fmt: skip
    for t, j in enumerate(KINDS):
        m.exposure[j] = exposure[lay.parties[t] : lay.parties[t + 1]]
    for bank, bal in zip(m.banks, balances.tolist(), strict=True):
        bank.review(bal, m.month)
    for v in m.ventures:
        v.close_month(float(m.exposure[VC][v.index]))
    label = m.label
    if m.month > 0 and label.endswith("-12"):
        paid = m.government.reward_growth(balances)
        for bank, amt in zip(m.banks, paid, strict=True):
            bank.receive_reward(float(amt))
        m.recorder.add({"bank_reward_wan": float(paid.sum())})
    if m.month > 0:  # at set-up only balances are trued up: no month has passed to accrue
        close_sharers(m, ins_cover, label)
    for pool, cover in zip(m.government.pools, pool_cover, strict=True):
        pool.close_month(cover, label)
    m.government.close_month(label)


#: The kinds of bearer, in the order of ``_Layout``'s tables.
KINDS = (POOL, GUAR, REGUAR, INS, VC)


@dataclass
class _Layout:
    """Who bears which products, fixed for a run (read by every month end's true-up and the compiled loops of
    ``sim.kernels.bookings``, whose docstring describes the flat tables)."""

    bearers: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, int]]  # kind: (product rows, bearer, share, count)
    rows: np.ndarray  # the bearers' tables of KINDS, flat: products,
    bearer: np.ndarray  # each one's bearer among its kind,
    share: np.ndarray  # and its share;
    start: np.ndarray  # kind t's entries start[t]:start[t + 1];
    parties: np.ndarray  # kind t's parties parties[t]:parties[t + 1] of a flat array of totals
    pool_rows: np.ndarray  # each pool's products (with a share), flat: pool i's pool_start[i]:pool_start[i + 1]
    pool_start: np.ndarray
    ins_rows: np.ndarray  # each insurer's products, flat likewise
    ins_start: np.ndarray
    pool_of: np.ndarray  # (products,) the pool with a share of the product, -1 none
    g_shares: np.ndarray  # (products, guarantors) each guarantor's share, as guarantor or re-guarantor
    rewarded: np.ndarray  # (products,) whether a new loan earns the bank reward (its basis: all new, or policy)
    roles: np.ndarray  # (products × banks, 7) a loan's bearers by role (the product's; the bank's own index)
    entities: np.ndarray  # (products × banks, 7) the ledger account of each of those (``Ledger.entity_ids``)


def _flat(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Arrays end to end, and where each starts (with the end)."""
    start = np.zeros(len(parts) + 1, dtype=np.int64)
    start[1:] = np.cumsum([p.size for p in parts])
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)), start


def layout(m: EcosystemModel) -> _Layout:
    """The run's ``_Layout``, built at the first true-up."""
    lay = m.__dict__.get("_bookings_layout")
    if lay is None:
        pr = m.products
        who = {POOL: m.government.pools, GUAR: m.guarantors, REGUAR: m.guarantors, INS: m.insurers, VC: m.ventures}
        bearers = {}
        for j in KINDS:
            rows = np.flatnonzero(pr.accounts[:, j] >= 0)
            bearers[j] = (rows, pr.accounts[rows, j], pr.shares[rows, j], len(who[j]))
        rows, start = _flat([bearers[j][0] for j in KINDS])
        parties = np.zeros(len(KINDS) + 1, dtype=np.int64)
        parties[1:] = np.cumsum([bearers[j][3] for j in KINDS])
        pooled = (pr.accounts[:, POOL] >= 0) & (pr.shares[:, POOL] > 0)
        pool_rows = _flat([np.flatnonzero(pooled & (pr.accounts[:, POOL] == p.index)) for p in who[POOL]])
        ins_rows = _flat([np.flatnonzero(pr.accounts[:, INS] == i.index) for i in m.insurers])
        basis = m.s.government.subsidies.bank_reward_basis
        nb = len(m.banks)
        roles = np.repeat(pr.accounts, nb, axis=0)  # row product × banks + bank
        roles[:, BANK] = np.tile(np.arange(nb), len(pr.accounts))
        lay = m.__dict__["_bookings_layout"] = _Layout(
            bearers, rows, *(np.concatenate([bearers[j][i] for j in KINDS]) for i in (1, 2)), start, parties,
            *pool_rows, *ins_rows, np.where(pooled, pr.accounts[:, POOL], -1),
            pr.guarantor_shares(len(m.guarantors)), pr.reward & (pr.policy | (basis == "all_new")),
            roles, m.ledger.entity_ids(roles),
        )  # fmt: skip
    return lay


def close_sharers(m: EcosystemModel, ins_cover: np.ndarray, label: str) -> None:
    """Month end of guarantors (income, opex, injections) and insurers (windows, suspension, repricing,
    stop-loss paid from the fund; ``ins_cover``: each insurer's covered principal)."""
    for g in m.guarantors:
        injected = g.close_month(float(m.exposure[GUAR][g.index] + m.exposure[REGUAR][g.index]), label)
        m.government.record("injection", injected)
    december = label.endswith("-12")
    for ins, covered in zip(m.insurers, ins_cover.tolist(), strict=True):
        stoploss = ins.close_month(covered, m.month, december)
        if stoploss > 0:
            ins.receive_stoploss(float(m.government.pay("stoploss", np.array([stoploss]))[0]))


def book_capacity(m: EcosystemModel, bank: np.ndarray, prod: np.ndarray, amount: np.ndarray) -> None:
    """The capacity new loans use, batch by batch within the month's matching (the next batch's rooms read it):
    banks' lending, guarantors' liability, pools' and funds' cover, and the rewards paid on new loans (they add
    to a bank's capital, and the special fund pays them in order until its budget runs out). The sums by bank,
    guarantor and pool in one compiled pass (``sim.kernels.bookings.capacity_batch``)."""
    lay, pools = layout(m), m.government.pools
    nb = len(m.banks)
    lent, liability, pool, per_pool, rewarded = kb.capacity_batch(
        bank, prod, amount, nb, lay.g_shares, lay.pool_of, len(pools), lay.rewarded
    )
    for i, v in enumerate(lent.tolist()):
        if v:  # (a batch is a few banks' loans: nothing to add elsewhere)
            m.banks[i].book_loans(v)
    liability = liability.tolist()
    for g in m.guarantors:
        if liability[g.index]:
            g.book_guarantees(liability[g.index])
    for p, count in zip(pools, per_pool.tolist(), strict=True):
        if count:  # (a pool without a loan in the batch adds nothing)
            sel = pool == p.index
            p.book_cover(bank[sel], amount[sel])
    pr = m.products
    for v in m.ventures:
        v.book_cover(float((amount * pr.shares[prod, VC] * (pr.accounts[prod, VC] == v.index)).sum()))
    reward = m.government.reward_new_loans(bank, amount, rewarded, nb)
    paid = reward.tolist()
    for b, amt in zip(m.banks, paid, strict=True):
        if amt:
            b.receive_reward(amt)
    if any(paid):  # (adding nothing to the month's flow changes nothing)
        m.recorder.add({"bank_reward_wan": float(reward.sum())})


def register_new_loans(
    m: EcosystemModel, slots: np.ndarray, bank: np.ndarray, prod: np.ndarray, amount: np.ndarray, cost: np.ndarray
) -> None:
    """Tell the firms (debt, its all-in cost and term), the funnel and the month's table about new loans whose
    capacity is booked (``book_capacity``): once for the month's loans."""
    pr = m.products
    m.funnel.written(prod, amount)
    pop = m.pop
    first = kernels.register_borrowers(
        slots, prod, amount, cost, m.month, pr.term, pr.policy, pop.first_loan, pop.served, pop.tf_served,
        pop.debt_wan, pop.cost_rate, pop.term_months, pop.need_wan, pop.need_age, pop.vintage_month,
        pop.vintage_policy, pop.vintage_stage, pop.stage,
    )  # fmt: skip
    m.recorder.add(
        {
            "new_loans": slots.size,
            "new_loans_wan": float(amount.sum()),
            "first_loans_new": first,
            "policy_new_loans_wan": float(amount[pr.policy[prod]].sum()),
        }
    )
