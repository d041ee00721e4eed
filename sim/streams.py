"""Named random streams with common random numbers.

Every random process draws from its own stream, and each stream gives a fresh generator per month seeded by
``(root entropy, domain, stream id, month, sub)``. The domain separates the plan period (0) from the
burn-in before it (1, see ``sim.burnin``), so the burn-in never reuses the plan's luck. Firm-level draws are
arrays indexed by firm slot: because a generator fills an array in order, slot ``i`` gets the same number
whether the array has 10 or 10,000 entries. Two scenarios run with the same seed therefore face the same luck
wherever policy does not change the path (Starsim's common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

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


class Streams:
    """Per-month generators for each named stream, all derived from one root seed."""

    def __init__(self, rng: int | np.random.Generator | np.random.SeedSequence | None, domain: int = 0) -> None:
        if isinstance(rng, np.random.SeedSequence):
            root = rng
        elif isinstance(rng, np.random.Generator):
            root = np.random.SeedSequence(int(rng.integers(2**63)))
        else:
            root = np.random.SeedSequence(rng)
        self.entropy = root.entropy
        self.prefix = (*root.spawn_key, domain)  # a spawned child SeedSequence keeps its own luck
        self._ids = {name: i for i, name in enumerate(STREAMS)}

    def gen(self, stream: str, month: int, sub: int | str = 0) -> np.random.Generator:
        """The generator of ``stream`` for model month ``month`` (0 = set-up).

        ``sub`` separates draws within a stream and month: an application round, or an institution's name
        (hashed), so that a bank sees the same noise in every scenario that has a bank of that name.
        """
        seq = np.random.SeedSequence(self.entropy, spawn_key=(*self.prefix, self._ids[stream], month, _sub(sub)))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform_at(self, stream: str, month: int, slots: np.ndarray, sub: int | str = 0) -> np.ndarray:
        """Uniforms on [0, 1) for the given firm ``slots`` only: a counter-based draw (SplitMix64 of the stream's
        key and the slot), so slot ``i`` gets the same number whichever other slots are asked for, at a cost in
        the number of slots asked for rather than the population size."""
        key = np.random.SeedSequence(self.entropy, spawn_key=(*self.prefix, self._ids[stream], month, _sub(sub)))
        seed = key.generate_state(1, np.uint64)[0]
        z = (slots.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15) + seed
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
        return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def normal_at(self, stream: str, month: int, slots: np.ndarray, sub: int | str = 0) -> np.ndarray:
        """Standard normals for the given firm ``slots`` only (see ``uniform_at``)."""
        from scipy.special import ndtri

        return ndtri(np.clip(self.uniform_at(stream, month, slots, sub), 2.0**-53, 1.0 - 2.0**-53))

    def uniform(self, stream: str, month: int, n: int, sub: int | str = 0) -> np.ndarray:
        """``n`` uniforms of ``stream`` (sub-stream ``sub``) in ``month``, one per firm slot ``0..n-1``."""
        return self.gen(stream, month, sub).random(n)

    def normal(self, stream: str, month: int, n: int, sub: int | str = 0) -> np.ndarray:
        """``n`` standard normals of ``stream`` (sub-stream ``sub``) in ``month``, one per firm slot."""
        return self.gen(stream, month, sub).standard_normal(n)


def _sub(sub: int | str) -> int:
    """A sub-stream key: an integer as given, a name hashed (the same name gives the same luck everywhere)."""
    return zlib.crc32(sub.encode()) if isinstance(sub, str) else int(sub)
