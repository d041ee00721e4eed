from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from experiments import api
from experiments.analysis.survival import km_curve

N_LOANS, PD_MONTH, LOAN_WAN, LGD, COVERAGE, POOL_WAN, HORIZON = 200, 0.01, 1.0, 0.6, 0.5, 10.0, 36


def _fixed_mode(tmp_path):
    data = {
        "name": "fixed-pool",
        "start": "2018-01",
        "horizon_months": HORIZON,
        "enterprises": {"initial_count": N_LOANS, "entry_per_month": 0, "default_correlation": 0.0},
        "fixed": {"enabled": True, "annual_pd": 1 - (1 - PD_MONTH) ** 12, "loan_wan": LOAN_WAN, "lgd": LGD},
        "government": {"pools": [{"name": "pool", "initial_wan": POOL_WAN}]},
        "products": [
            {"name": "covered", "banks": ["bank"], "shares": {"pool": COVERAGE, "bank": 1 - COVERAGE}, "pool": "pool"}
        ],
    }
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_kaplan_meier_matches_the_binomial_closed_form(tmp_path):
    replicates = 200
    folder = api.depletion([str(_fixed_mode(tmp_path))], replicates, out=tmp_path / "d", seed=8, progress=False)
    surv = pd.read_parquet(folder / "survival.parquet")
    assert list(surv.columns) == ["scenario", "entity", "month", "survival", "ci_low", "ci_high", "at_risk", "events"]
    pool = surv[surv["entity"] == "pool:pool"].set_index("month")
    claim = COVERAGE * LGD * LOAN_WAN
    n_star = math.ceil(POOL_WAN / claim)  # 34 claims empty the pool
    t = np.arange(1, HORIZON + 1)
    p_depleted = stats.binom.sf(n_star - 1, N_LOANS * t, PD_MONTH)
    se = np.sqrt(p_depleted * (1 - p_depleted) / replicates)
    km = 1 - pool.loc[t, "survival"].to_numpy()
    assert np.all(np.abs(km - p_depleted) <= 4 * se + 0.02), np.c_[t, km, p_depleted]
    assert pool.loc[0, "at_risk"] == replicates and pool["events"].sum() <= replicates
    assert (pool["ci_low"] <= pool["survival"] + 1e-12).all() and (pool["survival"] <= pool["ci_high"] + 1e-12).all()
    median = pd.read_parquet(folder / "depletion_median.parquet").set_index("entity").loc["pool:pool"]
    true_median = t[np.argmax(p_depleted >= 0.5)]
    assert abs(median["median_month"] - true_median) <= 2
    assert median["ci_low"] <= median["median_month"] <= median["ci_high"]
    by_year = pd.read_parquet(folder / "depletion_by_year.parquet")
    assert list(by_year["year"]) == [2018, 2019, 2020]
    np.testing.assert_allclose(by_year["prob"], 1 - pool.loc[[12, 24, 36], "survival"].to_numpy())
    assert json.loads((folder / "horizon.json").read_text()) == {"fixed-pool": HORIZON}


def test_guarantor_entities_and_censoring(tmp_path, small_file):
    folder = api.depletion([str(small_file)], 5, out=tmp_path / "d", months=6, progress=False)
    med = pd.read_parquet(folder / "depletion_median.parquet")
    assert list(med.columns) == ["scenario", "entity", "median_month", "ci_low", "ci_high", "n", "events"]
    assert set(med["entity"]) == {"pool:pool", "guarantor", "guarantor:guar"}
    surv = pd.read_parquet(folder / "survival.parquet")
    assert surv["month"].max() == 6
    assert json.loads((folder / "horizon.json").read_text()) == {"small": 6}


def test_km_curve_without_events_stays_at_one():
    curve, _ = km_curve(np.full(10, np.nan), 12)
    assert (curve["survival"] == 1).all() and (curve["at_risk"] == 10).all() and curve["events"].sum() == 0


def test_km_curve_counts_events_and_censoring():
    curve, _ = km_curve(np.array([2.0, 2.0, 5.0, np.nan]), 6)
    c = curve.set_index("month")
    assert c.loc[2, "events"] == 2 and c.loc[2, "survival"] == 0.5 and c.loc[5, "survival"] == 0.25
    assert c.loc[3, "at_risk"] == 2 and c.loc[6, "at_risk"] == 1


def test_targets_probability_with_wilson_interval(tmp_path, small_file):
    folder = api.targets(str(small_file), 8, out=tmp_path / "t", progress=False)
    t = pd.read_parquet(folder / "targets.parquet")
    from experiments.store.folder import TARGETS

    assert list(t.columns) == list(TARGETS.columns)  # the target's definition, successes, n, prob, Wilson CI
    assert list(t["date"]) == ["2018-06", "2018-12"] and t["label"].iloc[0] == "balance"
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    for _, row in t.iterrows():
        k = int(outcomes[f"target.{row['index']}.met"].sum())
        ci = stats.binomtest(k, 8).proportion_ci(method="wilson")
        assert row["successes"] == k and row["n"] == 8 and row["prob"] == k / 8
        assert np.isclose(row["ci_low"], ci.low) and np.isclose(row["ci_high"], ci.high)
        values = outcomes[f"target.{row['index']}.value"]
        assert row["state"] == "scored" and row["value_median"] == values.median()
        assert (row["value_p10"], row["value_p90"]) == tuple(np.quantile(values, [0.1, 0.9]))


def test_targets_after_the_simulated_months_are_not_counted(tmp_path, small_file):
    folder = api.targets(str(small_file), 3, out=tmp_path / "t", months=8, progress=False)
    t = pd.read_parquet(folder / "targets.parquet").set_index("index")
    assert t.loc[0, "n"] == 3 and t.loc[1, "n"] == 0 and np.isnan(t.loc[1, "prob"])
    assert list(t["state"]) == ["scored", "not_reached"]
