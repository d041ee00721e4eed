from __future__ import annotations

import json

import numpy as np
import pandas as pd

from experiments import api
from experiments.analysis.tables import analyse
from experiments.plan.designs import replicate_seeds

BAND_METRICS = (
    "tech_loan_balance_wan",
    "borrowers",
    "pool_balance_wan",
    "guarantor_net_assets_wan",
    "fiscal_spending_cum_wan",
    "npl_ratio",
)


def test_a_copy_of_the_baseline_differs_by_exactly_zero(tmp_path, small_file, copy_file, richer_file):
    folder = api.compare([str(small_file), str(copy_file), str(richer_file)], 4, out=tmp_path / "c", progress=False)
    paired = pd.read_parquet(folder / "paired.parquet")
    assert list(paired.columns) == ["scenario", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n"]
    assert set(paired["baseline"]) == {"small"}
    copy = paired[(paired["scenario"] == "small-copy") & (paired["n"] > 0)]
    assert len(copy) > 30
    assert (copy["mean_diff"] == 0).all()
    with_ci = copy[copy["n"] >= 2]  # one pair has no interval (e.g. a pool that ran out in one run only)
    assert (with_ci["ci_low"] == 0).all() and (with_ci["ci_high"] == 0).all()
    richer = paired[paired["scenario"] == "richer"].set_index("metric")
    assert richer.loc["net_public_cost_wan", "mean_diff"] != 0


def test_stats_are_t_intervals_over_replicates(tmp_path, small_file):
    folder = api.compare([str(small_file)], 5, out=tmp_path / "c", seed=3, progress=False)
    stats = pd.read_parquet(folder / "stats.parquet")
    assert list(stats.columns) == ["scenario", "metric", "mean", "ci_low", "ci_high", "sd", "n"]
    runs = pd.read_parquet(folder / "runs.parquet").merge(pd.read_parquet(folder / "outcomes.parquet"), on="run_id")
    values = runs["new_credit_wan"].to_numpy()
    row = stats.set_index("metric").loc["new_credit_wan"]
    half = 2.7764451051977987 * values.std(ddof=1) / np.sqrt(5)  # t(0.975, 4)
    assert row["n"] == 5
    assert np.isclose(row["mean"], values.mean()) and np.isclose(row["ci_high"] - row["mean"], half)
    assert list(runs["seed"]) == replicate_seeds(3, 5)


def test_bands_cover_the_fan_chart_metrics(tmp_path, small_file, richer_file):
    folder = api.compare([str(small_file), str(richer_file)], 3, out=tmp_path / "c", progress=False)
    bands = pd.read_parquet(folder / "bands.parquet")
    assert list(bands.columns) == ["scenario", "month", "date", "metric", "median", "p10", "p90"]
    assert set(BAND_METRICS) <= set(bands["metric"])
    one = bands[(bands["scenario"] == "small") & (bands["metric"] == "tech_loan_balance_wan")]
    assert list(one["month"]) == list(range(1, 13))
    assert str(one["date"].iloc[0].date()) == "2018-01-31"
    assert (one["p10"] <= one["median"]).all() and (one["median"] <= one["p90"]).all()


def test_store_layout_manifest_and_recomputed_analysis(tmp_path, small_file):
    folder = api.compare([str(small_file)], 2, out=tmp_path / "c", seed=5, progress=False)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert list(runs.columns) == ["run_id", "scenario", "replicate", "seed", "status", "error", "wall_s"]
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    for col in (
        "credit_cagr",
        "gross_lending_per_public_wan",
        "pool.pool.months_to_depletion",
        "pool.pool.depleted",
        "target.0.met",
        "target.1.value",
        "guarantor_depleted",
        "guarantor_months_to_depletion",
    ):
        assert col in outcomes.columns
    series = pd.read_parquet(folder / "series.parquet")
    assert list(series.columns[:5]) == ["run_id", "scenario", "replicate", "month", "date"]
    m = json.loads((folder / "manifest.json").read_text())
    assert m["kind"] == "compare" and m["master_seed"] == 5 and m["replicates"] == 2 and m["baseline"] == "small"
    assert m["scenarios"]["small"]["file"] == str(small_file.resolve())
    assert len(m["scenarios"]["small"]["digest"]) == 64
    assert {"numpy", "pandas", "mesa", "SALib", "dask", "pydantic", "scipy"} <= set(m["library_versions"])
    assert m["code_version"]
    before = pd.read_parquet(folder / "stats.parquet")
    (folder / "stats.parquet").unlink()
    assert "stats.parquet" in analyse(folder)
    pd.testing.assert_frame_equal(before, pd.read_parquet(folder / "stats.parquet"))
