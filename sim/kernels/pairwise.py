"""numpy's pairwise sum taken on the fly: a kernel that computes the terms of a sum row by row can add them as
``ndarray.sum()`` adds the array of them, bit for bit, without writing that array.

numpy's pairwise sum of ``n`` terms (``sim.kernels.sums``) splits the terms into halves until a part has at most
128, sums each such leaf with eight accumulators and adds the halves back up. Which leaves and which additions
depends on ``n`` alone, so a kernel that knows ``n`` asks ``leaves(n)`` for the leaves in order (where each ends)
and how many sums of two halves follow each one, fills a buffer of at most 128 terms per leaf, and after each leaf
calls ``close_leaf``. The total is ``0.0 + stack[0]`` once every leaf is closed (numpy adds the pairwise sum to
0.0; no term at all gives the sum of an empty leaf, ``-0.0``, so ``0.0``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels.sums import _BLOCK, _block, _half

DEPTH = 64  # a stack deep enough for any n below 2**63 (one frame per level of halves, plus one)


@njit(cache=True, nogil=True)
def leaves(n):
    """The leaves of numpy's pairwise sum of ``n`` terms in order: the end of each (``ends``, leaf ``j`` is terms
    ``ends[j - 1]:ends[j]``) and how many sums of two halves follow it (``merges``). Walks the tree as
    ``sim.kernels.sums._pairwise`` does."""
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
def close_leaf(buf, size, stack, sp, merges):
    """Sum a full leaf (``buf[:size]``) onto ``stack`` (``sp`` values on it) and add up the ``merges`` pairs of
    halves it completes; returns the new ``sp``."""
    stack[sp] = _block(buf, 0, size)
    sp += 1
    for _ in range(merges):
        stack[sp - 2] = stack[sp - 2] + stack[sp - 1]
        sp -= 1
    return sp
