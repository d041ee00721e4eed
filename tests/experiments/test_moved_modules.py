"""Folders written before ``experiments/`` was grouped into packages name modules by their old paths (a function
model's ``"module:function"`` in ``manifest.json``); they still resume, through the one mapping of old paths."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from experiments import api
from experiments.analysis import survival
from experiments.execution.worker import MOVED_MODULES, function_model, resolve_model
from experiments.plan.space import Space

ROOT = Path(__file__).resolve().parents[2]


@function_model
def linear(params: dict[str, float], seed: int) -> dict[str, float]:
    return {"y": 3 * params["x"] - 1}


@pytest.fixture
def old_home(monkeypatch):
    """``linear`` as if it lived in ``experiments/survival.py`` before the move: reachable at the new module."""
    monkeypatch.setattr(survival, "linear_probe", linear, raising=False)
    resolve_model.cache_clear()
    yield "experiments.survival:linear_probe"
    resolve_model.cache_clear()


def test_each_old_path_names_a_module_that_exists_and_no_shim_is_left_behind():
    for old, new in MOVED_MODULES.items():
        spec = importlib.util.find_spec(new)
        assert spec is not None and spec.origin and spec.origin.endswith(new.rsplit(".", 1)[1] + ".py"), new
        assert not (ROOT / (old.replace(".", "/") + ".py")).exists(), f"{old} left behind"
    assert len(set(MOVED_MODULES.values())) == len(MOVED_MODULES)


def test_an_old_module_path_resolves_to_the_function_now_at_the_new_one(old_home):
    assert resolve_model(old_home) is linear
    assert resolve_model("experiments.analysis.survival:linear_probe") is linear
    with pytest.raises(ValueError, match="not a function marked"):
        resolve_model("experiments.survival:depletion_tables")  # moved, but not a function model
    with pytest.raises(ValueError, match="not an allowed function model"):
        resolve_model("experiments.nowhere:linear_probe")


def test_a_folder_whose_manifest_names_an_old_module_resumes_to_the_same_results(old_home, tmp_path):
    space = Space.model_validate({"metrics": ["y"], "parameters": [{"name": "x", "role": "lever", "bounds": [0, 1]}]})
    folder = api.sweep(space, "grid", 5, model=linear, out=tmp_path / "sweep", batch=1, progress=False)
    before = pd.read_parquet(folder / "outcomes.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run"]["model"] == f"{__name__}:linear"
    manifest["run"]["model"] = old_home  # as a folder written before the move records it
    (folder / "manifest.json").write_text(json.dumps(manifest))
    parts = sorted((folder / "parts").glob("*.runs.parquet"))
    assert len(parts) > 1
    parts[-1].unlink()

    api.resume(folder, progress=False)

    runs, after = pd.read_parquet(folder / "runs.parquet"), pd.read_parquet(folder / "outcomes.parquet")
    assert list(runs["status"]) == ["ok"] * 5
    pd.testing.assert_frame_equal(after, before)
    pd.testing.assert_series_equal(after["y"], 3 * runs["param.x"] - 1, check_names=False)
