"""docs/cluster.md: its LocalCluster example runs as written, and its Slurm recipe builds a valid job script."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "cluster.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_local_cluster_example_runs_a_study(tmp_path, monkeypatch, capsys):
    local = next(b for b in _python_blocks() if "LocalCluster(" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile(local, f"{DOC}:LocalCluster", "exec"), {})
    folder = tmp_path / "results" / "cluster-example"
    assert str(folder.relative_to(tmp_path)) in capsys.readouterr().out
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    assert len(pd.read_parquet(folder / "outcomes.parquet")) == 6


def test_the_slurm_recipe_builds_its_job_script(monkeypatch, capsys):
    jobqueue = pytest.importorskip("dask_jobqueue", reason="dask-jobqueue is in the dev extra (pip install -e .[dev])")
    from experiments import api

    slurm = next(b for b in _python_blocks() if "SLURMCluster(" in b)
    scaled, studies = [], []
    monkeypatch.setattr(jobqueue.SLURMCluster, "scale", lambda self, *a, **kw: scaled.append((a, kw)))
    monkeypatch.setattr(api, "sensitivity", lambda *a, **kw: studies.append((a, kw)))
    exec(compile(slurm, f"{DOC}:SLURMCluster", "exec"), {})
    script = capsys.readouterr().out
    quiet = (
        "export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False",
        "export DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL=1s",
    )
    for line in (
        "#SBATCH -p normal",
        "#SBATCH -A my-project",
        "#SBATCH -t 04:00:00",
        "--nworkers 32",
        "--nthreads 1",
        *quiet,
    ):
        assert line in script
    assert "/shared/techfin-sim/.venv/bin/python -m distributed.cli.dask_worker tcp://" in script
    assert ((), {"jobs": 4}) in scaled  # the recipe's request; nothing reaches sbatch
    ((args, kwargs),) = studies
    assert args == ("pool-design", "sobol", 2048) and kwargs["dask"].startswith("tcp://")
