from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import api
from experiments.cli import main
from experiments.store import ResultStore

REPO = Path(__file__).resolve().parents[2]
RUNS = 120


def _outcomes(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "outcomes.parquet").sort_values("run_id", ignore_index=True)


def test_resume_after_kill_9_matches_an_uninterrupted_run(tmp_path, small_file):
    killed = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "experiments.cli",
        "compare",
        str(small_file),
        "--replicates",
        str(RUNS),
        "--seed",
        "4",
        "--out",
        str(killed),
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    parts = killed / "parts"
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and len(list(parts.glob("*.json"))) >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, f"finished or failed before it could be killed: {proc.stderr.read().decode()}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_at_kill = len(list(parts.glob("*.json")))
    assert 5 <= done_at_kill < RUNS
    assert not (killed / "outcomes.parquet").exists()

    assert main(["compare", "--resume", str(killed), "--quiet"]) == 0
    whole = api.compare([str(small_file)], RUNS, seed=4, out=tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(_outcomes(killed), _outcomes(whole))
    runs = pd.read_parquet(killed / "runs.parquet")
    assert len(runs) == RUNS and (runs["status"] == "ok").all()
    assert not list(parts.glob("*.tmp-*"))


def test_resume_reruns_only_missing_runs(tmp_path, small_file):
    folder = api.compare([str(small_file)], 4, out=tmp_path / "r", progress=False)
    store = ResultStore.open(folder)
    first = json.loads((folder / "parts" / "0000002.json").read_text())
    (folder / "parts" / "0000002.json").unlink()
    (folder / "parts" / "0000003.series.arrow").write_bytes(b"half-written")
    (folder / "parts" / "0000003.json").unlink()
    (folder / "parts" / "0000001.json.tmp-999").write_text("{")
    assert store.done() == {0, 1}
    api.resume(folder, progress=False)
    assert store.done() == {0, 1, 2, 3}
    again = json.loads((folder / "parts" / "0000002.json").read_text())
    assert again["outcomes"] == first["outcomes"]
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
