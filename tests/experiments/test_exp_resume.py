from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import api
from experiments.cli import main
from experiments.store.results import ResultStore
from tests.experiments.conftest import techfin

REPO = Path(__file__).resolve().parents[2]
RUNS = 120


def _outcomes(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "outcomes.parquet").sort_values("run_id", ignore_index=True)


def test_resume_after_kill_9_matches_an_uninterrupted_run(tmp_path, small_file):
    killed = tmp_path / "killed"
    cmd = techfin("compare", small_file, "--replicates", RUNS, "--seed", 4, "--out", killed, "--quiet")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    parts = killed / "parts"
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and len(ResultStore(killed).done()) >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"finished or failed before it could be killed: {proc.stderr.read().decode()}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_at_kill = len(ResultStore(killed).done())
    assert 5 <= done_at_kill < RUNS
    assert not (killed / "outcomes.parquet").exists()

    assert main(["compare", "--resume", str(killed), "--quiet"]) == 0
    whole = api.compare([str(small_file)], RUNS, seed=4, out=tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(_outcomes(killed), _outcomes(whole))
    runs = pd.read_parquet(killed / "runs.parquet")
    assert len(runs) == RUNS and (runs["status"] == "ok").all()
    assert not list(parts.glob("*.tmp-*"))


def _part(folder: Path, index: int, kind: str = "runs") -> Path:
    """The part file of the batch that starts at plan index ``index``."""
    (path,) = (folder / "parts").glob(f"{index:07d}-*.{kind}.parquet")
    return path


def test_resume_reruns_only_missing_runs(tmp_path, small_file):
    folder = api.compare([str(small_file)], 4, out=tmp_path / "r", progress=False, batch=1)
    store = ResultStore.open(folder)
    first = pd.read_parquet(_part(folder, 2))
    _part(folder, 2).unlink()
    _part(folder, 3, "series").write_bytes(b"half-written")  # a series part whose batch never finished
    _part(folder, 3).unlink()
    (folder / "parts" / "0000001-0.runs.parquet.tmp-999").write_text("{")
    assert store.done() == {0, 1}
    api.resume(folder, progress=False)
    assert store.done() == {0, 1, 2, 3}
    again = pd.read_parquet(_part(folder, 2))
    pd.testing.assert_frame_equal(again.drop(columns="wall_s"), first.drop(columns="wall_s"))
    assert not list((folder / "parts").glob("*.tmp-*"))
    assert len(pd.read_parquet(folder / "series.parquet")["run_id"].unique()) == 4


def test_resume_refuses_another_kind_and_an_unknown_folder(tmp_path, small_file, capsys):
    folder = api.targets(str(small_file), 2, out=tmp_path / "t", progress=False)
    assert main(["compare", "--resume", str(folder)]) == 2
    assert "targets experiment" in capsys.readouterr().err
    assert main(["depletion", "--resume", str(tmp_path / "nothing")]) == 2


@pytest.mark.parametrize("kind", ["compare", "depletion", "targets"])
def test_new_experiment_needs_inputs(kind, capsys):
    assert main([kind]) == 2
    assert "give the scenarios" in capsys.readouterr().err


@pytest.fixture
def finished(tmp_path, small_file) -> Path:
    folder = tmp_path / "done"
    assert main(["compare", str(small_file), "--replicates", "4", "--seed", "5", "--out", str(folder), "--quiet"]) == 0
    return folder


def test_resume_runs_only_what_is_missing(finished):
    parts = sorted((finished / "parts").glob("*.runs.parquet"))
    assert len(parts) == 4
    removed = parts[1:3]
    for p in removed:
        p.unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in parts if p not in removed}
    time.sleep(0.01)
    assert main(["compare", "--resume", str(finished), "--quiet"]) == 0
    after = {p.name: p.stat().st_mtime_ns for p in (finished / "parts").glob("*.runs.parquet")}
    assert {p.name for p in parts} - set(after) == {p.name for p in removed}
    assert len(after) == 4 and ResultStore(finished).done() == {0, 1, 2, 3}
    assert all(after[name] == mtime for name, mtime in kept.items()), "a finished run was run again"


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--seed", "6"], "--seed 6 (the folder's master seed is 5)"),
        (["--replicates", "9"], "--replicates 9 (the folder has 4)"),
        (["--set", "horizon_months=3"], "--set"),
        (["baseline"], "baseline (the folder runs"),
    ],
)
def test_resume_refuses_options_that_plan_something_else(finished, extra, reason, capsys):
    before = sorted(p.name for p in finished.rglob("*"))
    assert main(["compare", *extra, "--resume", str(finished), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err
    assert sorted(p.name for p in finished.rglob("*")) == before


def test_resume_refuses_a_folder_whose_scenarios_were_edited(finished, capsys):
    stored = json.loads((finished / "scenarios.json").read_text())
    key = next(iter(stored))
    stored[key]["enterprises"]["initial_count"] += 1
    (finished / "scenarios.json").write_text(json.dumps(stored))
    part = sorted((finished / "parts").glob("*.runs.parquet"))[0]
    part.unlink()
    assert main(["compare", "--resume", str(finished), "--quiet"]) == 2
    assert "differs from the scenario the experiment started with" in capsys.readouterr().err
    assert not part.exists()


def test_resume_will_not_run_code_a_manifest_names(finished, capsys, tmp_path):
    marker = tmp_path / "pwned"
    manifest = json.loads((finished / "manifest.json").read_text())
    manifest["run"]["model"] = "os:system"
    (finished / "manifest.json").write_text(json.dumps(manifest))
    sorted((finished / "parts").glob("*.runs.parquet"))[0].unlink()
    assert main(["compare", "--resume", str(finished), "--quiet"]) == 2
    assert "not an allowed function model" in capsys.readouterr().err
    assert not marker.exists()
