"""Speed of the experiment runner: its per-run overhead on three executors, and a batched study's throughput.

1. Per-run overhead: ``compare`` studies of 2,000 firms × 60 months on serial, 2 local worker processes and a
   2-worker Dask LocalCluster. The overhead is the CPU time of the experiment's process and every process under
   it (forkserver, workers, nannies, the scheduler; polled while the study runs, so a pool restarted for each
   study counts too) beyond the model's own CPU time in the same study: every ``sim.runs.run_scenario`` call
   is timed in its worker thread's CPU time and reported back with its batch. The same runs' model time is so
   taken out exactly, whatever the machine's load does to it (a run takes about 15% more CPU while the other
   core is busy too, which the "model ms" column shows and which is not the runner's cost). A worker's untimed
   first run of a study is counted as the runner's. Each executor is started and runs a 2-run study ("start":
   pool or cluster start, the workers' imports and compiled loops), then a 10-run and a 60-run study on it:
   their difference is the cost per run, the rest of the 10-run study the fixed cost of a study (folder,
   consolidation, analyses, a pool's restart). The process pools' forkserver is started once per experiment
   process; its CPU is printed on its own. ``--repeat N`` measures N times and prints the range.
2. Throughput: a Latin-hypercube sweep (8 parameters over the Xianning downturn scenario, 2,000 firms × 60
   months, one run per point, batched) on 2 local processes and on Dask, in runs per second against the floor
   of the same 2 workers doing nothing but bare model runs (``workers / model seconds per run``), and the CPU
   spent per run by the whole process tree against the model's own CPU time per run (the model's share).

    python benchmarks/bench_experiments.py            # overhead 10 / 60 runs; a 200-run study
    python benchmarks/bench_experiments.py --full     # overhead 10 / 200 runs; a 2,000-run study
    python benchmarks/bench_experiments.py --small    # overhead on 200 firms × 12 months without burn-in, where
                                                      # the runner's cost is not lost in the model's noise
    python benchmarks/bench_experiments.py --skip-throughput --repeat 3
    python benchmarks/bench_experiments.py --skip-overhead --executors processes
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import psutil

from experiments import api
from experiments.execution.executors import NOT_SHARED, Executor, make_executor
from experiments.plan.space import Space, load_space
from sim import EcosystemModel, load_scenario

FIRMS = {"enterprises.initial_count": 2000}
MONTHS = 60
WORKERS = 2
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
EXECUTOR_OPTS = {"serial": {}, "processes": {"workers": WORKERS}, "dask": {"dask": "local", "workers": WORKERS}}


def clock_the_model() -> None:
    """In this process (once): time every ``sim.runs.run_scenario`` call (the model's run and result tables, as
    ``EcosystemModel(...).run()``) in the calling thread's CPU time, added up in ``sim.runs.bench_model_cpu``, and
    count the calls in ``sim.runs.bench_model_calls``."""
    import sim.runs

    if getattr(sim.runs, "bench_model_cpu", None) is not None:
        return
    inner = sim.runs.run_scenario

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            sim.runs.bench_model_cpu += time.thread_time() - t0
            sim.runs.bench_model_calls += 1

    sim.runs.bench_model_cpu, sim.runs.bench_model_calls = 0.0, 0
    sim.runs.run_scenario = timed


class ModelClock:
    """A worker function that also reports the model's CPU time and runs inside it (``model`` on its result)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        import sim.runs

        clock_the_model()
        cpu, calls = sim.runs.bench_model_cpu, sim.runs.bench_model_calls
        result = self.fn(*args)
        result.model = (sim.runs.bench_model_cpu - cpu, sim.runs.bench_model_calls - calls)
        return result


class Clocked(Executor):
    """An executor whose tasks report the model's CPU time and runs inside them, added up in ``model_cpu`` and
    ``model_runs`` (a worker's first run of a study runs twice, once untimed)."""

    def __init__(self, inner: Executor) -> None:
        self.inner, self.name, self.model_cpu, self.model_runs = inner, inner.name, 0.0, 0

    @property
    def workers(self) -> int:  # type: ignore[override]
        """The inner executor's workers."""
        return self.inner.workers

    def run(self, fn: Any, tasks: Any, shared: Any = NOT_SHARED) -> Any:
        """The inner executor's results, counting each task's model time."""
        for task, result in self.inner.run(ModelClock(fn), tasks, shared):
            cpu, runs = getattr(result, "model", (0.0, 0))
            self.model_cpu, self.model_runs = self.model_cpu + cpu, self.model_runs + runs
            yield task, result

    def close(self) -> None:
        """Close the inner executor."""
        self.inner.close()


def start_forkserver() -> float:
    """Start the process pools' forkserver (once per experiment process) and return the CPU seconds it took."""
    with CpuMeter() as meter, make_executor(WORKERS) as ex:
        list(ex.run(abs, [-1, -2]))
    return meter.seconds


