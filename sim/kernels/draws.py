"""Counter-based draws (``sim.streams``): SplitMix64 of a draw's key and the firm slot as a uniform
(``uniform_one``), its inverse normal CDF by Wichura's AS 241 (``normal_one``), and a standard normal by the
ziggurat method on the slot's SplitMix64 words (``ziggurat_one``). Each is a pure function of (key, slot), cheap
enough to call inline in a compiled loop over the population for the slots that need a number."""

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
_TOP = 1.0 - 2.0**-53  # the largest uniform; normals clip to [2^-53, 1 − 2^-53]

# Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3): 477–484: the inverse normal CDF to about
# 1e-16, as rational functions in three ranges of the probability.
_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


@njit(cache=True, nogil=True)
def _poly(c, x):
    """c[0] + c[1] x + … + c[7] x^7 by Horner's rule."""
    return ((((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]) * x + c[0]


@njit(cache=True, nogil=True)
def inverse_normal(p: float) -> float:
    """Φ⁻¹(p) for 0 < p < 1 (AS 241)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_A, r) / _poly(_B, r)
    r = np.sqrt(-np.log(p if q < 0.0 else 1.0 - p))
    z = _poly(_C, r - 1.6) / _poly(_D, r - 1.6) if r <= 5.0 else _poly(_E, r - 5.0) / _poly(_F, r - 5.0)
    return -z if q < 0.0 else z


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


@njit(cache=True, nogil=True)
def normal_one(slot, key):
    """The standard normal of one firm slot: Φ⁻¹ of its uniform, clipped to [2^-53, 1 − 2^-53]."""
    return inverse_normal(min(max(uniform_one(slot, key), 2.0**-53), _TOP))


@njit(cache=True, nogil=True)
def normal_at(slots, key):
    """Standard normals of the given firm slots (``normal_one`` of each)."""
    out = np.empty(slots.size)
    for i in range(slots.size):
        out[i] = normal_one(slots[i], key)
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
def normals(n, key):
    """``ziggurat_one`` of slots 0..n-1 (``Streams.normal``)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = ziggurat_one(i, key)
    return out
