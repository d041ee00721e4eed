"""numpy's sums, compiled: a kernel that reports a total the numpy statement it replaced took with ``ndarray.sum()``
calls ``numpy_sum`` to get the same number, bit for bit (numpy adds in pairwise blocks, not left to right).
Kernels that call it refresh their cache when this file changes (``sim.kernels.cache.refresh_when_changed``)."""

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


@njit(cache=True, nogil=True)
def _pairwise(a):
    """numpy's ``pairwise_sum`` of ``a``: blocks of at most 128 terms (``_block``), above that the sum of two
    halves. numpy recurses; this walks the same tree with a stack (numba's cache cannot reload a recursive
    function)."""
    n = a.size
    if n <= _BLOCK:
        return _block(a, 0, n)
    lo_s = np.empty(64, dtype=np.int64)  # frames: start, length, halves done (depth ≤ log2(n / 128) + 1)
    n_s = np.empty(64, dtype=np.int64)
    done_s = np.zeros(64, dtype=np.int64)
    vals = np.empty(64)
    lo_s[0], n_s[0], sp, vp = 0, n, 1, 0
    while sp:
        f = sp - 1
        lo, size = lo_s[f], n_s[f]
        if size <= _BLOCK:
            vals[vp] = _block(a, lo, size)
            vp += 1
            sp -= 1
        elif done_s[f] == 2:  # both halves summed: left + right
            vals[vp - 2] = vals[vp - 2] + vals[vp - 1]
            vp -= 1
            sp -= 1
        else:
            h = _half(size)
            lo_s[sp], n_s[sp], done_s[sp] = (lo, h, 0) if done_s[f] == 0 else (lo + h, size - h, 0)
            done_s[f] += 1
            sp += 1
    return vals[0]


@njit(cache=True, nogil=True)
def numpy_sum(a):
    """``float(a.sum())`` of a 1-d float array, bit for bit (numpy adds the pairwise sum to 0.0)."""
    return 0.0 + _pairwise(a)
