"""NumPy's ``SeedSequence`` seeding a PCG64, continued from a pool already mixed (``sim.streams.Streams.gen``).

``SeedSequence(entropy, spawn_key=prefix + (a, b, c))`` mixes its entropy words into a pool of four 32-bit
words in order (O'Neill's ``seed_seq_fe``, as ``numpy.random.SeedSequence`` implements it): the first four
words fill and cross-mix the pool, and each later word is hashed into every pool word in turn with a hash
multiplier that advances at every hash. A stream generator's entropy is the run's (entropy, prefix) followed
by three words (stream, month, sub), so the pool after the run's part is computed once per run
(``SeedSequence(entropy, spawn_key=prefix).pool``) and this loop mixes in the last three words and draws the
four 64-bit words PCG64 is seeded from (``generate_state(4, uint64)``): the same numbers, about a tenth of
the cost. ``Streams`` checks the result against NumPy's own ``SeedSequence`` once per run and uses NumPy's
whenever they could differ.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MULT_A = 0x931E8875  # the hash multiplier's step while mixing entropy
INIT_A = 0x43B0D7E5  # the hash multiplier before the first entropy word
_MULT_A, _MULT_B, _INIT_B = np.uint64(MULT_A), np.uint64(0x58F38DED), np.uint64(0x8B51F9DD)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_MASK, _SHIFT, _HIGH = np.uint64(0xFFFFFFFF), np.uint64(16), np.uint64(32)


@njit(cache=True, nogil=True)
def seed_state(pool0, mult, a, b, c):
    """The four 64-bit words ``generate_state(4, uint64)`` of a SeedSequence whose entropy words are those
    that left ``pool0`` (four uint64 holding 32-bit words) with hash multiplier ``mult``, then ``a, b, c``
    (each below 2^32)."""
    pool = pool0.copy()
    for word in (np.uint64(a), np.uint64(b), np.uint64(c)):
        for i in range(4):
            h = word ^ mult
            mult = (mult * _MULT_A) & _MASK
            h = (h * mult) & _MASK
            h ^= h >> _SHIFT
            r = (_MIX_L * pool[i] - _MIX_R * h) & _MASK
            pool[i] = r ^ (r >> _SHIFT)
    out = np.zeros(4, dtype=np.uint64)  # eight 32-bit words, read as four little-endian 64-bit ones
    hb = _INIT_B
    for j in range(8):
        v = pool[j % 4] ^ hb
        hb = (hb * _MULT_B) & _MASK
        v = (v * hb) & _MASK
        out[j // 2] |= (v ^ (v >> _SHIFT)) << (_HIGH * np.uint64(j % 2))
    return out
