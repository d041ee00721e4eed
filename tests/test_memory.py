"""Memory across many model constructions: a study builds thousands of models in one process.

Mesa 3.3 keeps a class-level reference to every model in ``mesa.Agent._ids``; ``sim.model.release_agent_ids``
drops it (Mesa 3.5 has no such reference). Both checks fail if any reference to a finished model is kept.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref

from sim.model import EcosystemModel
from sim.scenario import load_scenario

MODELS = 200


def _small():
    return load_scenario("baseline", {"enterprises.initial_count": 100, "horizon_months": 2})


def test_no_model_outlives_its_run():
    s = _small()
    refs = []
    for seed in range(MODELS):
        m = EcosystemModel(s, rng=seed)
        m.run()
        refs.append(weakref.ref(m))
    del m
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive == 0, f"{alive} of {MODELS} models still referenced after their runs"


def test_traced_memory_does_not_grow_with_model_count():
    s = _small()

    def build(n: int, first_seed: int) -> None:
        for seed in range(first_seed, first_seed + n):
            EcosystemModel(s, rng=seed).run()
        gc.collect()

    build(20, 0)  # warm-up: imports, caches, first allocations
    tracemalloc.start()
    try:
        build(20, 100)
        after_20 = tracemalloc.get_traced_memory()[0]
        build(MODELS, 1000)
        after_220 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    growth_per_model = (after_220 - after_20) / MODELS
    # A leaked model of 100 firms holds ≈100 kB (its book, population and DataCollector); 2 kB a model allows
    # interpreter caches and nothing per model.
    assert growth_per_model < 2_000, f"memory grew {growth_per_model:,.0f} bytes per model"


def test_the_population_is_sized_once_for_the_run(monkeypatch):
    """The plan period starts from the burn-in's firms with room for the horizon's entrants: the population's
    arrays (some thirty columns) are not reallocated at twice their size during the run."""
    from agents.enterprise import Enterprises

    grown = []
    real = Enterprises._grow
    monkeypatch.setattr(Enterprises, "_grow", lambda self, need: (grown.append(need > self._cap), real(self, need)))
    s = load_scenario("jiaxing-2017", {"enterprises.initial_count": 3000, "enterprises.entry_per_month": 60})
    m = EcosystemModel(s, rng=4)
    m.run()
    assert m.s.burn_in_months > 0 and m.pop.n > 3000 + 60 * m.horizon * 0.8
    assert not any(grown), "the population's arrays were reallocated during the run"
