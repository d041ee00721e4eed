"""Counter-based standard normals by the ziggurat method: the normal of (key, firm slot) from a SplitMix64 stream
of that pair, about three times cheaper than NumPy's ``standard_normal`` and without an array of draws.

The method is Marsaglia & Tsang's (2000, "The Ziggurat Method for Generating Random Variables", Journal of
Statistical Software 5(8)) with 256 layers and 52-bit mantissas, as NumPy's own ``standard_normal``: one 64-bit
word gives the layer (8 bits), the sign (1 bit) and the abscissa (52 bits); about 99% of draws end there, the
rest take a wedge test against the density or, in the base layer, Marsaglia's tail algorithm beyond ``R``.

The words come from a SplitMix64 sequence seeded with the draw's key and the slot (``_seed``; the first word is
SplitMix64 of ``key + (slot + 1) × golden ratio``, as ``sim.kernels.draws``' uniforms), so a slot's normal
depends only on the key and the slot: common random numbers, as every other draw of ``sim.streams``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_S8, _S9, _ONE = np.uint64(8), np.uint64(9), np.uint64(1)
_LAYER, _MANTISSA = np.uint64(0xFF), np.uint64(0x000FFFFFFFFFFFFF)

R = 3.6541528853610088  # where the base layer's tail starts (Marsaglia & Tsang, 256 layers)
V = 0.00492867323399  # the area of each layer


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ziggurat's tables (Marsaglia & Tsang's set-up, 256 layers, 52-bit abscissae): ``k`` the integer
    bound under which a draw of the layer is inside the rectangle below the density, ``w`` the scale of the
    abscissa, ``f`` the density at each layer's edge."""
    m = 2.0**52
    k, w, f = np.zeros(256, dtype=np.uint64), np.zeros(256), np.zeros(256)
    d = t = R
    q = V / math.exp(-0.5 * d * d)
    k[0], k[1] = np.uint64((d / q) * m), np.uint64(0)
    w[0], w[255] = q / m, d / m
    f[0], f[255] = 1.0, math.exp(-0.5 * d * d)
    for i in range(254, 0, -1):
        d = math.sqrt(-2.0 * math.log(V / d + math.exp(-0.5 * d * d)))
        k[i + 1] = np.uint64((d / t) * m)
        t = d
        f[i] = math.exp(-0.5 * d * d)
        w[i] = d / m
    return k, w, f


K, W, F = _tables()


@njit(cache=True, nogil=True, error_model="numpy")
def _mix(z):
    """The SplitMix64 finaliser."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True, error_model="numpy")
def _seed(slot, key):
    """The state of (key, slot)'s sequence before its first word."""
    return (np.uint64(slot) + _ONE) * _GOLDEN + key - _GOLDEN


@njit(cache=True, nogil=True, error_model="numpy")
def _slow(state, layer, x, rabs):
    """The ~1% of draws outside a layer's rectangle: the wedge test, or the tail beyond ``R`` in the base layer;
    a rejected draw starts over with the sequence's next words."""
    k, w, f = K, W, F
    while True:
        if layer == 0:  # the tail (Marsaglia 1964)
            while True:
                state += _GOLDEN
                u1 = np.float64(_mix(state) >> _S11) * 2.0**-53
                state += _GOLDEN
                u2 = np.float64(_mix(state) >> _S11) * 2.0**-53
                xx = -math.log1p(-u1) / R
                yy = -math.log1p(-u2)
                if yy + yy > xx * xx:
                    return -(R + xx) if (rabs >> _S8) & _ONE else R + xx
        state += _GOLDEN
        u = np.float64(_mix(state) >> _S11) * 2.0**-53
        if (f[layer - 1] - f[layer]) * u + f[layer] < math.exp(-0.5 * x * x):
            return x
        state += _GOLDEN
        r = _mix(state)
        layer = np.int64(r & _LAYER)
        r >>= _S8
        rabs = (r >> _ONE) & _MANTISSA
        x = np.float64(rabs) * w[layer]
        if r & _ONE:
            x = -x
        if rabs < k[layer]:
            return x


@njit(cache=True, nogil=True, error_model="numpy")
def zig_normal(slot, key):
    """The standard normal of firm slot ``slot`` under the 64-bit draw ``key``. The tables are the module's
    (numba compiles global arrays in as constants: no arrays passed, so no reference counting per call)."""
    k, w = K, W
    state = _seed(slot, key) + _GOLDEN
    r = _mix(state)
    layer = np.int64(r & _LAYER)
    r >>= _S8
    rabs = (r >> _ONE) & _MANTISSA
    x = np.float64(rabs) * w[layer]
    if r & _ONE:
        x = -x
    if rabs < k[layer]:
        return x
    return _slow(state, layer, x, rabs)


@njit(cache=True, nogil=True, error_model="numpy")
def zig_normals(n, key):
    """Standard normals of slots ``0..n-1`` under ``key`` (``zig_normal`` of each)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = zig_normal(i, key)
    return out
