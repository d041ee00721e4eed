"""Compiled loops over the loan book's rows: a month's interest, fees and premiums with the subsidies asked on
them (``accrue``) and, once the special fund has paid its share of what was asked, the subsidies on each row and
the month's net cost (``net_cost``; both for ``sim.settlement.pay_interest_and_subsidies``); the balances by kind
of loan (``balances_by_kind``, for ``sim.reporters``); the borrowers' columns after new loans
(``register_borrowers``). Each is the numpy rule it replaced term by term: a sum by group adds in row order, as
``np.bincount`` and ``np.add.at`` do, and a total is numpy's pairwise sum of the array the rule made, taken on the
fly (``sim.kernels.sums``), so results are identical (``tests/test_kernels.py``)."""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels import sums
from sim.kernels.cache import refresh_when_changed
from sim.kernels.sums import _BLOCK, DEPTH, close_leaf, leaves


@njit(cache=True, nogil=True)
def accrue(
    principal, active, rate, fee_rate, refee_rate, premium_rate, int_share, fee_share, prem_share, product, bank,
    firm, paid_year, cap, n_products, n_banks,
):  # fmt: skip
    """A month on every row (closed rows give 0): interest, guarantee fee, re-guarantee fee and premium on the
    principal, and the subsidies asked on them (by the shares locked at origination; the interest subsidy at most
    what is left of the firm's yearly ``cap`` in ``paid_year``, a firm beyond it having had none; ``cap`` NaN:
    none). Returns ``totals`` = principal, interest and the interest, fee and premium subsidies asked, each summed
    as ``ndarray.sum`` sums the array of it (``sim.kernels.sums``); the interest subsidy asked on each row;
    ``by_product`` = fee, re-guarantee fee and premium by product; ``by_bank`` = interest by bank (in row order,
    as ``np.bincount``); the largest firm on the book (-1 none)."""
    n = principal.size
    ask_i = np.empty(n)
    by_product = np.zeros((3, n_products))
    by_bank = np.zeros(n_banks)
    b0, b1, b2, b3, b4 = (
        np.empty(_BLOCK),
        np.empty(_BLOCK),
        np.empty(_BLOCK),
        np.empty(_BLOCK),
        np.empty(_BLOCK),
    )  # leaf terms
    s0, s1, s2, s3, s4 = np.empty(DEPTH), np.empty(DEPTH), np.empty(DEPTH), np.empty(DEPTH), np.empty(DEPTH)
    s0[0] = s1[0] = s2[0] = s3[0] = s4[0] = -0.0  # (the sum of no term)
    ends, merges = leaves(n)
    top, capped, leaf, r, sp = -1, cap == cap, 0, 0, 0
    for i in range(n):
        p = principal[i] * active[i]
        interest = p * rate[i] / 12.0
        fee = p * fee_rate[i] / 12.0
        refee = p * refee_rate[i] / 12.0
        prem = p * premium_rate[i] / 12.0
        f = firm[i]
        top = max(top, f)
        asked = interest * int_share[i]
        if capped and asked > 0:  # (nothing asked: the cap leaves it at 0, and the firm's total is not read)
            asked = min(asked, max(cap - (paid_year[f] if f < paid_year.size else 0.0), 0.0))
        ask_i[i] = asked
        b0[r], b1[r], b2[r], b3[r], b4[r] = p, interest, asked, fee * fee_share[i], prem * prem_share[i]
        k = product[i]
        by_product[0, k] += fee
        by_product[1, k] += refee
        by_product[2, k] += prem
        by_bank[bank[i]] += interest
        r += 1
        if i + 1 == ends[leaf]:
            m = merges[leaf]
            close_leaf(b0, r, s0, sp, m)
            close_leaf(b1, r, s1, sp, m)
            close_leaf(b2, r, s2, sp, m)
            close_leaf(b3, r, s3, sp, m)
            sp = close_leaf(b4, r, s4, sp, m)
            leaf, r = leaf + 1, 0
    return np.array([0.0 + s0[0], 0.0 + s1[0], 0.0 + s2[0], 0.0 + s3[0], 0.0 + s4[0]]), ask_i, by_product, by_bank, top


@njit(cache=True, nogil=True)
def net_cost(
    principal, active, rate, fee_rate, premium_rate, fee_share, prem_share, ask_i, firm, paid_year, paid_i, paid_f,
    paid_p,
):  # fmt: skip
    """The subsidies paid on every row (what ``accrue`` found asked × the share of the asked total paid,
    ``paid_*``; NaN: nothing paid) and the month's net cost of the book, interest + fee + premium − subsidies,
    summed as ``ndarray.sum`` sums the array of it. Adds each row's interest subsidy paid to its firm's year total
    ``paid_year`` (rows in order, as ``np.add.at``)."""
    n = principal.size
    buf, stack = np.empty(_BLOCK), np.empty(DEPTH)
    stack[0] = -0.0
    ends, merges = leaves(n)
    pay_i, pay_f, pay_p = paid_i == paid_i, paid_f == paid_f, paid_p == paid_p
    leaf, r, sp = 0, 0, 0
    for i in range(n):
        p = principal[i] * active[i]
        interest = p * rate[i] / 12.0
        fee = p * fee_rate[i] / 12.0
        prem = p * premium_rate[i] / 12.0
        sub_i = ask_i[i] * paid_i if pay_i else 0.0
        sub_f = fee * fee_share[i] * paid_f if pay_f else 0.0
        sub_p = prem * prem_share[i] * paid_p if pay_p else 0.0
        buf[r] = interest + fee + prem - sub_i - sub_f - sub_p
        if sub_i > 0:
            paid_year[firm[i]] += sub_i
        r += 1
        if i + 1 == ends[leaf]:
            sp = close_leaf(buf, r, stack, sp, merges[leaf])
            leaf, r = leaf + 1, 0
    return 0.0 + stack[0]


