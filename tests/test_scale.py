"""Population scale (``enterprises.scale``, ``--scale``): a consistent fraction of a region."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import EcosystemModel
from sim.scale import PER_UNIT, REGION, apply_scale, extensive, override_warnings
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario_errors import inner_model


def _blocks(model=Scenario, seen=None):
    seen = set() if seen is None else seen
    for name, field in model.model_fields.items():
        yield model.__name__, name
        inner = inner_model(field.annotation)
        if inner is not None and inner not in seen:
            seen.add(inner)
            yield from _blocks(inner, seen)


def test_every_money_and_count_field_is_classified():
    sized = {
        (block, name)
        for block, name in _blocks()
        if name.endswith(("_wan", "_count", "_per_month", "applications", "injections"))
    }
    unclassified = sized - REGION - PER_UNIT
    assert not unclassified, f"say in sim/scale.py whether these grow with the region: {sorted(unclassified)}"
    assert not REGION & PER_UNIT


def test_scale_multiplies_the_region_and_keeps_what_is_per_firm():
    s = load_scenario("jiaxing-2017")
    k = 0.1
    x = apply_scale(s.with_overrides({"enterprises.scale": k}))
    assert x.enterprises.scale == 1.0 and apply_scale(x) == x  # applied once
    assert x.enterprises.initial_count == round(s.enterprises.initial_count * k)
    assert x.enterprises.entry_per_month == pytest.approx(s.enterprises.entry_per_month * k)
    for a, b in zip(s.banks, x.banks, strict=True):
        assert b.capital_wan == pytest.approx(a.capital_wan * k)
        assert (b.annual_quota_wan or 0) == pytest.approx((a.annual_quota_wan or 0) * k)
    city = x.guarantors[0]
    assert city.net_assets_wan == pytest.approx(s.guarantors[0].net_assets_wan * k)
    assert city.injections[0][1] == pytest.approx(s.guarantors[0].injections[0][1] * k)
    assert x.government.annual_budget_wan == pytest.approx(s.government.annual_budget_wan * k)
    assert x.government.pools[0].initial_wan == pytest.approx(s.government.pools[0].initial_wan * k)
    assert x.insurers[0].capital_wan == pytest.approx(s.insurers[0].capital_wan * k)
    # per firm, per loan and rates are untouched
    assert x.enterprises.monthly_revenue_wan == s.enterprises.monthly_revenue_wan
    assert [p.max_loan_wan for p in x.products] == [p.max_loan_wan for p in s.products]
    assert x.government.subsidies == s.government.subsidies
    assert x.insurers[0].tech == s.insurers[0].tech
    for a, b in zip(s.targets, x.targets, strict=True):
        if extensive(a.metric):
            assert (b.threshold, b.offset) == pytest.approx((a.threshold * k, a.offset * k))
        else:
            assert (b.threshold, b.offset) == (a.threshold, a.offset)


def test_rates_and_changes_are_not_scaled():
    assert not extensive("avg_cost_over_lpr_rate") and not extensive("npl_ratio") and not extensive(None)
    assert extensive("listings_neeq_cum") and extensive("tech_loan_balance_wan") and extensive("first_loans_new")


def test_a_scaled_region_keeps_per_firm_outcomes_within_noise():
    """Xianning at 1 and at ½ over the same seeds: borrower share, NPL ratio, cost and policy reach per firm
    agree within noise; amounts are halved."""

    def outcomes(k):
        rows = []
        for seed in range(4):
            r = EcosystemModel(load_scenario("xianning-2021", {"enterprises.scale": k}), rng=seed).run(24)
            s, mo = r.summary, r.monthly
            assert s["scale"] == k
            rows.append(
                [
                    s["borrowers_end"] / s["firms_alive_end"],
                    float(mo["npl_ratio"].iloc[12:].mean()),
                    s["avg_cost_rate_mean"],
                    s["credit_balance_end_wan"] / s["firms_alive_end"],
                    s["first_loan_firms"] / s["firms_alive_end"],
                    s["credit_balance_end_wan"],
                ]
            )
        return np.array(rows)

    full, half = outcomes(1.0), outcomes(0.5)
    share, npl, cost, per_firm, first, _ = np.abs(full.mean(0) - half.mean(0))
    assert share < 0.03 and npl < 0.01 and cost < 0.002, (share, npl, cost)
    assert per_firm / full[:, 3].mean() < 0.08 and first < 0.03
    assert half[:, 5].mean() / full[:, 5].mean() == pytest.approx(0.5, rel=0.08)


def test_scale_goes_to_the_summary_and_a_csv_population_refuses_it():
    m = EcosystemModel(load_scenario("baseline", {"enterprises.scale": 0.2}), rng=1)
    assert m.s.enterprises.initial_count == 400 and m.s.banks[0].capital_wan == 0.2 * 200000
    assert m.run(2).summary["scale"] == 0.2
    with pytest.raises(ScenarioError, match=r"enterprises\.scale"):
        load_scenario("panzhihua-2017-firms", {"enterprises.scale": 0.5})


def test_resizing_the_population_alone_is_warned_about():
    base = load_scenario("jiaxing-2017")
    (w,) = override_warnings(base, {"enterprises.initial_count": 500})
    assert "entry stays at 247.5 firms a month" in w and "--scale 0.0101" in w
    assert override_warnings(base, {"enterprises.initial_count": 500, "enterprises.entry_per_month": 2.5}) == []
    assert override_warnings(base, {"enterprises.scale": 0.1}) == []


def test_scale_option_on_the_command_line(tmp_path, capsys):
    from experiments.cli import main

    out = tmp_path / "run"
    assert main(["run", "baseline", "--scale", "0.1", "--months", "2", "--no-baseline", "--out", str(out)]) == 0
    text = capsys.readouterr()
    assert "region scale    0.1 of the region" in text.out
    assert main(["run", "baseline", "--scale", "1.5", "--out", str(tmp_path / "x")]) == 2
    assert "at most 1" in capsys.readouterr().err
    args = ["--months", "1", "--no-baseline", "--out", str(tmp_path / "y")]
    code = main(["run", "baseline", "--set", "enterprises.initial_count=200", *args])
    assert code == 0 and "use --scale 0.1" in capsys.readouterr().err
