"""Named random streams with common random numbers.

**The scheme.** Every random process draws from its own named stream. A run has one 64-bit root key, taken from
``SeedSequence(root entropy, spawn key + (domain,))``: the domain separates the plan period (0) from the
burn-in before it (1, see ``sim.burnin``), so the burn-in never reuses the plan's luck, and a spawned child
SeedSequence keeps its own luck. A draw is addressed by ``(stream, month, sub)``, where ``sub`` separates draws
within a stream and month: an application round, or an institution's name (hashed with CRC-32, so that a bank
sees the same noise in every scenario that has a bank of that name). The address is folded into the root key
with the SplitMix64 finaliser, one step per part, giving the draw's key (``Streams.key``).

Every monthly firm-level draw is *counter-based*: the 64-bit word of firm slot ``i`` is SplitMix64 of
``key + (i + 1) × golden ratio`` (``sim.kernels.draws.word_one``) — a pure function of (key, slot), so a slot
gets the same number whichever other slots draw, at a cost in the slots that draw rather than the population.
From the word:

- a uniform on [0, 1): its top 53 bits (``uniform_one``);
- a standard normal by the ziggurat (``ziggurat_one``: Marsaglia & Tsang's method, NumPy's 256-layer variant),
  on the slot's words — the first, and in the 1% of cases that need more, SplitMix64 of the first + j × golden
  ratio, j = 1, 2, …; ≈2–4 ns. Used for the revenue shocks (``dynamics``) and the screening noise of
  institutions and of venture funds (``signal``).

Two ways to ask, the same numbers:

- *Inline*: the compiled loops over the population (``sim.kernels.firms``, ``sim.kernels.defaults``,
  ``sim.offers``) are given the draw's key and call ``uniform_one`` / ``ziggurat_one`` for
  the slots that need a number: revenue shocks, stage advance and graduation of alive firms (``dynamics``,
  ``progress``, ``progress``/graduation), patents of funded firms (``progress``/patents), defaults of the firms
  that can default (``defaults``), new needs (``needs``), R&D setbacks (``insurance``), bond issues
  (``instruments``/bonds), VC rounds and listings of the firms that qualify (``equity``/vc, ``equity``/listing),
  screening noise of applicants (``signal``, each institution its own sub-stream).
- *Arrays*: ``uniform_at`` / ``normal_at`` for given slots (application visibility, renewals and
  postponements at maturity, exits after default, listing venues, grants' patents), ``uniform``
  for every slot ``0..n-1`` (grants; the fixed mode's defaults): a compiled loop, ≈0.2 ns a uniform.

The few draws of several kinds or shapes (the initial population, entrants, the yearly default factor) come
from a generator of their own seeded through ``SeedSequence`` (``gen``), as in earlier versions; the seeding
itself runs compiled from the run's mixed pool (``sim.kernels.seeds``), the same numbers at a tenth of the cost.

Either way a number depends only on the seed, the address and the slot, never on how many draws came before
or which other firms drew. Two scenarios run with the same seed therefore face the same luck wherever policy
does not change the path (Starsim's common random numbers), and a policy that changes nothing gives paired
differences of exactly zero.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.random.bit_generator import ISeedSequence

from sim import kernels
from sim.kernels.seeds import INIT_A, MULT_A, seed_state

STREAMS = (
    "init",  # initial population
    "entry",  # arrivals of new firms
    "dynamics",  # revenue shocks
    "needs",  # financing needs
    "apply",  # whether an application is seen
    "signal",  # institutions' noisy view of a firm
    "defaults",  # idiosyncratic default draws
    "factor",  # common default factor (Vasicek), one draw per model year
    "deferral",  # take-up of 延期还本付息 and the new maturity dates
    "exit",  # exit after default
    "progress",  # stage advance, patents
    "equity",  # VC investment, listing
    "insurance",  # tech-insurance uptake and R&D setbacks
    "instruments",  # pledgeable assets, red list, grants, bonds (issue 10 instruments)
)
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: int) -> int:
    """SplitMix64 finaliser of a 64-bit integer (Python ints: no array overhead for one number)."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class Streams:
    """Per-month draws for each named stream, all derived from one root seed (see the module docstring)."""

    def __init__(self, rng: int | np.random.Generator | np.random.SeedSequence | None, domain: int = 0) -> None:
        if isinstance(rng, np.random.SeedSequence):
            root = rng
        elif isinstance(rng, np.random.Generator):
            root = np.random.SeedSequence(int(rng.integers(2**63)))
        else:
            root = np.random.SeedSequence(rng)
        self.entropy = root.entropy
        self.prefix = (*root.spawn_key, domain)  # a spawned child SeedSequence keeps its own luck
        seq = np.random.SeedSequence(self.entropy, spawn_key=self.prefix)
        self.root_key = int(seq.generate_state(1, np.uint64)[0])
        self._ids = {name: i for i, name in enumerate(STREAMS)}
        self._subs: dict[str, int] = {}
        self._month_keys: dict[tuple[str, int], int] = {}
        self._keys: dict[tuple[str, int, int | str], int] = {}  # this month's draw keys (and any earlier asked)
        self._keys_month = 0
        self._pool = _mixed_pool(self.entropy, self.prefix, seq)

    def key(self, stream: str, month: int, sub: int | str = 0) -> int:
        """The 64-bit key of draw ``(stream, month, sub)`` (model month ``month``, 0 = set-up)."""
        full = self._keys.get((stream, month, sub))
        if full is not None:  # a month asks for the same keys many times
            return full
        k = self._month_keys.get((stream, month))
        if k is None:  # the (stream, month) part, folded once
            k = self.root_key
            for part in (self._ids[stream], month):
                k = _mix((k + (part + 1) * _GOLDEN) & _MASK)
            self._month_keys[(stream, month)] = k
        if month > self._keys_month:  # the month's keys only: a cache that grew all run would keep the
            self._keys.clear()  # garbage collector busy (and it would run over the whole heap)
            self._keys_month = month
        full = self._keys[(stream, month, sub)] = _mix((k + (self._sub(sub) + 1) * _GOLDEN) & _MASK)
        return full

    def _sub(self, sub: int | str) -> int:
        """A sub-stream key: an integer as given, a name hashed (the same name gives the same luck everywhere)."""
        if isinstance(sub, str):
            if sub not in self._subs:
                self._subs[sub] = zlib.crc32(sub.encode())
            return self._subs[sub]
        return int(sub)

    def gen(self, stream: str, month: int, sub: int | str = 0) -> np.random.Generator:
        """A generator of its own for ``(stream, month, sub)``, for the few draws of several kinds or shapes (the
        initial population and its loan stock, entrants, the yearly default factor): PCG64 seeded through
        ``SeedSequence(root entropy, spawn key + (domain, stream, month, sub))``. Building one costs about
        10 µs through NumPy, about 1.5 µs from the run's mixed pool (``sim.kernels.seeds``, the same seed), which
        is one reason the monthly draws are counter-based instead."""
        ids, sub = self._ids[stream], self._sub(sub)
        if self._pool is not None and 0 <= month < 2**32 and 0 <= sub < 2**32:
            return np.random.Generator(np.random.PCG64(_Seeded(seed_state(*self._pool, ids, month, sub))))
        seq = np.random.SeedSequence(self.entropy, spawn_key=(*self.prefix, ids, month, sub))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform(self, stream: str, month: int, n: int, sub: int | str = 0) -> np.ndarray:
        """``n`` uniforms on [0, 1) of ``(stream, month, sub)``, one per firm slot ``0..n-1``: ``uniform_at`` of
        every slot (``sim.kernels.uniforms``, a compiled loop at ≈0.2 ns a number)."""
        return kernels.uniforms(n, np.uint64(self.key(stream, month, sub)))

    def uniform_at(self, stream: str, month: int, slots: np.ndarray, sub: int | str = 0) -> np.ndarray:
        """Uniforms on [0, 1) for the given firm ``slots`` only (counter-based: SplitMix64 of the draw's key and
        the slot, ``sim.kernels.uniform_at``), the same number for a slot whichever other slots are asked for."""
        return kernels.uniform_at(slots, np.uint64(self.key(stream, month, sub)))

    def normal_at(self, stream: str, month: int, slots: np.ndarray, sub: int | str = 0) -> np.ndarray:
        """Standard normals for the given firm ``slots`` only (counter-based: the ziggurat on each slot's words,
        ``sim.kernels.ziggurat_one``), the same number for a slot whichever other slots are asked for."""
        return kernels.normal_at(slots, np.uint64(self.key(stream, month, sub)))


