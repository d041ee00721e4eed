from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments import api
from experiments.execution.worker import function_model
from experiments.plan.space import Space

PI = math.pi
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


@function_model
def ishigami(params: dict[str, float], seed: int) -> dict[str, float]:
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + 7 * math.sin(x2) ** 2 + 0.1 * x3**4 * math.sin(x1)}


@function_model
def linear(params: dict[str, float], seed: int) -> dict[str, float]:
    return {"y": 2 * params["a"] - params["b"]}


@function_model
def failing_half(params: dict[str, float], seed: int) -> dict[str, float]:
    if params["x1"] > 0:
        raise RuntimeError("deliberate failure for x1 > 0")
    return {"y": params["x1"]}


def _ishigami_space() -> Space:
    return Space.model_validate(
        {
            "name": "ishigami",
            "metrics": ["y"],
            "parameters": [{"name": n, "role": "uncertainty", "bounds": [-PI, PI]} for n in ("x1", "x2", "x3")],
        }
    )


def test_sobol_recovers_ishigami_indices(tmp_path):
    folder = api.sensitivity(
        _ishigami_space(), "sobol", 1024, model=ishigami, out=tmp_path / "sobol", seed=1, progress=False
    )
    idx = pd.read_parquet(folder / "indices.parquet").set_index("parameter")
    assert list(idx.columns) == ["method", "metric", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(pd.read_parquet(folder / "runs.parquet")) == 1024 * 5
    for name, s1, st in zip(("x1", "x2", "x3"), ISHIGAMI_S1, ISHIGAMI_ST, strict=True):
        assert idx.loc[name, "S1"] == pytest.approx(s1, abs=0.05)
        assert idx.loc[name, "ST"] == pytest.approx(st, abs=0.05)
        assert idx.loc[name, "S1_conf"] < 0.1


def test_morris_gives_exact_effects_of_a_linear_model(tmp_path):
    space = Space.model_validate(
        {"metrics": ["y"], "parameters": [{"name": n, "role": "lever", "bounds": [0, 1]} for n in "abc"]}
    )
    folder = api.sensitivity(space, "morris", 10, model=linear, out=tmp_path / "morris", seed=3, progress=False)
    idx = pd.read_parquet(folder / "indices.parquet").set_index("parameter")
    assert list(idx.columns) == ["method", "metric", "mu_star", "mu_star_conf", "sigma"]
    np.testing.assert_allclose(idx["mu_star"], [2.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(idx["sigma"], [0.0, 0.0, 0.0], atol=1e-9)


def test_function_model_failures_are_recorded_and_the_rest_go_on(tmp_path):
    space = Space.model_validate({"metrics": ["y"], "parameters": [{"name": "x1", "role": "lever", "bounds": [-1, 1]}]})
    folder = api.sweep(space, "grid", 5, model=failing_half, out=tmp_path / "f", progress=False)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert sorted(runs["status"]) == ["failed", "failed", "ok", "ok", "ok"]
    failed = runs[runs["status"] == "failed"]
    assert failed["error"].str.contains("deliberate failure").all()
    assert (runs.loc[runs["status"] == "ok", "param.x1"] <= 0).all()
    points = pd.read_parquet(folder / "points.parquet")
    assert list(points["point"]) == [0, 1, 2]
    np.testing.assert_allclose(points["y.mean"], [-1.0, -0.5, 0.0])
