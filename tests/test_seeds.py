"""A stream's own generator (``Streams.gen``) is seeded exactly as ``SeedSequence(entropy, spawn_key=prefix +
(stream, month, sub))`` would seed it, whichever way the root seed was given; the compiled continuation of the
run's pool (``sim.kernels.seeds``) is used only where it gives NumPy's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels.seeds import INIT_A, MULT_A, seed_state
from sim.streams import Streams, _words


def _numpy_gen(s: Streams, stream: str, month: int, sub: int | str) -> np.random.Generator:
    seq = np.random.SeedSequence(s.entropy, spawn_key=(*s.prefix, s._ids[stream], month, s._sub(sub)))
    return np.random.Generator(np.random.PCG64(seq))


@pytest.mark.parametrize(
    "rng",
    [0, 7, 2**40 + 3, 2**130 + 1, None, np.int64(11), np.random.SeedSequence(5).spawn(3)[2], np.random.default_rng(3)],
)
@pytest.mark.parametrize("domain", [0, 1])
def test_stream_generators_are_numpys_seed_sequence(rng, domain: int) -> None:
    s = Streams(rng, domain=domain)
    assert s._pool is not None  # plain integer seeds: the compiled seeding is used
    for stream, month, sub in [("entry", 5, 0), ("init", 0, "attributes"), ("factor", 3, 0), ("init", 0, "loan stock")]:
        assert s.gen(stream, month, sub).bit_generator.state == _numpy_gen(s, stream, month, sub).bit_generator.state
    big = s.gen("entry", 2**33, 2**32 + 5)  # words beyond 32 bits: NumPy's own seeding
    assert big.bit_generator.state == _numpy_gen(s, "entry", 2**33, 2**32 + 5).bit_generator.state


def test_seed_state_continues_any_pool_as_seed_sequence() -> None:
    rng = np.random.default_rng(1)
    for _ in range(300):
        entropy = int(rng.integers(0, 2**63)) >> int(rng.integers(0, 63))
        prefix = tuple(int(k) for k in rng.integers(0, 2**33, size=int(rng.integers(1, 4))))
        seq = np.random.SeedSequence(entropy, spawn_key=prefix)
        n = max(_words(entropy), 4) + sum(_words(k) for k in prefix)
        mult = np.uint64(INIT_A * pow(MULT_A, 16 + 4 * (n - 4), 2**32) % 2**32)
        a, b, c = (int(x) for x in rng.integers(0, 2**32, size=3))
        want = np.random.SeedSequence(entropy, spawn_key=(*prefix, a, b, c)).generate_state(4, np.uint64)
        assert np.array_equal(seed_state(seq.pool.astype(np.uint64), mult, a, b, c), want)


def test_a_wrong_pool_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the continuation ever disagreed with NumPy (another NumPy's SeedSequence), Streams would not use it."""
    import sim.streams as streams

    monkeypatch.setattr(streams, "MULT_A", MULT_A + 2)
    s = Streams(7)
    assert s._pool is None
    assert s.gen("entry", 5).bit_generator.state == _numpy_gen(s, "entry", 5, 0).bit_generator.state


def test_population_draws_are_splitmix64_of_the_key_and_slot_over_the_whole_key_range() -> None:
    """A population draw's slot ``i`` gets the top 53 bits of SplitMix64 of ``key + (i + 1) × golden`` (the
    counter-based draw of ``uniform_at``), over the whole 64-bit range of keys, as the Python finaliser computes
    them."""
    from sim.kernels.draws import uniforms
    from sim.streams import _GOLDEN, _MASK, _mix

    rng = np.random.default_rng(2)
    keys = [0, 1, 2**63 - 1, 2**63, 2**64 - 1, *(int(k) for k in rng.integers(0, 2**64 - 1, 200, dtype=np.uint64))]
    for key in keys:
        want = [(_mix((key + (i + 1) * _GOLDEN) & _MASK) >> 11) * 2.0**-53 for i in range(5)]
        assert uniforms(5, np.uint64(key)).tolist() == want
