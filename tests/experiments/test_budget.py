"""The special fund's annual budget as a finite fund: months it runs out, share of the year stopped, the depletion
tables, report and findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import api
from experiments.analysis.budget import budget_outcomes, budget_tables, year_months
from experiments.analysis.outcomes import flatten_outcomes, known_outcome
from experiments.report import write_report
from sim.model import EcosystemModel
from sim.scenario import load_scenario


def test_exhaustion_months_and_stopped_shares_by_hand():
    # 30 months from July 2021: 2021 has Jul–Dec (6), 2022 all 12, 2023 all 12. The budget runs out at the end
    # of September 2021 (Oct–Dec stopped: 3 of 6) and of March 2023 (Apr–Dec stopped: 9 of 12); 2022 lasts.
    summary = {"start": "2021-07", "months": 30, "budget_exhausted_months": ["2021-09", "2023-03"]}
    out = budget_outcomes(summary)
    assert year_months("2021-07", 30) == {2021: list(range(7, 13)), 2022: list(range(1, 13)), 2023: list(range(1, 13))}
    assert out["budget.2021.exhausted_month"] == 9 and out["budget.2021.stopped_share"] == 3 / 6
    assert np.isnan(out["budget.2022.exhausted_month"]) and out["budget.2022.stopped_share"] == 0
    assert out["budget.2023.exhausted_month"] == 3 and out["budget.2023.stopped_share"] == 9 / 12
    assert out["budget_exhausted_month_earliest"] == 3 and out["budget_stopped_share"] == (3 + 9) / 30
    assert known_outcome("budget.2023.stopped_share") and known_outcome("budget_exhausted_month_earliest")
    lasted = budget_outcomes({"start": "2021-07", "months": 6, "budget_exhausted_months": []})
    assert np.isnan(lasted["budget_exhausted_month_earliest"]) and lasted["budget_stopped_share"] == 0


def test_budget_tables_by_hand():
    # four runs of 2018: out at the end of March, July, never, July
    ok = pd.DataFrame(
        {
            "scenario": ["s"] * 4,
            "budget.2018.exhausted_month": [3.0, 7.0, np.nan, 7.0],
            "budget.2018.stopped_share": [9 / 12, 5 / 12, 0.0, 5 / 12],
        }
    )
    scenarios = {"s": {"government": {"annual_budget_wan": 10.0}}, "none": {"government": {"annual_budget_wan": 0}}}
    t = budget_tables(ok, scenarios, {"s": 12, "none": 12}, {"s": "2018-01", "none": "2018-01"})
    row = t["budget_by_year"].iloc[0]
    assert len(t["budget_by_year"]) == 1 and (row["year"], row["months"], row["runs"], row["exhausted"]) == (
        2018,
        12,
        4,
        3,
    )
    ci = stats.binomtest(3, 4).proportion_ci(method="wilson")
    assert row["prob"] == 0.75 and row["ci_low"] == pytest.approx(ci.low) and row["ci_high"] == pytest.approx(ci.high)
    assert row["median_month"] == 7  # out by the end of March: 1 in 4; by the end of July: 3 in 4
    assert row["stopped_share_mean"] == pytest.approx((9 + 5 + 0 + 5) / 48)
    curve = t["budget_months"].set_index("month")["exhausted_share"]
    assert curve.loc[[2, 3, 6, 7, 12]].tolist() == [0, 0.25, 0.25, 0.75, 0.75]


def test_the_model_stops_budget_payments_from_the_month_after_it_runs_out(small_file):
    scenario = load_scenario(small_file)
    for seed in (1, 2):
        result = EcosystemModel(scenario, rng=seed).run(24)
        out = flatten_outcomes(result.summary, result.monthly, result.institutions)
        mo = result.monthly
        spend = mo[
            [c for c in mo.columns if c.startswith("spend_") and "pool_payout" not in c and "injection" not in c]
        ]
        year, month = mo["month_label"].str[:4].astype(int), mo["month_label"].str[5:7].astype(int)
        seen = 0
        for y in (2018, 2019):
            left = mo.loc[year == y, "budget_left_wan"].to_numpy()
            empty = np.flatnonzero(left <= 1e-9)
            got = out[f"budget.{y}.exhausted_month"]
            if empty.size == 0:
                assert np.isnan(got)
                continue
            seen += 1
            first = int(month[year == y].to_numpy()[empty[0]])
            assert got == first
            after = (year == y) & (month > first)
            assert spend[after].to_numpy().sum() == 0  # nothing is paid from the budget once it is spent
            assert out[f"budget.{y}.stopped_share"] == (12 - first) / 12
        assert seen, "the small scenario's budget of 100万 should run out in some year"


def test_depletion_experiment_reports_the_budget(tmp_path, small_file):
    folder = api.depletion([str(small_file)], 4, out=tmp_path / "d", months=24, seed=3, progress=False)
    by_year = pd.read_parquet(folder / "budget_by_year.parquet")
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    assert list(by_year["year"]) == [2018, 2019]
    for r in by_year.itertuples():
        months = outcomes[f"budget.{r.year}.exhausted_month"]
        assert r.exhausted == months.notna().sum() and r.runs == 4
    curve = pd.read_parquet(folder / "budget_months.parquet")
    assert (
        len(curve) == 24 and curve.groupby("year")["exhausted_share"].apply(lambda s: s.is_monotonic_increasing).all()
    )
    for lang, words in (("en", "annual budget</h2>"), ("zh", "专项资金年度预算的用尽")):
        (html,) = write_report(folder, lang=lang)
        text = html.read_text(encoding="utf-8")
        assert words in text and 'id="fig-budget"' in text
        assert ("subsidies stop for" if lang == "en" else "的月份补贴暂停") in text  # the findings sentence
