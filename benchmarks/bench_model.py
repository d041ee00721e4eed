"""Speed and memory of one model run against a vectorised numpy floor measured in the same process.

The floor is the cheapest rule one could run over the same firm-months: per firm and month a log random walk of
revenue and a Bernoulli default (one normal and one uniform draw, a few array operations). The model is timed
from construction (which includes its pre-plan burn-in) to the end of ``run()``, and the floor covers the same
firm-months: firms × (burn-in + horizon). Both are timed in CPU seconds of this process (the machine is
shared, so CPU time is steadier than wall time; numpy here is single-threaded), and the ratio model ÷ floor is
the figure to watch. Each size runs in a fresh process, so the peak RSS printed is that run's. Before the
timed run the process runs a 300-firm model once, which loads the compiled loops of ``sim/kernels/`` from
numba's cache (compiles them on the first run after an install); that one-time cost per process is printed
as "warm-up" and not counted in the ratio — a study's worker pays it once for all its runs.

Goals (issue 12): 100k × 60 ≤ 12× the floor; 1M × 120 ≤ 40 s and ≤ 2 GB; one 2k × 60 run of a study ≤ 0.1 s
CPU. The 2k line runs ``REPS`` runs with fresh seeds (each with its own burn-in: "cold") and the same runs again
with the burn-in cached (as the policy run of a pair after its counterfactual: "warm"); a paired study (each
policy run with its counterfactual, ``sim.runs``) runs one of each per pair, so its mean per run is printed too.
The process is set up as a study's worker is: one untimed run, then ``freeze_after_warm_up``.

    python benchmarks/bench_model.py                 # 10k × 60, 100k × 60, 2k × 60 per run
    python benchmarks/bench_model.py --full          # and 1M × 120
    python benchmarks/bench_model.py --size 20000 36 # one size
    python benchmarks/bench_model.py --scenario baseline
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

REPS = 20  # runs of the 2k × 60 study line


def floor(firms: int, months: int, seed: int = 0) -> float:
    """CPU seconds of the floor rule over ``firms`` × ``months`` firm-months."""
    import numpy as np

    t0 = time.process_time()
    gen = np.random.Generator(np.random.PCG64(seed))
    log_rev = np.zeros(firms)
    alive = np.ones(firms, dtype=bool)
    pd_month = 0.004
    for _ in range(months):
        log_rev += 0.002 + 0.08 * gen.standard_normal(firms)
        alive &= gen.random(firms) >= pd_month * np.exp(-0.1 * log_rev)
    return time.process_time() - t0


def scenario(name: str, firms: int, months: int):
    """The bundled scenario ``name`` at ``firms`` firms (entry 0.5% of them a month) over ``months`` months."""
    from sim import load_scenario

    return load_scenario(
        name,
        {"enterprises.initial_count": firms, "enterprises.entry_per_month": firms / 200, "horizon_months": months},
    )


def one(name: str, firms: int, months: int) -> dict:
    """Build and run one model in this process, then the floor over the same firm-months."""
    from sim import EcosystemModel

    s = scenario(name, firms, months)
    t0 = time.process_time()
    EcosystemModel(scenario(name, 300, months), rng=1).run()  # loads the compiled loops (sim/kernels/) once
    warmup = time.process_time() - t0
    t0, w0 = time.process_time(), time.perf_counter()
    model = EcosystemModel(s, rng=2017)
    result = model.run()
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fm = firms * (months + s.burn_in_months)
    fl = floor(firms, months + s.burn_in_months)
    return {
        "firms": firms,
        "months": months,
        "burn_in": s.burn_in_months,
        "cpu_s": cpu,
        "wall_s": wall,
        "floor_s": fl,
        "ns_fm": cpu / fm * 1e9,
        "floor_ns_fm": fl / fm * 1e9,
        "ratio": cpu / fl,
        "peak_mb": peak_mb,
        "loans": int(result.monthly["new_loans"].sum()),
        "warmup_s": warmup,
    }


def study(name: str, firms: int = 2000, months: int = 60) -> dict:
    """CPU per run of a study's ``firms`` × ``months`` runs: cold (own burn-in) and warm (burn-in cached)."""
    from experiments.execution.worker import freeze_after_warm_up
    from sim import EcosystemModel

    s = scenario(name, firms, months)
    EcosystemModel(s, rng=10**6).run()  # imports and first-call caches
    freeze_after_warm_up()  # as a study's worker does after its first run
    cold = warm = 0.0
    for seed in range(REPS):
        t0 = time.process_time()
        EcosystemModel(s, rng=seed).run()
        t1 = time.process_time()
        EcosystemModel(s, rng=seed).run()
        cold, warm = cold + t1 - t0, warm + time.process_time() - t1
    fl = sum(floor(firms, months + s.burn_in_months, seed) for seed in range(REPS)) / REPS
    return {"cold_s": cold / REPS, "warm_s": warm / REPS, "floor_s": fl}


def child(argv: list[str]) -> None:
    """Entry point of the fresh process of one measurement."""
    if argv[1] == "study":
        print(json.dumps(study(argv[0])))
    else:
        print(json.dumps(one(argv[0], int(argv[1]), int(argv[2]))))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run each size in a fresh process and print one table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also 1,000,000 firms × 120 months")
    ap.add_argument("--size", nargs=2, type=int, metavar=("FIRMS", "MONTHS"), help="one size only")
    ap.add_argument("--scenario", default="jiaxing-2017", help="bundled scenario (default jiaxing-2017)")
    ap.add_argument("--no-study", action="store_true", help="skip the 2k × 60 per-run line")
    a = ap.parse_args()
    sizes = [tuple(a.size)] if a.size else [(10_000, 60), (100_000, 60)] + ([(1_000_000, 120)] if a.full else [])
    goals = {(100_000, 60): "ratio ≤ 12", (1_000_000, 120): "≤ 40 s, ≤ 2,048 MB"}
    print(f"scenario {a.scenario}; CPU seconds; firm-months = firms × (burn-in + horizon)")
    print(
        f"{'firms':>9} {'months':>6} {'model s':>8} {'floor s':>8} {'ns/fm':>7} {'floor ns/fm':>11} {'ratio':>6}"
        f" {'wall s':>7} {'peak MB':>8} {'loans':>9}  goal"
    )
    warmups: list[float] = []
    for firms, months in sizes:
        r = run_child(a.scenario, str(firms), str(months))
        print(
            f"{firms:>9,} {months:>6} {r['cpu_s']:>8.2f} {r['floor_s']:>8.3f} {r['ns_fm']:>7.0f}"
            f" {r['floor_ns_fm']:>11.1f} {r['ratio']:>6.1f} {r['wall_s']:>7.2f} {r['peak_mb']:>8.0f}"
            f" {r['loans']:>9,}  {goals.get((firms, months), '')}"
        )
        warmups.append(r["warmup_s"])
    print(f"warm-up per process (300-firm run; loads the compiled loops): {max(warmups):.2f} s CPU")
    if not a.no_study and not a.size:
        r = run_child(a.scenario, "study")
        print(
            f"2,000 firms × 60 months, one run of a study (mean of {REPS}): cold {r['cold_s']:.3f} s,"
            f" warm (burn-in cached) {r['warm_s']:.3f} s CPU, a paired study's mean per run"
            f" {(r['cold_s'] + r['warm_s']) / 2:.3f} s; floor {r['floor_s']:.4f} s; goal ≤ 0.1 s"
        )


if __name__ == "__main__":
    main()
