"""Counter-based draws (``sim.streams``): SplitMix64 of a draw's key and the firm slot as a uniform
(``uniform_one``), and a standard normal by the ziggurat method on the slot's SplitMix64 words (``ziggurat_one``).
Each is a pure function of (key, slot), cheap enough to call inline in a compiled loop over the population for
the slots that need a number."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
from numba import njit

# ---- counter-based draws (``sim.streams``: SplitMix64 of the draw's key and the firm slot) -----------------
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)


@njit(cache=True, nogil=True)
def _mix(z):
    """The SplitMix64 finaliser of a 64-bit word."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def word_one(slot, key):
    """The 64-bit word of a firm slot under a draw's key: SplitMix64 of ``key + (slot + 1) × golden ratio``."""
    return _mix((np.uint64(slot) + _ONE) * _GOLDEN + key)


@njit(cache=True, nogil=True)
def _unit(word):
    """The top 53 bits of a word as a uniform on [0, 1)."""
    return np.float64(word >> _S11) * 2.0**-53


@njit(cache=True, nogil=True)
def uniform_one(slot, key):
    """The uniform on [0, 1) of one firm slot under a draw's 64-bit ``key`` (``Streams.uniform_at``): the top 53
    bits of ``word_one``. Compiled loops call it inline for the slots that need a number."""
    return _unit(word_one(slot, key))


@njit(cache=True, nogil=True)
def uniform_at(slots, key):
    """Uniforms on [0, 1) of the given firm slots under a draw's 64-bit ``key`` (``Streams.uniform_at``)."""
    out = np.empty(slots.size)
    for i in range(slots.size):
        out[i] = uniform_one(slots[i], key)
    return out


@njit(cache=True, nogil=True)
def uniforms(n, key):
    """``uniform_one`` of slots 0..n-1 (``Streams.uniform``; a loop the compiler vectorises: ≈0.2 ns a number)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform_one(i, key)
    return out


# ---- the ziggurat (Marsaglia & Tsang 2000, "The ziggurat method for generating random variables", J. Stat.
# Softw. 5(8); NumPy's variant with 256 layers and 52-bit magnitudes, ``random_standard_normal``) ---------------
ZIG_R = 3.6541528853610087963519472518  # the base layer's right edge: 256 layers of equal area
_ZIG_AREA = "0.0049286732339746519"  # the area of each layer (of the unnormalised density e^{−x²/2})


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The layers' edges x (in decimal arithmetic, so every platform gets the same numbers bit for bit) and from
    them, as NumPy's ``ziggurat_constants.h``: ``ki`` (the magnitude below which a point is inside the layer's
    rectangle, in units of 2^-52), ``wi`` (x ÷ 2^52; the base layer's is area ÷ f(r)) and ``fi`` (e^{−x²/2})."""
    with localcontext() as ctx:
        ctx.prec = 30
        r, v = Decimal(repr(ZIG_R)), Decimal(_ZIG_AREA)
        x = [r]
        for _ in range(254):  # x_{i+1} = f⁻¹(f(x_i) + v / x_i), from the tail inwards
            x.append((-2 * ((-x[-1] * x[-1] / 2).exp() + v / x[-1]).ln()).sqrt())
        x = [Decimal(0), *x[::-1]]
        scale = Decimal(2) ** 52
        f = [(-xi * xi / 2).exp() for xi in x]
        ki = [round(r * f[-1] / v * scale)] + [round(x[i - 1] / x[i] * scale) for i in range(1, 256)]
        wi = [v / f[-1] / scale] + [xi / scale for xi in x[1:]]
        return np.array(ki, dtype=np.uint64), np.array([float(w) for w in wi]), np.array([float(y) for y in f])


_KI, _WI, _FI = _ziggurat_tables()
_ZIG_INV_R = 1.0 / ZIG_R
_B8, _B9, _LOW8, _MAG = np.uint64(8), np.uint64(9), np.uint64(0xFF), np.uint64(0x000FFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def ziggurat_rectangle(word):
    """The ziggurat's first step on one word: (x, inside), x the point its layer, sign and magnitude give and
    inside whether it fell in the layer's rectangle (99% of words), in which case x is the normal."""
    idx = word & _LOW8
    rabs = (word >> _B9) & _MAG
    x = np.float64(rabs) * _WI[idx]
    return (-x if (word >> _B8) & _ONE else x), rabs < _KI[idx]


@njit(cache=True, nogil=True)
def ziggurat_one(slot, key):
    """The standard normal of one firm slot under a draw's key, by the ziggurat on the slot's words: the first
    is ``word_one(slot, key)`` = w₀ (99% of slots need no other), the j-th further one SplitMix64 of
    w₀ + j × golden ratio. A word gives a layer (its low 8 bits), a sign (bit 8) and a 52-bit magnitude, consumed
    in NumPy's order (``tests/test_kernels.py`` checks the rule against NumPy's normals on NumPy's words)."""
    w0 = word_one(slot, key)
    w, j = w0, np.uint64(0)
    while True:
        x, inside = ziggurat_rectangle(w)
        if inside:
            return x
        idx, rabs = w & _LOW8, (w >> _B9) & _MAG
        if idx == 0:  # the tail beyond r (Marsaglia 1964)
            while True:
                j += _ONE
                xx = -_ZIG_INV_R * math.log1p(-_unit(_mix(w0 + j * _GOLDEN)))
                j += _ONE
                yy = -math.log1p(-_unit(_mix(w0 + j * _GOLDEN)))
                if yy + yy > xx * xx:
                    return -(ZIG_R + xx) if (rabs >> _B8) & _ONE else ZIG_R + xx
        j += _ONE
        if (_FI[idx - 1] - _FI[idx]) * _unit(_mix(w0 + j * _GOLDEN)) + _FI[idx] < math.exp(-0.5 * x * x):
            return x  # under the density in the layer's wedge
        j += _ONE
        w = _mix(w0 + j * _GOLDEN)


@njit(cache=True, nogil=True)
def normal_at(slots, key):
    """Standard normals of the given firm slots (``ziggurat_one`` of each; ``Streams.normal_at``)."""
    out = np.empty(slots.size)
    for i in range(slots.size):
        out[i] = ziggurat_one(slots[i], key)
    return out