class CpuMeter:
    """CPU seconds of this process and every process under it while the meter runs, processes that start or exit
    meanwhile included (a pool restarted for each study): polled every ``every`` seconds, each process counted at
    its last poll; the polling thread's own CPU is left out."""

    def __init__(self, every: float = 0.25) -> None:
        self.every, self.last, self.own = every, {}, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> CpuMeter:
        self._poll()
        self.base = dict(self.last)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()

    @property
    def seconds(self) -> float:
        """CPU seconds used by the tree since the meter started."""
        return sum(cpu - self.base.get(pid, 0.0) for pid, cpu in self.last.items()) - self.own

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._poll()
        self.own = time.thread_time()

    def _poll(self) -> None:
        me = psutil.Process()
        for p in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                self.last[p.pid] = t.user + t.system


def study(ex: Clocked, scenario: str, runs: int, out: Path) -> tuple[float, float, float]:
    """(CPU seconds of the process tree, of them inside the model for the study's ``runs`` runs, wall seconds) of
    a ``compare`` study on ``ex``; a worker's untimed first run is the runner's cost, not the study's model."""
    t0, m0, r0 = time.perf_counter(), ex.model_cpu, ex.model_runs
    with CpuMeter() as cpu:
        api.compare([scenario], runs, sets=FIRMS, months=MONTHS, seed=2017, out=out, progress=False, executor=ex)
    model = (ex.model_cpu - m0) * runs / max(1, ex.model_runs - r0)
    return cpu.seconds, model, time.perf_counter() - t0


def overhead(scenario: str, small: int, big: int, executors: list[str], tmp: Path, repeat: int) -> list[dict]:
    """Per executor and repeat, CPU time beyond the model's own runs in the same study: the executor's start (and
    its workers' first run), the fixed cost of a study and the cost per run. Each executor is started, runs a
    2-run study, then a small and a big one: their difference gives the cost per run."""
    rows = []
    for k in range(repeat):
        for name in executors:
            opts, out = EXECUTOR_OPTS[name], tmp / f"r{k}-{name}"
            with CpuMeter() as started:
                ex = Clocked(make_executor(opts.get("workers", 1), opts.get("dask")))
                _, warm_model, _ = study(ex, scenario, 2, out / "warm")
            try:
                c_small, m_small, _ = study(ex, scenario, small, out / "small")
                c_big, m_big, wall = study(ex, scenario, big, out / "big")
            finally:
                ex.close()
            per_run = ((c_big - m_big) - (c_small - m_small)) / (big - small)
            rows.append(
                {
                    "executor": name,
                    "model_ms": 1000 * m_big / big,
                    "per_run_ms": 1000 * per_run,
                    "start_s": started.seconds - warm_model,
                    "fixed_s": c_small - m_small - small * per_run,
                    "all_in_ms": 1000 * (c_big - m_big) / big,
                    "wall_big": wall,
                }
            )
    return rows


def study_space(base: str) -> Space:
    """The pool-design space with two more parameters (8 in all)."""
    space, _ = load_space("pool-design")
    data = space.model_dump(mode="json")
    data["base"] = base
    data["overrides"] = {**data["overrides"], **FIRMS}
    data["parameters"] += EXTRA_PARAMETERS
    return Space.model_validate(data)


def throughput(space: Space, n: int, executor: str, tmp: Path) -> dict[str, float]:
    """Wall time, runs per second and CPU seconds (the whole process tree) of an ``n``-run Latin-hypercube sweep
    on one executor."""
    opts = EXECUTOR_OPTS[executor]
    t0 = time.perf_counter()
    with CpuMeter() as meter:
        ex = make_executor(opts.get("workers", 1), opts.get("dask"))
        try:
            folder = api.sweep(
                space, "lhs", n, out=tmp / f"sweep-{executor}", months=MONTHS, progress=True, executor=ex
            )
            wall = time.perf_counter() - t0
        finally:
            ex.close()
    cpu = meter.seconds
    runs = pd.read_parquet(folder / "runs.parquet")
    return {"runs": len(runs), "failed": int((runs["status"] != "ok").sum()), "wall_s": wall, "cpu_s": cpu}


