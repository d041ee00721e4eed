"""Compiled loops over the loan book's rows: a month's interest, fees and premiums with the subsidies asked on
them (``accrue``, for ``sim.settlement.pay_interest_and_subsidies``) and the per-firm yearly cap on interest
subsidies (``cap_per_firm``, ``add_per_firm``, for ``Government.pay_subsidies``). Each is the numpy rule it
replaced term by term; a sum by group adds in row order, as ``np.bincount`` and ``np.add.at`` do, so results
are identical (``tests/test_kernels.py``)."""

from __future__ import annotations

import numpy as np
from numba import njit

P, INTEREST, FEE, REFEE, PREMIUM = range(5)  # rows of ``accrue``'s flows


@njit(cache=True, nogil=True)
def accrue(
    principal, active, rate, fee_rate, refee_rate, premium_rate, int_share, fee_share, prem_share, product, bank,
    n_products, n_banks,
):  # fmt: skip
    """A month on every row (closed rows give 0): ``flows`` = principal, interest, guarantee fee, re-guarantee
    fee and premium (rows ``P`` … ``PREMIUM``); ``asked`` = the interest, fee and premium subsidies on them (by
    the shares locked at origination); ``by_product`` = fee, re-guarantee fee and premium by product;
    ``by_bank`` = interest by bank."""
    n = principal.size
    flows = np.empty((5, n))
    asked = np.empty((3, n))
    by_product = np.zeros((3, n_products))
    by_bank = np.zeros(n_banks)
    for i in range(n):
        p = principal[i] * active[i]
        interest = p * rate[i] / 12.0
        fee = p * fee_rate[i] / 12.0
        refee = p * refee_rate[i] / 12.0
        prem = p * premium_rate[i] / 12.0
        flows[P, i], flows[INTEREST, i], flows[FEE, i], flows[REFEE, i], flows[PREMIUM, i] = (
            p,
            interest,
            fee,
            refee,
            prem,
        )
        asked[0, i], asked[1, i], asked[2, i] = interest * int_share[i], fee * fee_share[i], prem * prem_share[i]
        k = product[i]
        by_product[0, k] += fee
        by_product[1, k] += refee
        by_product[2, k] += prem
        by_bank[bank[i]] += interest
    return flows, asked, by_product, by_bank


@njit(cache=True, nogil=True)
def cap_per_firm(asked, firm, paid_year, cap):
    """Interest subsidy asked on each row, at most what is left of the firm's yearly ``cap`` (in place)."""
    for i in range(asked.size):
        asked[i] = min(asked[i], max(cap - paid_year[firm[i]], 0.0))


@njit(cache=True, nogil=True)
def add_per_firm(paid_year, firm, paid):
    """Add the interest subsidy paid on each row to its firm's year total (rows in order, as ``np.add.at``)."""
    for i in range(paid.size):
        if paid[i] > 0:
            paid_year[firm[i]] += paid[i]


@njit(cache=True, nogil=True)
def balances_by_kind(principal, active, firm, product, bank, vc_backed, product_kinds, bank_kinds):
    """The principal of the open rows, in row order, of each kind of loan: row 0 all, row 1 loans to VC-backed
    firms, then one row per kind of product (``product_kinds``: kinds × products) and of lender
    (``bank_kinds``: kinds × banks). Returns the rows and the count in each; ``rows[k, :count[k]].sum()`` is
    ``principal[open][mask].sum()`` bit for bit (the same numbers in the same order, summed by numpy)."""
    n_p, n_b = product_kinds.shape[0], bank_kinds.shape[0]
    out = np.empty((2 + n_p + n_b, int(active.sum())))
    count = np.zeros(2 + n_p + n_b, dtype=np.int64)
    for i in range(principal.size):
        if not active[i]:
            continue
        x = principal[i]
        out[0, count[0]] = x
        count[0] += 1
        out[1, count[1]] = x
        count[1] += vc_backed[firm[i]]
        for k in range(n_p):
            out[2 + k, count[2 + k]] = x
            count[2 + k] += product_kinds[k, product[i]]
        for k in range(n_b):
            out[2 + n_p + k, count[2 + n_p + k]] = x
            count[2 + n_p + k] += bank_kinds[k, bank[i]]
    return out, count


@njit(cache=True, nogil=True)
def register_borrowers(
    slots, prod, amount, cost, month, term_p, policy_p, first_loan, served, tf_served, debt, cost_rate, term, need,
    need_age, vintage_month, vintage_policy, vintage_stage, stage,
):  # fmt: skip
    """New loans on the borrowers' columns (``sim.bookings.register_new_loans``): debt, its cost and term, need met,
    served (and reached by sci-tech finance under a policy product), and the vintage of a firm's first loan in the
    run. Returns how many of them had never borrowed. Every test reads the columns as they were before the batch
    (as the numpy statements did)."""
    k = slots.size
    first = 0
    first_in_run = np.empty(k, dtype=np.bool_)
    for j in range(k):
        s = slots[j]
        first += not first_loan[s]
        first_in_run[j] = vintage_month[s] < 0
    for j in range(k):
        s, p = slots[j], prod[j]
        first_loan[s] = served[s] = True
        if policy_p[p]:
            tf_served[s] = True
        debt[s], cost_rate[s], term[s] = amount[j], cost[j], term_p[p]
        need[s], need_age[s] = 0.0, 0
        if first_in_run[j]:
            vintage_month[s], vintage_policy[s], vintage_stage[s] = month, policy_p[p], stage[s]
    return first
