"""Compiled loops of the month's loss settlement (``sim.settlement.settle_defaults``): the defaulted loans' claims
(``default_claims``), the loss waterfall itself (``settle``, the rule documented in ``sim.waterfall``) and what the
month's table and the banks take from it (``settle_losses``).

Each is the numpy statement it replaced, term by term and in the same order (``tests/test_kernels_waterfall.py``
keeps those statements as the reference): a sum by group adds in row order as ``np.bincount`` does, a row's sum
adds left to right as ``ndarray.sum(axis=1)`` does on a (k, 7) array, and a column's total is numpy's pairwise
sum (``sim.kernels.sums.numpy_sum``), so results are identical, bit for bit. At a few defaults a month the
numpy statements were some forty small calls; the loops are three.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels import sums
from sim.kernels.cache import refresh_when_changed
from sim.kernels.sums import numpy_sum


@njit(cache=True, nogil=True)
def _max0(x):
    """``np.maximum(x, 0.0)`` (NaN propagates)."""
    return x if (x >= 0.0 or x != x) else 0.0


@njit(cache=True, nogil=True)
def _minimum(x, y):
    """``np.minimum(x, y)`` (NaN propagates)."""
    if x != x or y != y:
        return x + y
    return x if x <= y else y


@njit(cache=True, nogil=True)
def default_claims(active, firm, defaulted, principal, lgd, product, bank, shares, roles, entities, n_banks, debt):
    """End every open loan of the defaulted firms and state its claims.

    For the open rows (``active``) whose firm ``defaulted``, in row order: principal, loss = principal × LGD, the
    claims ``shares[product] × loss`` (k, 7), the role indices of each claim (k, 7: the product's bearers, the
    lending bank in the bank column) and the ledger account bearing it (k, 7), both looked up from the run's
    (product × banks + bank) tables ``roles`` and ``entities``. The rows are closed (``active`` False) and their
    firms' ``debt`` zeroed, in place. ``held[j]``: how many of the claims in column ``j`` name a bearer."""
    hit = np.empty(active.size, dtype=np.int64)  # one pass over the book; the rest over the k defaulted rows
    k = 0
    for i in range(active.size):
        if active[i] and defaulted[firm[i]]:
            hit[k] = i
            k += 1
    out_p, loss = np.empty(k), np.empty(k)
    n_cols = shares.shape[1]
    claims = np.empty((k, n_cols))
    role = np.empty((k, n_cols), dtype=roles.dtype)
    entity = np.empty((k, n_cols), dtype=entities.dtype)
    held = np.zeros(n_cols, dtype=np.int64)
    for r in range(k):
        i = hit[r]
        p = principal[i]
        x = p * lgd[i]
        out_p[r], loss[r] = p, x
        c = product[i] * n_banks + bank[i]
        for j in range(n_cols):
            claims[r, j] = shares[product[i], j] * x
            role[r, j] = roles[c, j]
            entity[r, j] = entities[c, j]
            held[j] += roles[c, j] >= 0
    for r in range(k):
        i = hit[r]
        active[i] = False
        debt[firm[i]] = 0.0
    return out_p, loss, claims, role, entity, held


@njit(cache=True, nogil=True)
def settle(loss, claims, accounts, funds):
    """The loss waterfall (``sim.waterfall.settle`` states the rule): paid (k, 7), the bank's shortfall (k,) and
    the total paid from each account (A,)."""
    k, n_cols = claims.shape
    n_acc = funds.size
    owed = np.zeros(n_acc)
    for i in range(k):
        for j in range(n_cols):
            a = accounts[i, j]
            owed[max(a, 0)] += claims[i, j] if a >= 0 else 0.0
    avail = np.empty(n_acc)
    ratio = np.ones(n_acc)
    for a in range(n_acc):
        avail[a] = _max0(funds[a])
        if owed[a] > avail[a]:
            ratio[a] = avail[a] / owed[a]
    paid = np.empty((k, n_cols))
    totals = np.zeros(n_acc)
    shortfall = np.empty(k)
    for i in range(k):
        row = 0.0
        for j in range(n_cols):
            a = accounts[i, j]
            x = (claims[i, j] if a >= 0 else 0.0) * ratio[max(a, 0)]
            paid[i, j] = x
            totals[max(a, 0)] += x
            row += x
        shortfall[i] = _max0(loss[i] - row)
    for a in range(n_acc):
        if np.isfinite(avail[a]):
            totals[a] = _minimum(totals[a], avail[a])
    return paid, shortfall, totals


@njit(cache=True, nogil=True)
def settle_losses(loss, claims, accounts, funds, principal, bank, n_banks, bank_col):
    """``settle`` on k ≥ 1 defaults, and what the month takes from it: ``flows`` = each party's paid total (7
    columns), the loss and the shortfall (as numpy sums them); ``by_bank`` (3, banks) = the bank's own share paid
    (column ``bank_col``), the shortfall it bears and the defaulted principal; ``error`` = the largest
    |paid + shortfall − loss| of a loan (conservation; NaN if any is)."""
    paid, shortfall, totals = settle(loss, claims, accounts, funds)
    k, n_cols = paid.shape
    flows = np.empty(n_cols + 2)
    for j in range(n_cols):
        flows[j] = numpy_sum(paid[:, j])
    flows[n_cols], flows[n_cols + 1] = numpy_sum(loss), numpy_sum(shortfall)
    by_bank = np.zeros((3, n_banks))
    error = -np.inf
    for i in range(k):
        row = 0.0
        for j in range(n_cols):
            row += paid[i, j]
        e = abs(row + shortfall[i] - loss[i])
        if e > error or e != e:  # once NaN, stays NaN (as ``ndarray.max``)
            error = e
        b = bank[i]
        by_bank[0, b] += paid[i, bank_col]
        by_bank[1, b] += shortfall[i]
        by_bank[2, b] += principal[i]
    return paid, totals, flows, by_bank, error


# settle_losses inlines numpy's sums from sim.kernels.sums: numba's cache would not notice a change there.
refresh_when_changed(settle_losses, sums)
