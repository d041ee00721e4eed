"""The books after each event: new loans told to every party (``book_capacity`` batch by batch,
``register_new_loans`` once a month) and the month end's
true-up of balances and exposures from the loan book (``update_institutions``, ``close_sharers``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.products import GUAR, INS, POOL, REGUAR, VC
from sim.waterfall import BANK

if TYPE_CHECKING:
    from sim.model import EcosystemModel


def update_institutions(m: EcosystemModel) -> None:
    """True up balances and exposures from the book; tightening, fees, repricing, suspension, depletion."""
    b = m.book
    b.compact()
    rows = b.open_rows()
    nb, P = len(m.banks), len(m.products.names)
    prin = b.principal[rows]
    by_pb = np.bincount(b.product[rows] * nb + b.bank[rows], weights=prin, minlength=P * nb).reshape(P, nb)
    by_pb = by_pb.astype(float)  # bincount of an empty book is integer
    by_p = by_pb.sum(axis=1)
    lay = layout(m)
    for j, (rows, bearer, share, n_parties) in lay.bearers.items():
        m.exposure[j] = np.bincount(bearer, weights=by_p[rows] * share, minlength=n_parties)
    for bank, bal in zip(m.banks, by_pb.sum(axis=0), strict=True):
        bank.review(float(bal), m.month)
    for v in m.ventures:
        v.close_month(float(m.exposure[VC][v.index]))
    label = m.label
    if m.month > 0 and label.endswith("-12"):
        paid = m.government.reward_growth(by_pb.sum(axis=0))
        for bank, amt in zip(m.banks, paid, strict=True):
            bank.receive_reward(float(amt))
        m.recorder.add({"bank_reward_wan": float(paid.sum())})
    if m.month > 0:  # at set-up only balances are trued up: no month has passed to accrue
        close_sharers(m, by_p, label)
    for pool, mine in zip(m.government.pools, lay.pool_rows, strict=True):
        pool.close_month(by_pb[mine].sum(axis=0), label)
    m.government.close_month(label)


@dataclass
class _Layout:
    """Who bears which products, fixed for a run (read by every month end's true-up)."""

    bearers: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, int]]  # kind: (product rows, bearer, share, count)
    pool_rows: list[np.ndarray]  # each pool's products (with a share)
    insurer_rows: list[np.ndarray]  # each insurer's products
    roles: np.ndarray  # (products × banks, 7) a loan's bearers by role (the product's; the bank's own index)
    entities: np.ndarray  # (products × banks, 7) the ledger account of each of those (``Ledger.entity_ids``)


def layout(m: EcosystemModel) -> _Layout:
    """The run's ``_Layout``, built at the first true-up."""
    lay = m.__dict__.get("_bookings_layout")
    if lay is None:
        pr = m.products
        parties = {POOL: m.government.pools, GUAR: m.guarantors, REGUAR: m.guarantors, INS: m.insurers}
        bearers = {}
        for j, who in (parties | {VC: m.ventures}).items():
            rows = np.flatnonzero(pr.accounts[:, j] >= 0)
            bearers[j] = (rows, pr.accounts[rows, j], pr.shares[rows, j], len(who))
        pools = [np.flatnonzero((pr.accounts[:, POOL] == p.index) & (pr.shares[:, POOL] > 0)) for p in parties[POOL]]
        insurers = [np.flatnonzero(pr.accounts[:, INS] == i.index) for i in m.insurers]
        nb = len(m.banks)
        roles = np.repeat(pr.accounts, nb, axis=0)  # row product × banks + bank
        roles[:, BANK] = np.tile(np.arange(nb), len(pr.accounts))
        entities = m.ledger.entity_ids(roles)
        lay = m.__dict__["_bookings_layout"] = _Layout(bearers, pools, insurers, roles, entities)
    return lay


def close_sharers(m: EcosystemModel, by_p: np.ndarray, label: str) -> None:
    """Month end of guarantors (income, opex, injections) and insurers (windows, suspension, repricing,
    stop-loss paid from the fund)."""
    for g in m.guarantors:
        injected = g.close_month(float(m.exposure[GUAR][g.index] + m.exposure[REGUAR][g.index]), label)
        m.government.record("injection", injected)
    december = label.endswith("-12")
    for ins, mine in zip(m.insurers, layout(m).insurer_rows, strict=True):
        covered = by_p[mine].sum()
        stoploss = ins.close_month(float(covered), m.month, december)
        if stoploss > 0:
            ins.receive_stoploss(float(m.government.pay("stoploss", np.array([stoploss]))[0]))


def book_capacity(m: EcosystemModel, bank: np.ndarray, prod: np.ndarray, amount: np.ndarray) -> None:
    """The capacity new loans use, batch by batch within the month's matching (the next batch's rooms read it):
    banks' lending, guarantors' liability, pools' and funds' cover, and the rewards paid on new loans (they add
    to a bank's capital, and the special fund pays them in order until its budget runs out)."""
    nb = len(m.banks)
    for i, v in enumerate(np.bincount(bank, weights=amount, minlength=nb)):
        if v:  # (a batch is a few banks' loans: nothing to add elsewhere)
            m.banks[i].book_loans(float(v))
    pr = m.products
    liability = amount @ pr.guarantor_shares(len(m.guarantors))[prod]
    for g in m.guarantors:
        if liability[g.index]:
            g.book_guarantees(float(liability[g.index]))
    for pool in m.government.pools:
        sel = (pr.accounts[prod, POOL] == pool.index) & (pr.shares[prod, POOL] > 0)
        pool.book_cover(bank[sel], amount[sel])
    for v in m.ventures:
        v.book_cover(float((amount * pr.shares[prod, VC] * (pr.accounts[prod, VC] == v.index)).sum()))
    basis = m.s.government.subsidies.bank_reward_basis
    rewarded = pr.reward[prod] & (pr.policy[prod] | (basis == "all_new"))
    reward = m.government.reward_new_loans(bank, amount, rewarded, nb)
    for b, amt in zip(m.banks, reward, strict=True):
        if amt:
            b.receive_reward(float(amt))
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
