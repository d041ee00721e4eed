"""Batched studies: batch sizes, workers writing their own parts (or sending them back), the estimate."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from experiments import api
from experiments.execution.executors import SerialExecutor
from experiments.execution.progress import Progress
from experiments.execution.runner import MAX_BATCH, batch_size, make_batches
from experiments.execution.worker import RunTask, Study


def _contents(folder: Path) -> dict[str, pd.DataFrame]:
    """Every consolidated and analysis table of a folder (wall times dropped), and its JSON analysis files."""
    out = {}
    for path in sorted(folder.glob("*.parquet")):
        df = pd.read_parquet(path)
        out[path.name] = df.drop(columns=[c for c in ("wall_s",) if c in df.columns])
    for path in sorted(folder.glob("*.json")):
        if path.name != "manifest.json":
            out[path.name] = json.loads(path.read_text())
    return out


def _assert_same(a: Path, b: Path) -> None:
    want, got = _contents(a), _contents(b)
    assert list(want) == list(got)
    for name, df in want.items():
        if isinstance(df, pd.DataFrame):
            pd.testing.assert_frame_equal(df, got[name], obj=name)
        else:
            assert df == got[name], name


def test_batch_sizes_one_and_seven_give_the_same_folder(tmp_path, small_file, richer_file):
    common = {"seed": 3, "months": 12, "progress": False}
    scenarios = [str(small_file), str(richer_file)]
    one = api.compare(scenarios, 5, out=tmp_path / "one", batch=1, **common)
    seven = api.compare(scenarios, 5, out=tmp_path / "seven", batch=7, **common)
    assert len(list((one / "parts").glob("*.runs.parquet"))) == 10
    assert len(list((seven / "parts").glob("*.runs.parquet"))) == 3  # the timing run alone, then 7 and 2
    assert {"runs.parquet", "outcomes.parquet", "series.parquet", "stats.parquet"} <= set(_contents(one))
    _assert_same(one, seven)


class _Elsewhere(SerialExecutor):
    """A worker that does not see the experiment folder (a Dask worker on another machine)."""

    def run(self, fn, tasks, shared):
        return super().run(fn, tasks, dataclasses.replace(shared, folder=str(Path("/nonexistent/folder"))))


def test_a_worker_without_the_folder_sends_its_parts_back(tmp_path, small_file):
    common = {"seed": 8, "months": 12, "progress": False, "batch": 3}
    here = api.compare([str(small_file)], 7, out=tmp_path / "here", **common)
    away = api.compare([str(small_file)], 7, out=tmp_path / "away", executor=_Elsewhere(), **common)
    _assert_same(here, away)


def test_a_worker_writes_only_into_the_folder_holding_its_token(tmp_path, small_file):
    from experiments.execution.worker import Batch, run_batch

    folder = api.compare([str(small_file)], 1, out=tmp_path / "f", months=3, progress=False)
    study = Study(scenarios=json.loads((folder / "scenarios.json").read_text()), folder=str(folder), token="other")
    task = RunTask(index=0, run_id="small.r0000", scenario="small", replicate=0, seed=1, months=3)
    out = run_batch(Batch("0000000-ff", (task,)), study)
    assert not out.written and out.runs and out.ok == [True]
    assert not list((folder / "parts").glob("0000000-ff*"))


def test_batch_size_follows_the_study_and_the_workers():
    assert batch_size(10, 1) == 2
    assert batch_size(400, 2) == 25
    assert batch_size(100_000, 100) == MAX_BATCH
    assert batch_size(3, 8) == 1
    tasks = [RunTask(index=i, run_id=f"r{i}", scenario="s", replicate=i, seed=i) for i in range(10)]
    sizes = [len(b.runs) for b in make_batches(tasks, 4)]
    assert sizes == [1, 4, 4, 1]
    assert [t.index for b in make_batches(tasks, 4) for t in b.runs] == list(range(10))


def test_the_estimate_is_runs_times_time_per_run_over_workers():
    stream = io.StringIO()
    bar = Progress(1000, stream=stream)
    line = bar.estimate(0.36, 1000, 4)
    assert line == "estimate: 1000 runs × 0.36 s per run ÷ 4 workers ≈ 01:30"
    assert bar.estimated == pytest.approx(90.0)
    assert line in stream.getvalue() and "(estimate 01:30)" in bar.text()


def test_a_study_prints_its_estimate_before_the_bulk_of_its_runs(tmp_path, small_file, capsys):
    api.compare([str(small_file)], 6, out=tmp_path / "e", seed=1, months=6, batch=5)
    err = capsys.readouterr().err
    assert "estimate: 6 runs ×" in err and "÷ 1 worker ≈" in err
    assert err.index("estimate:") < err.index("6/6 runs")
