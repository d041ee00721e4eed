"""Target verdicts: met, missed, not reached (dated after the run's end), out of scope — computed, printed by
``techfin run``, written in the run report and counted in experiments."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from sim.schema import Target
from sim.targets import check_targets, count_states


def _monthly() -> tuple[pd.DataFrame, pd.Series]:
    labels = [f"2018-{m:02d}" for m in range(1, 7)]
    mo = pd.DataFrame(
        {
            "month_label": labels,
            "new_loans_wan": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "avg_cost_rate": [0.06, np.nan, 0.05, 0.04, 0.04, 0.03],
            "listings_cum": [0, 0, 1, 1, 2, 3],
        }
    )
    start = pd.Series({"new_loans_wan": 0.0, "avg_cost_rate": 0.07, "listings_cum": 0})
    return mo, start


def _one(mo, start, **kw) -> dict:
    (row,) = check_targets([Target(**{"threshold": 0.0, **kw})], mo, start)
    return row


def test_values_follow_window_base_and_offset():
    mo, start = _monthly()
    assert _one(mo, start, metric="new_loans_wan", date="2018-06", window_months=3)["value"] == 150.0
    change = _one(mo, start, metric="new_loans_wan", date="2018-06", window_months=3, base_date="2018-03")
    assert change["value"] == 150.0 - 60.0 and change["status"] == "met"
    mean = _one(mo, start, metric="avg_cost_rate", date="2018-03", window_months=3, window_stat="mean")
    assert mean["value"] == pytest.approx(0.055)  # a month without loans (NaN) is not a zero rate
    since = _one(mo, start, metric="avg_cost_rate", date="2018-06", base_date="start", op="<")
    assert since["value"] == pytest.approx(0.03 - 0.07) and since["met"]
    total = _one(mo, start, metric="listings_cum", date="2018-06", threshold=10, offset=7)
    assert total["value"] == 10 and total["status"] == "met"  # a city total: 7 listed before the start


def test_the_four_states():
    mo, start = _monthly()
    rows = check_targets(
        [
            Target(metric="listings_cum", date="2018-06", threshold=3),
            Target(metric="listings_cum", date="2018-06", threshold=4),
            Target(metric="listings_cum", date="2018-09", threshold=0),
            Target(metric="new_loans_wan", date="2018-09", base_date="2018-06", threshold=0),
            Target(metric="new_loans_wan", date="2018-04", base_date="2018-08", threshold=0),
            Target(metric="listings_cum", date="2018-06", threshold=0, out_of_scope="bonds are not in the model"),
            Target(date="2018-06", threshold=1, out_of_scope="an institution the scenario sets up"),
            Target(metric="avg_cost_rate", date="2018-02", threshold=1, op="<"),
        ],
        mo,
        start,
    )
    assert [r["status"] for r in rows] == [
        "met",
        "missed",
        "not_reached",
        "not_reached",
        "not_reached",  # the base month is after the end: no verdict either
        "out_of_scope",
        "out_of_scope",
        "missed",  # no loans that month: no cost to meet the target with
    ]
    assert [r["met"] for r in rows] == [True] + [False] * 7
    assert rows[2]["value"] is None and rows[5]["value"] == 3  # out of scope: the value is for information
    assert rows[5]["reason"] == "bonds are not in the model"
    assert count_states(rows) == {
        "targets_met": 1,
        "targets_missed": 2,
        "targets_not_reached": 3,
        "targets_out_of_scope": 2,
        "targets_total": 8,
    }


def test_a_target_needs_a_metric_unless_out_of_scope():
    with pytest.raises(ValueError, match="needs a metric"):
        Target(date="2018-06", threshold=1)
    with pytest.raises(ValueError, match="reason"):
        Target(metric="borrowers", date="2018-06", threshold=1, out_of_scope=" ")


@pytest.fixture
def verdict_file(write_yaml, small_scenario_data):
    targets = [
        {"metric": "tech_loan_balance_wan", "date": "2018-03", "threshold": 1.0, "label": "some credit"},
        {"metric": "tech_loan_balance_wan", "date": "2018-03", "threshold": 1e12, "label": "absurd credit"},
        {"metric": "tech_loan_balance_wan", "date": "2018-12", "threshold": 1.0, "label": "credit at year end"},
        {"date": "2018-06", "threshold": 1e5, "label": "bonds 10亿", "out_of_scope": "bonds are not in the model"},
    ]
    return write_yaml("verdicts.yaml", small_scenario_data | {"targets": targets})


def test_a_run_cut_short_reports_later_targets_as_not_reached(verdict_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(verdict_file), "--months", "6", "--no-baseline", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [t["status"] for t in summary["targets"]] == ["met", "missed", "not_reached", "out_of_scope"]
    assert (summary["targets_met"], summary["targets_missed"], summary["targets_total"]) == (1, 1, 4)
    assert "1 met, 1 missed, 1 not reached (dated after the run's end 2018-06), 1 out of scope" in text
    lines = {line.split("2018-")[0].strip(): line for line in text.splitlines() if "2018-" in line and "  " in line}
    assert "MISSED" in lines and "not reached" in lines and "out of scope" in lines
    assert "bonds are not in the model" in lines["out of scope"]
    assert text.count("MISSED") == 1  # the target dated after the end is not called missed

    from experiments.report import write_report

    for lang, words in (
        ("en", ("1 not reached", "1 out of scope", "not reached: dated after the run ends", "bonds are not in")),
        ("zh", ("1项未到期", "1项超出模型范围", "未到期：晚于模拟结束", "超出模型范围：模型不含其度量对象")),
    ):
        (page,) = write_report(out, lang)
        html = page.read_text(encoding="utf-8")
        assert all(w in html for w in words), lang
    assert "bonds are not in the model" not in html  # a reason given in English only: a generic one in Chinese


def test_targets_experiment_gives_no_probability_for_unscorable_targets(verdict_file, tmp_path):
    from experiments import api

    folder = api.targets(str(verdict_file), 3, months=6, out=tmp_path / "t", progress=False)
    table = pd.read_parquet(folder / "targets.parquet")
    assert list(table["state"]) == ["scored", "scored", "not_reached", "out_of_scope"]
    assert list(table["n"]) == [3, 3, 0, 0]
    assert table["prob"].iloc[0] == 1.0 and table["prob"].iloc[1] == 0.0
    assert math.isnan(table["prob"].iloc[2]) and math.isnan(table["prob"].iloc[3])
    runs = pd.read_parquet(folder / "outcomes.parquet")
    assert table["value_median"].iloc[0] == pytest.approx(np.median(runs["target.0.value"]))
    assert table["reason"].iloc[3] == "bonds are not in the model"
