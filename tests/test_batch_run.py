from __future__ import annotations

import inspect
import math

import mesa
import pytest

from sim.model import EcosystemModel
from sim.reporters import METRICS
from sim.scenario import Scenario

STEPS = 6


def batch(parameters: dict, processes: int = 1) -> list[dict]:
    """``mesa.batch_run`` with the seeds in ``parameters["rng"]``: Mesa 3.3 takes them as a model parameter;
    Mesa 3.5 has its own ``rng`` argument (one run per seed) that overrides a parameter of that name."""
    parameters = dict(parameters)
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        seeds = {"rng": parameters.pop("rng")}
    else:
        seeds = {"iterations": 1}
    return mesa.batch_run(
        EcosystemModel,
        parameters=parameters,
        **seeds,
        max_steps=STEPS,
        number_processes=processes,
        data_collection_period=-1,
        display_progress=False,
    )


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.fixture(scope="module")
def baseline_rows() -> list[dict]:
    return batch({"scenario": "baseline", "rng": [1, 2], "enterprises.initial_count": 200})


def test_batch_run_returns_one_row_per_run_with_every_metric(baseline_rows):
    assert len(baseline_rows) == 2
    assert sorted(r["rng"] for r in baseline_rows) == [1, 2]
    for row in baseline_rows:
        missing = [m for m in METRICS if m not in row]
        assert not missing
        assert row["scenario"] == "baseline"
        assert row["enterprises.initial_count"] == 200
        assert row["month"] == row["Step"] == STEPS
        assert row["tech_loan_balance_wan"] > 0
        assert row["firms_alive"] < 1000  # the dotted override reached the model (baseline has 2,000 firms)


def test_batch_run_rows_equal_a_direct_run(baseline_rows):
    for row in baseline_rows:
        direct = EcosystemModel("baseline", rng=row["rng"], **{"enterprises.initial_count": 200}).run(STEPS)
        last = direct.monthly.iloc[-1]
        for m in METRICS:
            if m == "date":  # the monthly table turns the label into a timestamp
                assert row["date"] == last["month_label"]
                continue
            assert same(row[m], last[m]), m
    a, b = sorted(baseline_rows, key=lambda r: r["rng"])
    assert a["tech_loan_balance_wan"] != b["tech_loan_balance_wan"]


def key(row: dict) -> tuple:
    return row["rng"], row["banks.bank.spread_rate"]


def test_batch_run_with_a_scenario_object_serial_equals_parallel():
    s = Scenario.model_validate({"name": "obj", "enterprises": {"initial_count": 200}})
    params = {"scenario": [s], "rng": [3, 4], "banks.bank.spread_rate": [0.01, 0.02]}
    serial = batch(params)
    parallel = batch(params, processes=2)
    assert len(serial) == len(parallel) == 4
    for a, b in zip(sorted(serial, key=key), sorted(parallel, key=key), strict=True):
        assert key(a) == key(b)
        for m in METRICS:
            assert same(a[m], b[m]), m
