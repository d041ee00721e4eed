"""Compiled loops of the books' true-ups (``sim.bookings``, ``sim.settlement``): the capacity a batch of new loans
uses (``capacity_batch``), the month end's balances and exposures from the loan book (``true_up``), the fees
each bearer collects (``by_bearer``) and the loans repaid at maturity
(``due_rows``, ``repay``).

Each is the numpy statement it replaced, in the same order: sums by group add in row order as ``np.bincount``
does, sums over an axis as ``ndarray.sum`` does (``sim.kernels.sums.numpy_sum`` where numpy adds pairwise), so
results are identical bit for bit (``tests/test_kernels_bookings.py`` keeps the numpy statements). One exception,
by design: a batch's guarantor liability was a matrix product (BLAS, whose order of addition depends on the
machine's CPU); it is now summed in row order, the same on every machine.

The run's fixed tables (who bears which product) are built once by ``sim.bookings.layout``: for each kind of
bearer ``t`` (pool, guarantor, re-guarantor, insurer, venture fund) the entries ``start[t]:start[t + 1]`` of
``rows`` (product), ``bearer`` (its index among its kind) and ``share``; each kind's parties occupy
``parties[t]:parties[t + 1]`` of a flat array of totals.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels import sums
from sim.kernels.cache import refresh_when_changed
from sim.kernels.sums import numpy_sum


@njit(cache=True, nogil=True)
def capacity_batch(bank, prod, amount, n_banks, g_shares, pool_of, n_pools, rewarded_p):
    """A batch of new loans: the amount lent by each bank; each guarantor's liability (amount × its share of the
    product, as guarantor and re-guarantor); each loan's pool (``pool_of[product]``, -1 none) and the loans
    per pool; whether each loan earns a bank reward (``rewarded_p[product]``)."""
    k = amount.size
    lent = np.zeros(n_banks)
    n_g = g_shares.shape[1]
    liability = np.zeros(n_g)
    pool = np.empty(k, dtype=pool_of.dtype)
    per_pool = np.zeros(n_pools, dtype=np.int64)
    rewarded = np.empty(k, dtype=np.bool_)
    for i in range(k):
        p, x = prod[i], amount[i]
        lent[bank[i]] += x
        for g in range(n_g):
            liability[g] += x * g_shares[p, g]
        q = pool_of[p]
        pool[i] = q
        if 0 <= q < n_pools:
            per_pool[q] += 1
        rewarded[i] = rewarded_p[p]
    return lent, liability, pool, per_pool, rewarded


@njit(cache=True, nogil=True)
def _sum_rows(x, rows):
    """``x[rows].sum(axis=0)`` of a (rows, columns) array as numpy adds it: row after row, except with one column,
    which numpy reduces as a 1-d array (pairwise)."""
    n_cols = x.shape[1]
    if n_cols == 1:
        out = np.empty(1)
        out[0] = numpy_sum(x[rows, 0])
        return out
    out = np.zeros(n_cols)
    for r in rows:
        for b in range(n_cols):
            out[b] += x[r, b]
    return out


@njit(cache=True, nogil=True)
def true_up(
    active, principal, product, bank, n_products, n_banks, rows, bearer, share, start, parties, pool_rows,
    pool_start, ins_rows, ins_start,
):  # fmt: skip
    """The open book's principal by product and bank, and from it: ``balances`` by bank, ``exposure`` (flat, by
    kind of bearer and party: principal by product × share), each pool's covered principal by bank
    (``pool_cover``: the products ``pool_rows[pool_start[i]:pool_start[i + 1]]``) and each insurer's covered
    principal (``ins_cover``, likewise)."""
    by_pb = np.zeros((n_products, n_banks))
    for i in range(active.size):
        if active[i]:
            by_pb[product[i], bank[i]] += principal[i]
    by_p = np.empty(n_products)
    for p in range(n_products):
        by_p[p] = numpy_sum(by_pb[p])
    balances = _sum_rows(by_pb, np.arange(n_products))
    exposure = np.zeros(parties[-1])
    for t in range(start.size - 1):
        for e in range(start[t], start[t + 1]):
            exposure[parties[t] + bearer[e]] += by_p[rows[e]] * share[e]
    pool_cover = np.empty((pool_start.size - 1, n_banks))
    for q in range(pool_start.size - 1):
        pool_cover[q] = _sum_rows(by_pb, pool_rows[pool_start[q] : pool_start[q + 1]])
    ins_cover = np.empty(ins_start.size - 1)
    for q in range(ins_start.size - 1):
        ins_cover[q] = numpy_sum(by_p[ins_rows[ins_start[q] : ins_start[q + 1]]])
    return balances, exposure, pool_cover, ins_cover


@njit(cache=True, nogil=True)
def by_bearer(values, kinds, columns, rows, bearer, start, parties):
    """For each pair (``kinds[c]``, ``columns[c]``): the sum of ``values[columns[c], product]`` over the products
    that kind of bearer bears, by party (flat: pair ``c``'s parties at ``parties[kinds[c]]`` onwards)."""
    out = np.zeros((kinds.size, parties[-1]))
    for c in range(kinds.size):
        t, v = kinds[c], columns[c]
        for e in range(start[t], start[t + 1]):
            out[c, parties[t] + bearer[e]] += values[v, rows[e]]
    return out


@njit(cache=True, nogil=True)
def due_rows(active, maturity, month):
    """The open rows (``active``) falling due by ``month``, in row order."""
    k = 0
    for i in range(active.size):
        k += active[i] and maturity[i] <= month
    due = np.empty(k, dtype=np.int64)
    r = 0
    for i in range(active.size):
        if active[i] and maturity[i] <= month:
            due[r] = i
            r += 1
    return due


@njit(cache=True, nogil=True)
def repay(due, firm, active, debt, deferred_until, alive, listed, black_list):
    """Close the ``due`` rows (repaid): their firms' debt zeroed and any deferral ended, in place. Returns the
    firms and whether each may renew (alive, neither listed nor black-listed)."""
    firms = np.empty(due.size, dtype=firm.dtype)
    renewable = np.empty(due.size, dtype=np.bool_)
    for r in range(due.size):
        i = due[r]
        f = firm[i]
        firms[r] = f
        active[i] = False
        debt[f] = 0.0
        deferred_until[f] = -1
    for r in range(due.size):
        f = firms[r]
        renewable[r] = alive[f] and not listed[f] and not black_list[f]
    return firms, renewable


# These inline numpy's sums from sim.kernels.sums: numba's cache would not notice a change there.
for _kernel in (_sum_rows, true_up):
    refresh_when_changed(_kernel, sums)
