"""Executors behind one interface: serial, local processes, Dask. Each yields results as runs complete.

``Executor.run(fn, tasks)`` yields ``(task, result)`` pairs in completion order, where ``result`` is what
``fn(task)`` returned, or the exception the executor raised for it (a worker that died, a lost Dask task).
``Executor.run(fn, tasks, shared)`` calls ``fn(task, shared)`` instead, and sends ``shared`` (an experiment's
scenarios, say) once per worker rather than with every task: worker processes receive it when they start, a
Dask cluster gets it scattered to every worker once.
At most a small window of tasks is in flight, so a kill loses only those; a broken process pool stops the
experiment (finished runs stay recorded and ``--resume`` continues). Same tasks give the same results on every
executor because each run's randomness comes from its own seed only.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

WINDOW_PER_WORKER = 2
CONNECT_TIMEOUT_S = 20
#: Dask settings of a ``LocalCluster`` this module starts (``--dask local``): no statistical profiler (it samples
#: the running task's stack every 10 ms) and event-loop health checks once a second instead of every 20 ms. Since
#: the model's compiled loops release the GIL, a worker's event loop runs these on time during a run (before, a
#: run held the GIL and starved them); on a 2-worker cluster they cost 10–20 ms of CPU per 2,000-firm run, for a
#: profile page and warnings nobody sees (the cluster has no dashboard). The same for a cluster started by hand:
#: docs/cluster.md.
QUIET_DASK = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s"}
NOT_SHARED: Any = object()  # ``run`` without shared data

#: The shared data of the study this worker process runs (set by the pool's initializer).
_SHARED: Any = NOT_SHARED


class ExecutorError(RuntimeError):
    """The executor itself failed (a worker process died and took the pool with it)."""


class Executor:
    """Base executor: run tasks, yield ``(task, result_or_exception)`` as they finish."""

    name = "serial"
    workers = 1

    def run(self, fn: Callable[..., Any], tasks: Iterable[Any], shared: Any = NOT_SHARED) -> Iterator[tuple[Any, Any]]:
        """Yield ``(task, fn(task))`` (or ``fn(task, shared)``) for each task, in completion order."""
        for task in tasks:
            yield task, fn(task) if shared is NOT_SHARED else fn(task, shared)

    def close(self) -> None:
        """Release workers and clusters."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every task in this process, one after another."""


class ProcessExecutor(Executor):
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``, forkserver start)."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["experiments.execution.worker", "sim.model", "pandas", "numpy"])
        self.pool = self._start(NOT_SHARED)
        self.holds: Any = NOT_SHARED  # the shared data the pool's workers were started with

    def _start(self, shared: Any) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.ctx, initializer=init_worker, initargs=(os.getpid(), shared)
        )

    def run(self, fn: Callable[..., Any], tasks: Iterable[Any], shared: Any = NOT_SHARED) -> Iterator[tuple[Any, Any]]:
        """Submit a window of tasks, refill as they complete. With ``shared``, the pool is restarted with workers
        that receive it once, when they start."""
        if shared is not NOT_SHARED and shared is not self.holds:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.holds = self._start(shared), shared
        call = fn if shared is NOT_SHARED else partial(call_shared, fn)
        todo = iter(tasks)
        pending: dict[Future, Any] = {}
        window = WINDOW_PER_WORKER * self.workers
        try:
            _refill(pending, todo, window, lambda t: self.pool.submit(call, t))
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    task = pending.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool as e:
                        raise ExecutorError(f"a worker process died ({e}); finished runs are kept") from None
                    except Exception as e:
                        result = e
                    yield task, result
                _refill(pending, todo, window, lambda t: self.pool.submit(call, t))
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Stop the pool, dropping tasks not started."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A Dask cluster: ``"local"`` starts a ``LocalCluster`` of worker processes, else a scheduler address."""

    name = "dask"

    def __init__(self, address: str = "local", workers: int = 2) -> None:
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        try:
            if address == "local":
                with dask.config.set(QUIET_DASK):  # read by the scheduler, nannies and workers as they start
                    self.cluster = LocalCluster(
                        processes=True, n_workers=max(1, int(workers)), threads_per_worker=1, dashboard_address=None
                    )
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as e:
            raise ExecutorError(f"cannot start or reach the Dask cluster {address!r}: {e}") from None
        self._workers, self._polled = 1, -math.inf
        self.name = f"dask {address}"

    @property
    def workers(self) -> int:
        """Worker threads in the cluster now (at least 1), asked of the scheduler at most once a second: workers
        of a batch-queue cluster join while the study runs."""
        now = time.monotonic()
        if now - self._polled >= 1.0:
            with contextlib.suppress(Exception):
                self._workers = max(1, sum(self.client.nthreads().values()))
            self._polled = now
        return self._workers

    def run(self, fn: Callable[..., Any], tasks: Iterable[Any], shared: Any = NOT_SHARED) -> Iterator[tuple[Any, Any]]:
        """Submit a window of tasks (it grows as workers join), refill as they complete
        (``distributed.as_completed``). ``shared`` is scattered to every worker once
        (``Client.scatter(broadcast=True)``, once the first worker is up); tasks refer to it by key, and a worker
        that joins later fetches it from a peer once."""
        from distributed import as_completed

        todo = iter(tasks)
        pending: dict[Any, Any] = {}
        queue = as_completed()
        if shared is not NOT_SHARED:
            self.client.wait_for_workers(1)  # a batch-queue cluster's first job may still be waiting to start
        extra = () if shared is NOT_SHARED else (self.client.scatter(shared, broadcast=True, hash=False),)

        def submit(task: Any) -> Any:
            fut = self.client.submit(fn, task, *extra, pure=False)
            queue.add(fut)
            return fut

        try:
            _refill(pending, todo, WINDOW_PER_WORKER * self.workers, submit)
            for fut in queue:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except Exception as e:
                    result = e
                fut.release()
                yield task, result
                _refill(pending, todo, WINDOW_PER_WORKER * self.workers, submit)
        finally:
            with contextlib.suppress(Exception):
                self.client.cancel(list(pending))
            for fut in extra:
                fut.release()

    def close(self) -> None:
        """Close the client and, if this executor started it, the local cluster."""
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def init_worker(pid: int, shared: Any) -> None:
    """Initializer of a pool's worker processes: watch the experiment's process, keep the study's shared data."""
    global _SHARED
    _SHARED = shared
    watch_parent(pid)


def call_shared(fn: Callable[[Any, Any], Any], task: Any) -> Any:
    """``fn(task, shared)`` in a worker process, with the shared data it received when it started."""
    return fn(task, _SHARED)


def watch_parent(pid: int, every_s: float = 0.5) -> None:
    """Worker initializer: exit as soon as the experiment's process ``pid`` is gone (killed with SIGKILL, say),
    so no worker is left behind; the forkserver and the resource tracker then see their last user go and exit
    too."""

    def watch() -> None:
        while True:
            time.sleep(every_s)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid was reused by another user's process: ours is gone
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def make_executor(workers: int = 1, dask: str | None = None) -> Executor:
    """Serial for one worker, processes for several, Dask when ``dask`` is ``"local"`` or an address."""
    if dask:
        return DaskExecutor(dask, workers if workers > 1 else 2)
    if workers > 1:
        return ProcessExecutor(workers)
    return SerialExecutor()


def _refill(pending: dict, todo: Iterator[Any], window: int, submit: Callable[[Any], Any]) -> None:
    while len(pending) < window:
        task = next(todo, None)
        if task is None:
            return
        pending[submit(task)] = task
