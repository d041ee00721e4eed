"""numpy's sums, compiled: a kernel that reports a total the numpy statement it replaced took with ``ndarray.sum()``
calls ``numpy_sum`` to get the same number, bit for bit (numpy adds in pairwise blocks, not left to right).
Kernels that call it refresh their cache when this file changes (``sim.kernels.cache.refresh_when_changed``).

numpy's pairwise sum of ``n`` terms splits the terms into halves (down to a multiple of 8) until a part has at most
128, sums each such leaf with eight accumulators and adds the halves back up. Which leaves and which additions
depends on ``n`` alone (``leaves``), so a kernel that computes the terms row by row can also add them as
``ndarray.sum()`` adds the array of them without writing that array: it fills a buffer of at most 128 terms per
leaf and after each leaf calls ``close_leaf``; the total is ``0.0 + stack[0]`` once every leaf is closed (numpy
adds the pairwise sum to 0.0; no term at all gives the sum of an empty leaf, ``-0.0``, so ``0.0``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_BLOCK = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True, nogil=True)
def _block(a, lo, n):
    """numpy's ``pairwise_sum`` of ``a[lo:lo + n]`` for n ≤ 128: sequential below 8 terms, else eight
    accumulators."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i, whole = 8, n - n % 8
    while i < whole:
        j = lo + i
        r0, r1, r2, r3 = r0 + a[j], r1 + a[j + 1], r2 + a[j + 2], r3 + a[j + 3]
        r4, r5, r6, r7 = r4 + a[j + 4], r5 + a[j + 5], r6 + a[j + 6], r7 + a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _half(n):
    """Where numpy's pairwise sum cuts ``n`` > 128 terms: half, down to a multiple of 8."""
    h = n // 2
    return h - h % 8


DEPTH = 64  # a stack deep enough for any n below 2**63 (one frame per level of halves, plus one)


@njit(cache=True, nogil=True)
def leaves(n):
    """The leaves of numpy's pairwise sum of ``n`` terms in order: the end of each (``ends``, leaf ``j`` is terms
    ``ends[j - 1]:ends[j]``) and how many sums of two halves follow it (``merges``). numpy recurses; this walks the same
    tree with a stack (numba's cache cannot reload a recursive function)."""
    if n <= _BLOCK:
        return np.full(1, n, dtype=np.int64), np.zeros(1, dtype=np.int64)
    ends = np.empty(n // 32 + 2, dtype=np.int64)  # a split's leaves have at least 64 terms
    merges = np.zeros(n // 32 + 2, dtype=np.int64)
    lo_s = np.empty(DEPTH, dtype=np.int64)
    n_s = np.empty(DEPTH, dtype=np.int64)
    done_s = np.zeros(DEPTH, dtype=np.int64)
    lo_s[0], n_s[0], sp, k = 0, n, 1, 0
    while sp:
        f = sp - 1
        lo, size = lo_s[f], n_s[f]
        if size <= _BLOCK:
            ends[k] = lo + size
            k += 1
            sp -= 1
        elif done_s[f] == 2:
            merges[k - 1] += 1
            sp -= 1
        else:
            h = _half(size)
            lo_s[sp], n_s[sp], done_s[sp] = (lo, h, 0) if done_s[f] == 0 else (lo + h, size - h, 0)
            done_s[f] += 1
            sp += 1
    return ends[:k], merges[:k]


@njit(cache=True, nogil=True, inline="always")  # (a call that passes arrays costs more than the leaf's loop)
def _push(stack, sp, value, merges):
    """Put a leaf's sum on ``stack`` (``sp`` values on it) and add up the ``merges`` pairs of halves it
    completes; returns the new ``sp``."""
    stack[sp] = value
    sp += 1
    for _ in range(merges):
        stack[sp - 2] = stack[sp - 2] + stack[sp - 1]
        sp -= 1
    return sp


@njit(cache=True, nogil=True, inline="always")
def close_leaf(buf, size, stack, sp, merges):
    """Sum a full leaf (``buf[:size]``) onto ``stack`` and add up the pairs of halves it completes (``_push``)."""
    return _push(stack, sp, _block(buf, 0, size), merges)


@njit(cache=True, nogil=True)
def numpy_sum(a):
    """``float(a.sum())`` of a 1-d float array, bit for bit: its leaves summed in place, their halves added up as
    numpy does, then added to 0.0."""
    ends, merges = leaves(a.size)
    stack, sp, lo = np.empty(DEPTH), 0, 0
    for j in range(ends.size):
        sp = _push(stack, sp, _block(a, lo, ends[j] - lo), merges[j])
        lo = ends[j]
    return 0.0 + stack[0]