def print_overhead(rows: list[dict], small: int, big: int, scenario: str, forkserver_s: float | None) -> None:
    """The per-run overhead table: the median of the repeats, and the range of the per-run figure."""
    firms = FIRMS["enterprises.initial_count"]
    print(f"\nPer-run overhead: compare studies of {firms:,} firms × {MONTHS} months ({scenario}), CPU time")
    if forkserver_s is not None:
        print(f"  forkserver of the process pools, once per experiment process: {forkserver_s:.2f} s")
    print(
        f"  {'executor':10s} {'model ms':>8s} {'per run ms':>10s} {'range':>15s} {'start s':>7s} {'fixed s':>7s} "
        f"{f'all-in ms ({big})':>16s} {'wall s':>7s}"
    )
    executors = list(dict.fromkeys(r["executor"] for r in rows))
    for ex in executors:
        mine = [r for r in rows if r["executor"] == ex]
        med = {k: statistics.median(r[k] for r in mine) for k in mine[0] if k != "executor"}
        low, high = min(r["per_run_ms"] for r in mine), max(r["per_run_ms"] for r in mine)
        span = f"{low:.1f} … {high:.1f}" if len(mine) > 1 else ""
        print(
            f"  {ex:10s} {med['model_ms']:8.0f} {med['per_run_ms']:10.1f} {span:>15s} {med['start_s']:7.2f} "
            f"{med['fixed_s']:7.2f} {med['all_in_ms']:16.1f} {med['wall_big']:7.1f}"
        )
    print(
        f"  model: CPU per run inside the study's own runs; per run: marginal CPU between {small} and {big} runs"
        f" beyond the model's;\n  start: the executor's start and its workers' first run; fixed: the rest of a"
        f" study; all-in: a {big}-run study's CPU per run beyond the model's, start excluded;\n"
        f"  median of {len(rows) // len(executors)}"
    )


def main() -> None:
    """Run the benchmarks and print tables of figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="overhead up to 200 runs; a 2,000-run study")
    ap.add_argument("--scenario", default="xianning-2021", help="scenario of the overhead benchmark")
    ap.add_argument("--study-scenario", default="xianning-2021-downturn", help="base of the throughput study")
    ap.add_argument("--small", action="store_true", help="overhead on 200 firms × 12 months, no burn-in; 400 runs")
    ap.add_argument("--skip-overhead", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--executors", nargs="+", default=["serial", "processes", "dask"])
    ap.add_argument("--repeat", type=int, default=1, help="measure the overhead this many times (range printed)")
    args = ap.parse_args()
    small, big = (10, 200) if args.full else (10, 60)
    global FIRMS, MONTHS
    size = FIRMS, MONTHS
    if args.small:
        FIRMS, MONTHS, small, big = {"enterprises.initial_count": 200, "burn_in_months": 0}, 12, 20, 420
    n = 2000 if args.full else 200
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes on the machine distort wall times)")
    with tempfile.TemporaryDirectory(prefix="bench-experiments-") as d:
        tmp = Path(d)
        if not args.skip_overhead:
            forkserver = start_forkserver() if "processes" in args.executors else None
            rows = overhead(args.scenario, small, big, args.executors, tmp, max(1, args.repeat))
            print_overhead(rows, small, big, args.scenario, forkserver)
        FIRMS, MONTHS = size
        if not args.skip_throughput:
            parallel = [e for e in args.executors if e != "serial"]
            space = study_space(args.study_scenario)
            model_wall, model_cpu = bare_times(args.study_scenario, 5)
            rows = [{"executor": ex, **throughput(space, n, ex, tmp)} for ex in parallel]
            print_throughput(rows, n, model_wall, model_cpu, args.study_scenario)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def bare_times(scenario: str, runs: int) -> tuple[float, float]:
    """Wall and CPU seconds per bare model run of ``scenario`` at 2,000 firms × 60 months, in this process."""
    s = load_scenario(scenario, FIRMS)
    t0, c0 = time.perf_counter(), time.process_time()
    for seed in range(runs):
        EcosystemModel(s, rng=seed).run(MONTHS)
    return (time.perf_counter() - t0) / runs, (time.process_time() - c0) / runs


def print_throughput(rows: list[dict], n: int, model_wall: float, model_cpu: float, scenario: str) -> None:
    """The throughput table: runs per second against the floor, and the model's share of the CPU spent."""
    floor = WORKERS / model_wall
    print(f"\nBatched study: {n} Latin-hypercube points of 8 parameters, 2,000 firms × {MONTHS} months ({scenario})")
    print(f"  model per run (bare, this process): {1000 * model_wall:.0f} ms wall, {1000 * model_cpu:.0f} ms CPU")
    print(f"  floor with {WORKERS} workers: {floor:.2f} runs/s (if both cores were free)")
    print(
        f"  {'executor':10s} {'runs':>6s} {'failed':>6s} {'wall s':>8s} {'runs/s':>7s} {'of floor':>8s} "
        f"{'CPU ms/run':>10s} {'model share':>11s}"
    )
    for r in rows:
        rate, cpu = r["runs"] / r["wall_s"], r["cpu_s"] / r["runs"]
        print(
            f"  {r['executor']:10s} {r['runs']:6d} {r['failed']:6d} {r['wall_s']:8.1f} {rate:7.2f} "
            f"{100 * rate / floor:7.0f}% {1000 * cpu:10.0f} {100 * model_cpu / cpu:10.0f}%"
        )


if __name__ == "__main__":
    main()