@njit(cache=True, nogil=True)
def _kind_bits(product_kinds, bank_kinds):
    """Each (product, bank)'s kinds of loan (``balances_by_kind``'s rows) as bits: all (bit 0), then the product's
    and the bank's (row ``product × banks + bank``)."""
    n_p, n_b = product_kinds.shape[0], bank_kinds.shape[0]
    n_bank = bank_kinds.shape[1]
    bits = np.ones(product_kinds.shape[1] * n_bank, dtype=np.int64)
    for c in range(bits.size):
        for k in range(n_p + n_b):
            if product_kinds[k, c // n_bank] if k < n_p else bank_kinds[k - n_p, c % n_bank]:
                bits[c] |= np.int64(1) << (2 + k)
    return bits


@njit(cache=True, nogil=True)
def balances_by_kind(principal, active, firm, product, bank, vc_backed, product_kinds, bank_kinds):
    """The principal of the open rows of each kind of loan: 0 all, 1 loans to VC-backed firms, then one per kind
    of product (``product_kinds``: kinds × products) and of lender (``bank_kinds``: kinds × banks). Each is
    ``principal[open][mask].sum()`` bit for bit: a first pass lays out the open rows' principals and kinds (as
    bits) and counts each kind's rows, which fixes the leaves of numpy's pairwise sum (``sim.kernels.sums``);
    then one tight pass per kind adds up its rows in order."""
    n_bank, n_kinds = bank_kinds.shape[1], 2 + product_kinds.shape[0] + bank_kinds.shape[0]
    bits = _kind_bits(product_kinds, bank_kinds)
    per_bits, count = np.zeros(bits.size, dtype=np.int64), np.zeros(n_kinds, dtype=np.int64)
    x, kind = np.empty(active.size), np.empty(active.size, dtype=np.int64)
    n = 0
    for i in range(active.size):
        if active[i]:
            c, vc = product[i] * n_bank + bank[i], vc_backed[firm[i]]
            x[n], kind[n] = principal[i], bits[c] | (np.int64(vc) << 1)
            per_bits[c] += 1
            count[1] += vc
            n += 1
    for c in range(bits.size):
        for k in range(n_kinds):
            count[k] += per_bits[c] * ((bits[c] >> k) & 1)
    out = np.zeros(n_kinds)  # (a kind without a row: numpy's sum of nothing)
    buf, stack = np.empty(_BLOCK + 1), np.empty(DEPTH)  # (one slot past a leaf: written, not counted, by a non-member)
    for k in range(n_kinds):
        if count[k] == 0:
            continue
        ends, merges = leaves(count[k])
        leaf, limit, q, sp = 0, ends[0], 0, 0
        for i in range(n):
            buf[q] = x[i]
            q += (kind[i] >> k) & 1
            if q == limit:
                sp = close_leaf(buf, q, stack, sp, merges[leaf])
                leaf += 1
                if leaf == ends.size:
                    break
                limit, q = ends[leaf] - ends[leaf - 1], 0
        out[k] = 0.0 + stack[0]
    return out


@njit(cache=True, nogil=True)
def compact(n, active, firm, ints, floats):
    """Drop the closed rows of the first ``n`` once they are more than a tenth of them, keeping the open rows in
    order, in place: ``active`` and the columns ``firm``, ``ints`` and ``floats`` (tuples of columns of one
    dtype each). Returns the rows now in use (``n`` when nothing was dropped)."""
    kept = 0
    for i in range(n):
        kept += active[i]
    if 10 * (n - kept) <= n:
        return n
    rows = np.empty(kept, dtype=np.int64)
    k = 0
    for i in range(n):
        if active[i]:
            rows[k] = i
            k += 1
    _gather(firm, rows)
    for col in ints:
        _gather(col, rows)
    for col in floats:
        _gather(col, rows)
    active[:kept] = True
    return kept


@njit(cache=True, nogil=True)
def _gather(col, rows):
    """``col[:rows.size] = col[rows]`` for increasing ``rows`` (each row read before it is overwritten)."""
    for k in range(rows.size):
        col[k] = col[rows[k]]


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


# These call numpy's sums from sim.kernels.sums: numba's cache would not notice a change there.
for _kernel in (accrue, net_cost, balances_by_kind):
    refresh_when_changed(_kernel, sums)
