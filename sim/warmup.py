"""Compile the model's loops once: ``python -m sim.warmup``.

The rules that touch every firm and the month's matching are numba loops (``sim/kernels/``, ``sim/offers.py``),
compiled on first use and cached beside their sources. From nothing that takes about half a minute of CPU on a
2-core machine, which a first run, a study's first worker or the dashboard's first page would otherwise pay
while someone waits. ``tasks.py setup`` runs this after an install; later processes load the cache (≈0.3 s).
"""

from __future__ import annotations

import time


def warm_up() -> float:
    """Run a small Jiaxing model (banks, guarantors, an insurer, a pool, pledged assets, a burn-in), which uses
    every compiled loop of a run; returns its CPU seconds (mostly compilation when the cache is empty)."""
    from sim import EcosystemModel, load_scenario

    t0 = time.process_time()
    EcosystemModel(load_scenario("jiaxing-2017", {"enterprises.initial_count": 300}), rng=1).run()
    return time.process_time() - t0


if __name__ == "__main__":
    print("compiling the model's loops (once per install) ...", flush=True)
    print(f"done in {warm_up():.1f} s of CPU", flush=True)