class _Seeded(ISeedSequence):
    """The four 64-bit words a PCG64 is seeded from, already computed (``sim.kernels.seeds``)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != 4 or dtype is not np.uint64:
            raise ValueError("a stream's seed holds the four 64-bit words of a PCG64 only")
        return self.words


def _words(n: int) -> int:
    """How many 32-bit entropy words SeedSequence makes of the integer ``n``."""
    return max(1, -(-n.bit_length() // 32))


def _mixed_pool(entropy: object, prefix: tuple, seq: np.random.SeedSequence) -> tuple[np.ndarray, np.uint64] | None:
    """The pool of ``SeedSequence(entropy, spawn_key=prefix)`` and its hash multiplier after the last word, from
    which ``kernels.seed_state`` continues with a generator's (stream, month, sub); None (NumPy's own seeding)
    unless the entropy and prefix are plain integers and the continuation gives NumPy's numbers."""
    if not isinstance(entropy, (int, np.integer)) or not all(isinstance(k, (int, np.integer)) for k in prefix):
        return None
    n = max(_words(int(entropy)), 4) + sum(_words(int(k)) for k in prefix)  # padded to the pool: a spawn key follows
    mult = INIT_A * pow(MULT_A, 16 + 4 * (n - 4), 2**32) % 2**32  # 4 fills, 12 cross-mixes, 4 per later word
    pool = (seq.pool.astype(np.uint64), np.uint64(mult))
    check = np.random.SeedSequence(entropy, spawn_key=(*prefix, 0, 0, 0)).generate_state(4, np.uint64)
    return pool if np.array_equal(seed_state(*pool, 0, 0, 0), check) else None
