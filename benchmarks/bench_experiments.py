"""Speed of the experiment runner: its overhead over bare model runs, and a Sobol study on three executors.

1. Runner overhead: 200 runs of 2,000 firms × 60 months as a ``compare`` experiment (serial), against the sum of
   the same 200 bare ``EcosystemModel(...).run(60)`` calls. Target: ≤ 10%.
2. Sobol study: 8 parameters (the pool-design space plus firms' cost tolerance and the yearly budget) over
   the Xianning downturn scenario, 2,000 firms × 60 months, N × (8 + 2) runs, serial vs 2 local worker
   processes vs a 2-worker Dask LocalCluster. Target for N = 256 (2,560 runs): within 10 minutes.

    python benchmarks/bench_experiments.py            # quick: Sobol N = 32 (320 runs per executor)
    python benchmarks/bench_experiments.py --full     # Sobol N = 256 (2,560 runs per executor)
    python benchmarks/bench_experiments.py --skip-overhead --executors processes dask
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from experiments import api
from experiments.designs import replicate_seeds
from experiments.space import Space, load_space
from sim import EcosystemModel, load_scenario

FIRMS = {"enterprises.initial_count": 2000}
MONTHS = 60
EXTRA_PARAMETERS = [
    {
        "path": "enterprises.loan_demand_elasticity",
        "role": "uncertainty",
        "dist": "triang",
        "bounds": [0.3, 1.0],
        "peak": 0.0,
    },
    {"path": "government.annual_budget_wan", "role": "lever", "bounds": [1000, 6000]},
]


def bare_runs(scenario: str, runs: int) -> float:
    """Sum of wall times of bare model runs on the experiment's seeds."""
    s = load_scenario(scenario, FIRMS)
    total = 0.0
    for seed in replicate_seeds(2017, runs):
        t0 = time.perf_counter()
        EcosystemModel(s, rng=seed).run(MONTHS)
        total += time.perf_counter() - t0
    return total


def overhead(scenario: str, runs: int, tmp: Path) -> dict[str, float]:
    """Wall time of a serial compare experiment vs the sum of bare model times for the same seeds, the bare
    runs measured before and after the experiment (their mean is the reference, to damp drift in machine load)."""
    EcosystemModel(load_scenario(scenario, FIRMS), rng=0).run(MONTHS)  # warm-up: imports and caches
    before = bare_runs(scenario, runs)
    t0 = time.perf_counter()
    folder = api.compare([scenario], runs, sets=FIRMS, months=MONTHS, seed=2017, out=tmp / "overhead", progress=False)
    wall = time.perf_counter() - t0
    after = bare_runs(scenario, runs)
    bare = (before + after) / 2
    in_runs = float(pd.read_parquet(folder / "runs.parquet")["wall_s"].sum())
    return {
        "bare_before_s": before,
        "bare_after_s": after,
        "bare_s": bare,
        "experiment_s": wall,
        "in_worker_s": in_runs,
        "overhead": wall / bare - 1,
    }


def sobol_space(base: str) -> Space:
    """The pool-design space with two more parameters (8 in all)."""
    space, _ = load_space("pool-design")
    data = space.model_dump(mode="json")
    data["base"] = base
    data["overrides"] = {**data["overrides"], **FIRMS}
    data["parameters"] += EXTRA_PARAMETERS
    return Space.model_validate(data)


def sobol(space: Space, n: int, executor: str, tmp: Path) -> dict[str, float]:
    """Wall time of a Sobol study on one executor."""
    opts = {"serial": {}, "processes": {"workers": 2}, "dask": {"dask": "local", "workers": 2}}[executor]
    t0 = time.perf_counter()
    folder = api.sensitivity(space, "sobol", n, out=tmp / f"sobol-{executor}", months=MONTHS, progress=True, **opts)
    wall = time.perf_counter() - t0
    runs = pd.read_parquet(folder / "runs.parquet")
    return {"runs": len(runs), "failed": int((runs["status"] != "ok").sum()), "wall_s": wall}


def main() -> None:
    """Run the benchmarks and print a table of figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="Sobol N = 32 (default)")
    size.add_argument("--full", action="store_true", help="Sobol N = 256 (2,560 runs per executor)")
    ap.add_argument("--scenario", default="xianning-2021", help="scenario of the overhead benchmark")
    ap.add_argument("--sobol-scenario", default="xianning-2021-downturn", help="base of the Sobol study")
    ap.add_argument("--runs", type=int, default=200, help="runs of the overhead benchmark (default 200)")
    ap.add_argument("--skip-overhead", action="store_true")
    ap.add_argument("--executors", nargs="+", default=["serial", "processes", "dask"])
    args = ap.parse_args()
    n = 256 if args.full else 32
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes on the machine distort the figures)")
    with tempfile.TemporaryDirectory(prefix="bench-experiments-") as d:
        tmp = Path(d)
        if not args.skip_overhead:
            o = overhead(args.scenario, args.runs, tmp)
            print(f"\nRunner overhead: {args.runs} runs of 2,000 firms × {MONTHS} months ({args.scenario}), serial")
            print(
                f"  bare model runs (sum)     {o['bare_s']:8.1f} s   (before {o['bare_before_s']:.1f}, after "
                f"{o['bare_after_s']:.1f})"
            )
            print(f"  runs inside experiment    {o['in_worker_s']:8.1f} s")
            print(f"  experiment wall time      {o['experiment_s']:8.1f} s")
            print(f"  overhead                  {100 * o['overhead']:8.1f} %   (target ≤ 10%)")
        space = sobol_space(args.sobol_scenario)
        rows = []
        for ex in args.executors:
            r = sobol(space, n, ex, tmp)
            rows.append({"executor": ex, **r})
        if rows:
            serial = next((r["wall_s"] for r in rows if r["executor"] == "serial"), None)
            print(f"\nSobol study: 8 parameters, N = {n}, 2,000 firms × {MONTHS} months ({args.sobol_scenario})")
            print(f"  {'executor':12s} {'runs':>6s} {'failed':>6s} {'wall s':>8s} {'runs/s':>7s} {'speed-up':>8s}")
            for r in rows:
                up = f"{serial / r['wall_s']:7.2f}×" if serial else "      —"
                print(
                    f"  {r['executor']:12s} {r['runs']:6d} {r['failed']:6d} {r['wall_s']:8.1f} "
                    f"{r['runs'] / r['wall_s']:7.2f} {up}"
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
