"""Running a planned experiment into its folder, and resuming one that was stopped.

The folder exists (with its plan, scenarios and manifest) before the first run starts. The runs go to the
executor in batches (tens of runs per task, sized from the study and the workers); the study's scenarios go once
per worker; each worker writes its batch's part files into the folder; the experiment's process counts them,
folds them into the consolidated tables as they arrive, and writes the analyses at the end. ``resume`` re-runs
only the runs that have no record, then does the same.

The first batch is a single run: its time, times the runs, divided by the workers, is the estimate printed
before the rest of the study is under way (``Progress.estimate``).
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.execution.executors import Executor, SerialExecutor, make_executor
from experiments.execution.progress import Progress
from experiments.execution.worker import Batch, BatchOutput, RunOutput, RunTask, Study, resolve_model, run_batch
from experiments.store import parts
from experiments.store.consolidate import Consolidator
from experiments.store.results import ResultStore, StoreError

SERIES_LIMIT = 200_000  # runs × months up to which every monthly series is kept without --series
TASKS_PER_WORKER = 8  # batches per worker in a study, at least (load balance, progress, what a kill loses)
MAX_BATCH = 50


def start(
    folder: Path, manifest: dict[str, Any], plan: pd.DataFrame, scenarios: dict[str, Any], **run_opts: Any
) -> Path:
    """Create the experiment folder and run the whole plan (see ``run_folder`` for ``run_opts``)."""
    manifest = manifest | {"n_runs": len(plan), "folder": str(folder)}
    ResultStore.create(folder, manifest, plan, scenarios)
    return run_folder(folder, **run_opts)


def run_folder(
    folder: Path | str,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    executor: Executor | None = None,
    batch: int | None = None,
) -> Path:
    """Run every planned run of ``folder`` not yet recorded, then consolidate and analyse.

    Args:
        folder: An experiment folder made by ``start`` (or an interrupted one).
        workers: Local worker processes (1: serial in this process).
        dask: ``"local"`` for a LocalCluster, or a scheduler address ``tcp://host:port``.
        progress: Show the estimate and the progress bar / lines on stderr.
        retry_failed: Also re-run runs recorded as failed.
        executor: Use this executor instead of making one (it is not closed here).
        batch: Runs per task (default: ``batch_size`` of the runs to do and the workers).

    Returns:
        The folder.
    """
    from experiments.analysis.tables import analyse

    store = ResultStore.open(folder)
    m = store.manifest
    store.check_integrity()
    _check_model(store)
    plan = store.plan()
    tasks = list(tasks_from_plan(plan, skip=store.done(retry_failed)))
    bar = Progress(len(plan), len(plan) - len(tasks), label="runs", enabled=progress)
    own = executor is None and bool(tasks)
    ex = (make_executor(workers, dask) if own else executor) or SerialExecutor()
    batches = make_batches(tasks, batch or batch_size(len(tasks), ex.workers))
    merger = Consolidator(store, store.batches() + [b.name for b in batches])
    try:
        _record(store, ex, batches, _study(store, m), bar, merger)
    finally:
        if own:
            ex.close()
    counts = merger.finish()
    store.update_manifest(
        finished=datetime.now().astimezone().isoformat(timespec="seconds"),
        counts=counts,
        executor={"name": ex.name, "workers": ex.workers},
    )
    analyse(store.folder)
    return store.folder


def _check_model(store: ResultStore) -> None:
    """A function model the manifest names is one this project allows (a manifest is data: it must not choose
    code to run).

    Raises:
        StoreError: naming the manifest and the reason.
    """
    model = (store.manifest.get("run") or {}).get("model")
    if model:
        try:
            resolve_model(model)
        except (ValueError, ImportError) as e:
            raise StoreError(f"{store.folder}: manifest.json: {e}") from None


def batch_size(runs: int, workers: int) -> int:
    """Runs per task: enough tasks for every worker to get ``TASKS_PER_WORKER`` of them, at most ``MAX_BATCH``."""
    return max(1, min(MAX_BATCH, math.ceil(runs / (max(1, workers) * TASKS_PER_WORKER))))


def tasks_from_plan(plan: pd.DataFrame, skip: set[int] | None = None) -> Iterator[RunTask]:
    """The RunTasks of a plan (without those whose index is in ``skip``)."""
    params = [c for c in plan.columns if c.startswith("param.")]
    skip = skip or set()
    for r in plan.to_dict("records"):
        if int(r["index"]) in skip:
            continue
        months = r.get("months")
        yield RunTask(
            index=int(r["index"]),
            run_id=str(r["run_id"]),
            scenario=str(r["scenario"]),
            replicate=int(r["replicate"]),
            seed=int(r["seed"]),
            months=None if months is None or pd.isna(months) else int(months),
            overrides=json.loads(r["overrides"]),
            params={c.removeprefix("param."): float(r[c]) for c in params},
        )


def make_batches(tasks: list[RunTask], size: int) -> list[Batch]:
    """The tasks in plan order as batches of ``size`` runs, after a first batch of one run (it times the study
    for the estimate); batch names carry this session's start time."""
    session = f"{time.time_ns():016x}"
    cuts = [0, *range(1, len(tasks), max(1, size)), len(tasks)] if tasks else []
    return [Batch(parts.part_name(tasks[a].index, session), tuple(tasks[a:b])) for a, b in itertools.pairwise(cuts)]


def _study(store: ResultStore, m: dict[str, Any]) -> Study:
    run = m.get("run", {})
    series = run.get("series")
    return Study(
        scenarios=store.scenarios(),
        paired=bool(run.get("paired", False)),
        series=tuple(series) if isinstance(series, list) else series,
        model=run.get("model"),
        folder=str(store.folder.resolve()),
        token=store.token,
    )


def _record(
    store: ResultStore, ex: Executor, batches: list[Batch], study: Study, bar: Progress, merger: Consolidator
) -> None:
    """Run the batches; count each as it arrives (writing its parts when the worker could not) and fold it in."""
    left = sum(len(b.runs) for b in batches)
    try:
        for batch, result in ex.run(run_batch, batches, study):
            if not isinstance(result, BatchOutput):
                result = _failed(batch, result)
            if not result.written:
                parts.write(store.parts, result.name, result.runs, result.series)
            merger.add(result.name)
            if bar.estimated is None and result.wall_s:
                bar.estimate(sum(result.wall_s) / len(result.wall_s), left, ex.workers)
            for ok in result.ok:
                bar.update(ok)
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: finished runs are kept; continue with --resume {store.folder}", file=sys.stderr)
        raise
    bar.close()


def _failed(batch: Batch, error: Any) -> BatchOutput:
    """A batch the executor lost (a worker died, a Dask task was lost): each of its runs recorded as failed."""
    outputs = [RunOutput(t.index, t.run_id, "failed", f"executor: {error!r}", math.nan, {}) for t in batch.runs]
    runs, _ = parts.encode(outputs, batch.runs)
    return BatchOutput(batch.name, [t.index for t in batch.runs], [False] * len(outputs), [], False, runs, None)


def keep_series(requested: bool, runs: int, months: int, always: tuple[str, ...] | None = None) -> Any:
    """What monthly series to keep: all with ``--series`` or when runs × months ≤ 200,000, else ``always``."""
    if requested or runs * months <= SERIES_LIMIT:
        return "all"
    return list(always) if always else None
