"""Compiled loops of the month's matching: the product funnel, each application's best channel at its bank,
and first-come-first-served capacity."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def funnel(elig, avail, worth, written, ch_prod, window, n_products):
    """One month of the product funnel (``sim.funnel.ProductFunnel.observe``) from (channels, firms) masks and
    the ranking prices of accepted offers (``written``, inf where not accepted). Returns the firms per product
    that were eligible, eligible outside the window, open, worth it, accepted and cheapest — an (6, products)
    array — and ``beaten[p, q]``: firms accepted for p whose cheapest accepted offer was product q ≠ p.

    Channels are the outer loop, so each (channels, firms) row is read in order."""
    nc, k = written.shape
    counts = np.zeros((6, n_products))
    beaten = np.zeros((n_products, n_products))
    in_window = np.zeros(n_products, dtype=np.bool_)
    flags = np.zeros((4, n_products, k), dtype=np.bool_)  # eligible, open, worth, accepted: any channel
    best = np.full(k, np.inf)
    best_ch = np.full(k, -1)
    for c in range(nc):
        p = ch_prod[c]
        in_window[p] |= window[c]
        for i in range(k):
            if elig[c, i]:
                flags[0, p, i] = True
                if avail[c]:
                    flags[1, p, i] = True
            if worth[c, i]:
                flags[2, p, i] = True
            w = written[c, i]
            if w < np.inf:
                flags[3, p, i] = True
                if w < best[i]:  # strictly cheaper: the first channel in order wins a tie
                    best[i] = w
                    best_ch[i] = c
    for p in range(n_products):
        for i in range(k):
            counts[0, p] += flags[0, p, i]
            counts[1, p] += flags[0, p, i] and not in_window[p]
            counts[2, p] += flags[1, p, i]
            counts[3, p] += flags[2, p, i]
            counts[4, p] += flags[3, p, i]
    for i in range(k):
        if best_ch[i] >= 0:
            q = ch_prod[best_ch[i]]
            counts[5, q] += 1
            for p in range(n_products):
                if flags[3, p, i] and p != q:
                    beaten[p, q] += 1
    return counts, beaten


@njit(cache=True, nogil=True)
def best_at_bank(written, rows, bank, bank_cols, n_cols, live):
    """For each application ``rows[j]`` (a column of ``written``, (channels, applicants)) to bank ``bank[j]``:
    the cheapest of the bank's channels still on offer (``bank_cols[b, :n_cols[b]]``, ascending; the first on a
    tie), or -1 when none is or the bank is not ``live``. The bank's t-th channel is the outer loop, so each
    row of ``written`` is read in order (``rows`` ascending)."""
    out = np.full(rows.size, -1, dtype=np.int64)
    best = np.full(rows.size, np.inf)
    for t in range(bank_cols.shape[1]):
        for j in range(rows.size):
            b = bank[j]
            if t < n_cols[b] and live[b]:
                c = bank_cols[b, t]
                w = written[c, rows[j]]
                if w < best[j]:
                    best[j] = w
                    out[j] = c
    return out


@njit(cache=True, nogil=True)
def within_room(keys, amounts, room):
    """First come first served (``sim.market.within_room``): in array order, each entry's running total within
    its key stays within the key's room (+1e-9); keys < 0 have no limit."""
    ok = np.ones(keys.size, dtype=np.bool_)
    total = np.zeros(room.size)
    for i in range(keys.size):
        k = keys[i]
        if k >= 0:
            total[k] += amounts[i]
            ok[i] = total[k] <= room[k] + 1e-9
    return ok
