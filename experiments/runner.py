"""Running a planned experiment into its folder, and resuming one that was stopped.

The folder exists (with its plan, scenarios and manifest) before the first run starts; each finished run is
recorded at once; at the end the parts are consolidated and the analyses written. ``resume`` re-runs only the
runs that have no record and then does the same consolidation and analyses.
"""

from __future__ import annotations

import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.designs import tasks_from_plan
from experiments.executors import Executor, SerialExecutor, make_executor
from experiments.progress import Progress
from experiments.store import ResultStore
from experiments.worker import RunOutput, execute

SERIES_LIMIT = 200_000  # runs × months up to which every monthly series is kept without --series


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
) -> Path:
    """Run every planned run of ``folder`` not yet recorded, then consolidate and analyse.

    Args:
        folder: An experiment folder made by ``start`` (or an interrupted one).
        workers: Local worker processes (1: serial in this process).
        dask: ``"local"`` for a LocalCluster, or a scheduler address ``tcp://host:port``.
        progress: Show the progress bar / lines on stderr.
        retry_failed: Also re-run runs recorded as failed.
        executor: Use this executor instead of making one (it is not closed here).

    Returns:
        The folder.
    """
    from experiments.analysis import analyse

    store = ResultStore.open(folder)
    m = store.manifest
    store.check_integrity()
    plan = store.plan()
    done = store.done(retry_failed)
    tasks = list(tasks_from_plan(plan, store.scenarios(), m.get("run", {}), skip=done))
    bar = Progress(len(plan), len(plan) - len(tasks), label="runs", enabled=progress)
    own = executor is None and bool(tasks)
    ex = (make_executor(workers, dask) if own else executor) or SerialExecutor()
    try:
        _record(store, ex, tasks, bar)
    finally:
        if own:
            ex.close()
    counts = store.consolidate()
    store.update_manifest(
        finished=datetime.now().astimezone().isoformat(timespec="seconds"),
        counts=counts,
        executor={"name": ex.name, "workers": ex.workers},
    )
    analyse(store.folder)
    return store.folder


def _record(store: ResultStore, ex: Executor, tasks: list, bar: Progress) -> None:
    """Run the tasks and record each result as it arrives; an executor's exception is the run's failure."""
    try:
        for task, result in ex.run(execute, tasks):
            if not isinstance(result, RunOutput):
                result = RunOutput(task.index, task.run_id, "failed", f"executor: {result!r}", math.nan, {}, None)
            store.write(result)
            bar.update(result.status == "ok")
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: finished runs are kept; continue with --resume {store.folder}", file=sys.stderr)
        raise
    bar.close()


def keep_series(requested: bool, runs: int, months: int, always: tuple[str, ...] | None = None) -> Any:
    """What monthly series to keep: all with ``--series`` or when runs × months ≤ 200,000, else ``always``."""
    if requested or runs * months <= SERIES_LIMIT:
        return "all"
    return list(always) if always else None
