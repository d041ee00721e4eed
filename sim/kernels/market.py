"""Compiled loops of the month's matching: the product funnel, each application's best channel at its bank,
and first-come-first-served capacity (the offers themselves: ``sim.offers``)."""

from __future__ import annotations

import numpy as np
from numba import njit

#: Bits of a firm's funnel pattern per product (``funnel_add``): eligible for some channel of the product, for an
#: open one, worth it, accepted. ``funnel_add``'s histogram has one column per pattern and then ``CHEAPEST``.
ELIGIBLE, OPEN, WORTH, ACCEPTED = 1, 2, 4, 8
CHEAPEST = 16


@njit(cache=True, nogil=True)
def funnel_add(hist, beaten, pattern, best_ch, ch_prod):
    """Add one firm's month to the product funnel (``sim.funnel.ProductFunnel``): ``pattern`` (products,) its
    bits per product (``ELIGIBLE | OPEN | WORTH | ACCEPTED`` for any channel of the product), counted in
    ``hist[p, pattern[p]]`` ((products, 17)), and its cheapest accepted channel ``best_ch`` (-1: none), counted
    in ``hist[q, CHEAPEST]`` for its product q and in ``beaten[p, q]`` for every other product p it was
    accepted for. One increment per product: ``funnel_counts`` turns the patterns into the funnel's steps."""
    for p in range(pattern.size):
        hist[p, pattern[p]] += 1
    if best_ch >= 0:
        q = ch_prod[best_ch]
        hist[q, CHEAPEST] += 1
        for p in range(pattern.size):
            if pattern[p] & ACCEPTED and p != q:
                beaten[p, q] += 1


@njit(cache=True, nogil=True)
def funnel_counts(hist, not_in_window, counts):
    """Adds ``funnel_add``'s histogram to ``counts`` (6, products): per product, the firms eligible, eligible while
    no channel of the product is in its window (``not_in_window``), eligible for an open channel, worth it,
    accepted (each implies eligible: an ineligible offer is inert), and accepted as their cheapest."""
    for p in range(not_in_window.size):
        for pat in range(CHEAPEST):
            if pat & ELIGIBLE:
                n = hist[p, pat]
                counts[0, p] += n
                counts[1, p] += n * not_in_window[p]
                counts[2, p] += n * ((pat & OPEN) != 0)
                counts[3, p] += n * ((pat & WORTH) != 0)
                counts[4, p] += n * ((pat & ACCEPTED) != 0)
        counts[5, p] += hist[p, CHEAPEST]


@njit(cache=True, nogil=True)
def best_at_bank(written, rows, bank, bank_cols, n_cols, live):
    """For each application ``rows[j]`` (a row of ``written``, (applicants, channels)) to bank ``bank[j]``: the
    cheapest of the bank's channels still on offer (``bank_cols[b, :n_cols[b]]``, ascending; the first on a
    tie), or -1 when none is or the bank is not ``live``."""
    out = np.full(rows.size, -1, dtype=np.int64)
    for j in range(rows.size):
        b = bank[j]
        if not live[b]:
            continue
        best = np.inf
        for t in range(n_cols[b]):
            c = bank_cols[b, t]
            w = written[rows[j], c]
            if w < best:
                best = w
                out[j] = c
    return out


@njit(cache=True, nogil=True)
def _queued(total, key, amount, room):
    """One application joins its key's first-come queue: whether the running total stays within the key's room
    (+1e-9). A refused application still counts (the queue stops where the room runs out)."""
    total[key] += amount
    return total[key] <= room[key] + 1e-9


@njit(cache=True, nogil=True)
def within_room(keys, amounts, room):
    """First come first served: in array order, each entry's running total within
    its key stays within the key's room (+1e-9); keys < 0 have no limit."""
    ok = np.ones(keys.size, dtype=np.bool_)
    total = np.zeros(room.size)
    for i in range(keys.size):
        if keys[i] >= 0:
            ok[i] = _queued(total, keys[i], amounts[i], room)
    return ok


@njit(cache=True, nogil=True)
def capacity(ch, amount, ch_bank, room_b, g_share, room_g, ch_pool, room_p, ch_fund, fund_share, room_f):
    """Which of a batch of loans (channel ``ch``, ``amount``, in arrival order) the rooms left take, first come
    first served (``Market.batch``): the bank's capital or quota (every application counts in its bank's
    queue), then each guarantor's leverage (its liability ``amount × g_share[ch, g]``, both roles together),
    then the pool's leverage commitment, then the venture fund's (its share ``fund_share``); each later queue
    counts only the loans the earlier ones took. ``ch_pool``/``ch_fund`` < 0: none."""
    ok = np.ones(ch.size, dtype=np.bool_)
    total = np.zeros(room_b.size)
    for j in range(ch.size):
        ok[j] = _queued(total, ch_bank[ch[j]], amount[j], room_b)
    one = np.zeros(1)
    for g in range(room_g.size):
        one[0] = 0.0
        for j in range(ch.size):
            liability = amount[j] * g_share[ch[j], g]
            if ok[j] and liability > 0:
                ok[j] = _queued(one, 0, liability, room_g[g : g + 1])
    total = np.zeros(room_p.size)
    for j in range(ch.size):
        if ok[j] and ch_pool[ch[j]] >= 0:
            ok[j] = _queued(total, ch_pool[ch[j]], amount[j], room_p)
    total = np.zeros(room_f.size)
    for j in range(ch.size):
        c = ch[j]
        if ok[j] and ch_fund[c] >= 0 and fund_share[c] > 0:
            ok[j] = _queued(total, ch_fund[c], amount[j] * fund_share[c], room_f)
    return ok


@njit(cache=True, nogil=True)
def batch(written, amount, rows, bank, bank_cols, n_cols, live, ch_bank, rooms, g_share, ch_pool, ch_fund, fund_share):
    """One batch of a round of applications (``Market.originate``): each application ``rows[j]`` to bank
    ``bank[j]`` goes to the cheapest of the bank's channels still on offer (``best_at_bank``; it leaves when
    there is none or the bank is not ``live``), then the capacity queues take them first come first served
    (``capacity``, against ``rooms`` = (banks, guarantors, pools, funds) rooms). A refused offer is struck from
    ``written`` (its application tries the bank's next channel in the next batch). Returns the accepted
    applications' rows and channels, and the refused ones' rows."""
    ch = best_at_bank(written, rows, bank, bank_cols, n_cols, live)
    keep = ch >= 0
    rows, ch = rows[keep], ch[keep]
    amounts = np.empty(rows.size)
    for j in range(rows.size):
        amounts[j] = amount[rows[j], ch[j]]
    room_b, room_g, room_p, room_f = rooms
    ok = capacity(ch, amounts, ch_bank, room_b, g_share, room_g, ch_pool, room_p, ch_fund, fund_share, room_f)
    for j in range(rows.size):
        if not ok[j]:
            written[rows[j], ch[j]] = np.inf
    return rows[ok], ch[ok], rows[~ok]
