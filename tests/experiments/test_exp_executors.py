from __future__ import annotations

import dask
import pandas as pd
import pytest

from experiments import api
from experiments.execution.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor


def _tables(folder):
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns="wall_s").sort_values("run_id", ignore_index=True)
    outcomes = pd.read_parquet(folder / "outcomes.parquet").sort_values("run_id", ignore_index=True)
    series = pd.read_parquet(folder / "series.parquet").sort_values(["run_id", "month"], ignore_index=True)
    return runs, outcomes, series


def test_serial_processes_and_dask_give_identical_tables(tmp_path, small_file, richer_file):
    scenarios = [str(small_file), str(richer_file)]
    common = {"seed": 11, "months": 12, "progress": False}
    serial = api.compare(scenarios, 3, out=tmp_path / "serial", **common)
    procs = api.compare(scenarios, 3, out=tmp_path / "procs", workers=2, **common)
    dask = api.compare(scenarios, 3, out=tmp_path / "dask", dask="local", workers=2, **common)
    expected = _tables(serial)
    for folder in (procs, dask):
        for want, got in zip(expected, _tables(folder), strict=True):
            pd.testing.assert_frame_equal(want, got)
        for name in ("stats", "paired"):
            pd.testing.assert_frame_equal(
                pd.read_parquet(serial / f"{name}.parquet"), pd.read_parquet(folder / f"{name}.parquet")
            )


def test_make_executor_picks_the_kind():
    assert isinstance(make_executor(1), SerialExecutor)
    with make_executor(2) as ex:
        assert isinstance(ex, ProcessExecutor) and ex.workers == 2
        assert sorted(r for _, r in ex.run(abs, [-3, -1, 2])) == [1, 2, 3]


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_an_exception_from_the_executor_is_returned_not_raised(kind):
    ex = ProcessExecutor(2) if kind == "processes" else DaskExecutor("local", 1)
    with ex:
        results = dict(ex.run(_fails_on_zero, [1, 0, 2]))
    assert results[1] == 1.0 and results[2] == 0.5
    assert isinstance(results[0], ZeroDivisionError)


def _fails_on_zero(x: int) -> float:
    return 1 / x


def test_the_local_dask_cluster_runs_without_profiler_or_fast_ticks():
    # the workers' statistical profiler and 20 ms event-loop ticks cost 5–15 ms of CPU per run of a study
    with DaskExecutor("local", 1) as ex:
        assert list(ex.client.run(_quiet_settings).values()) == [{"profiler": False, "tick_s": 1.0}]
        assert ex.cluster.scheduler._tick_interval == 1.0
    assert dask.config.get("distributed.worker.profile.enabled") is True  # this process's settings are untouched


def _quiet_settings(dask_worker) -> dict:
    return {"profiler": "profile" in dask_worker.periodic_callbacks, "tick_s": dask_worker._tick_interval}
