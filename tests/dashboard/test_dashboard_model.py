"""DashboardModel without a browser: pairing, lever table, page parameters and the CLI command."""

from __future__ import annotations

import inspect

import pytest

from experiments.dashboard import LEVERS, SERIES, DashboardModel, lever_overrides, model_params
from experiments.dashboard.model import scenario_lever_values
from sim.calendar import YearMonth
from sim.counterfactual import without_policy
from sim.model import EcosystemModel
from sim.scenario import bundled_names, load_scenario

ALL_OFF = {
    "pool_size_wan": 0.0,
    "pool_coverage": 0.0,
    "interest_subsidy_share": 0.0,
    "guarantee_fee_rate": 0.0,
    "fee_subsidy_share": 0.0,
    "g4321": False,
    "npl_tolerance": 0.03,
    "downturn": False,
}
MONTHS = 12


def _frame(**kwargs):
    m = DashboardModel("baseline", rng=11, **kwargs)
    for _ in range(MONTHS):
        m.step()
    return m, m.datacollector.get_model_vars_dataframe()


def test_every_lever_has_a_keyword_and_a_page_control():
    assert set(ALL_OFF) == set(LEVERS)
    keywords = set(inspect.signature(DashboardModel).parameters)
    assert set(LEVERS) | {"scenario_name", "rng"} == keywords
    params = model_params(["baseline"], "baseline")
    assert set(params) == keywords
    for key, spec in params.items():
        assert spec["type"] in ("Select", "InputText", "SliderFloat", "Checkbox"), key
        if spec["type"] == "SliderFloat":
            assert spec["min"] <= spec["value"] <= spec["max"], key


def test_all_levers_off_on_the_baseline_region_policy_equals_baseline():
    m, df = _frame(**ALL_OFF)
    assert m.error is None and m.steps == MONTHS and len(df) == MONTHS + 1
    assert not any(k.startswith(("products", "government", "macro")) for k in m.overrides)
    for col in SERIES:
        assert df[col].tolist() == df[f"{col}_baseline"].tolist(), col
    assert df["credit_balance"].iloc[-1] > 0


def test_a_pool_makes_the_policy_run_differ_from_its_baseline():
    m, df = _frame(**{**ALL_OFF, "pool_size_wan": 5000.0, "pool_coverage": 0.5})
    assert any("dash_pool" in n for n in m.notes)
    assert df["pool_balance"].iloc[0] == 5000.0
    assert (df["pool_balance_baseline"] == 0).all()
    assert df["credit_balance"].tolist() != df["credit_balance_baseline"].tolist()
    # Same seed, same region: the month before any lending is the same in both runs.
    assert df["credit_balance"].iloc[0] == df["credit_balance_baseline"].iloc[0]


def test_same_seed_same_series_and_text_seed_is_parsed():
    a = _frame(pool_size_wan=3000.0, pool_coverage=0.4)[1]
    b = DashboardModel("baseline", rng="11", pool_size_wan=3000.0, pool_coverage=0.4)
    for _ in range(MONTHS):
        b.step()
    assert b.seed == 11
    assert a.equals(b.datacollector.get_model_vars_dataframe())


def test_no_levers_leaves_the_scenario_as_written():
    s = load_scenario("xianning-2021") if "xianning-2021" in bundled_names() else load_scenario("baseline")
    assert lever_overrides(s) == ({}, [])
    m = DashboardModel(s.name, rng=1)
    assert m.plan == s


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_runs_with_every_control_at_its_starting_value(name):
    s = load_scenario(name)
    start = scenario_lever_values(s)
    assert set(start) == set(LEVERS)
    for key, spec in model_params(bundled_names(), name).items():
        if key in LEVERS:
            assert spec["value"] == start[key], key
            assert spec["type"] == "Checkbox" or spec["min"] <= spec["value"] <= spec["max"], key
    m = DashboardModel(name, rng=3, **{**start, "downturn": True})
    if m.error:
        pytest.fail(f"{name}: {m.error}")
    m.step()
    m.step()
    row = m.datacollector.get_model_vars_dataframe().iloc[-1]
    assert row["credit_balance"] > 0 and row["credit_balance_baseline"] > 0
    shock = YearMonth.parse(m.plan.macro.shocks[-1].start)
    assert m.plan.start_month <= shock <= m.plan.end_month


def test_controls_start_at_the_scenarios_own_values():
    s = load_scenario("xianning-2021")
    start = scenario_lever_values(s)
    guaranteed = [p for p in s.products if p.guarantor is not None and p.shares.guarantor > 0]
    assert start["guarantee_fee_rate"] == guaranteed[0].guarantee_fee_rate
    assert start["fee_subsidy_share"] == guaranteed[0].fee_subsidy_share
    assert start["npl_tolerance"] == s.banks[0].npl_tolerance
    assert start["pool_size_wan"] == s.government.pools[0].initial_wan
    assert start["downturn"] is False
    empty = scenario_lever_values(load_scenario("baseline"))
    assert empty["pool_size_wan"] == empty["pool_coverage"] == empty["guarantee_fee_rate"] == 0.0


@pytest.mark.parametrize("name", ["xianning-2021", "jiaxing-2017"])
def test_the_pages_first_run_is_the_plan_as_written(name):
    from experiments.dashboard import app

    seed = int(app.PARAMS["rng"]["value"])
    m = DashboardModel(name, rng=app.PARAMS["rng"]["value"])  # what Reset builds when no control moved
    plan = EcosystemModel(load_scenario(name), rng=seed)
    bare = EcosystemModel(without_policy(load_scenario(name)), rng=seed)
    rows, bare_rows = [dict(plan.recorder.row)], [dict(bare.recorder.row)]
    for _ in range(6):
        m.step()
        plan.step()
        bare.step()
        rows.append(dict(plan.recorder.row))
        bare_rows.append(dict(bare.recorder.row))
    df = m.datacollector.get_model_vars_dataframe()
    for column, metric in SERIES.items():
        assert df[column].tolist() == [r[metric] for r in rows], column
        assert df[f"{column}_baseline"].tolist() == [r[metric] for r in bare_rows], column
    first = load_scenario(name).start_month
    assert m.when(0) == f"{first} start" and m.when() == f"{first.plus(5)} end"


def test_lever_rules_on_a_scenario_with_every_instrument():
    if "xianning-2021" not in bundled_names():
        pytest.skip("xianning-2021 is not bundled")
    s = load_scenario("xianning-2021")
    pool_products = [p.name for p in s.products if p.pool and {k for k, v in p.shares if v > 0} <= {"pool", "bank"}]
    out, notes = lever_overrides(s, pool_coverage=0.7, g4321=False, npl_tolerance=0.06, downturn=True)
    for n in pool_products:
        assert out[f"products.{n}.shares"] == {"pool": 0.7, "bank": pytest.approx(0.3)}
    four = [p.name for p in s.products if p.shares.reguarantor == 0.3 and p.shares.government == 0.1]
    for n in four:
        assert out[f"products.{n}.shares"] == {"guarantor": 0.8, "bank": 0.2}
        assert out[f"products.{n}.reguarantor"] is None
    assert all(out[f"banks.{b.name}.npl_tolerance"] == 0.06 for b in s.banks)
    applied = s.with_overrides(out)
    new = applied.macro.shocks[-1]
    assert new.pd_multiplier == 2.0 and YearMonth.parse(new.start) == s.start_month.plus(12)
    assert any("Downturn" in n for n in notes)
    with pytest.raises(TypeError):
        lever_overrides(s, pool=1)


def test_levers_that_do_not_apply_are_noted_not_failed():
    s = load_scenario("baseline")
    out, notes = lever_overrides(s, guarantee_fee_rate=0.01, fee_subsidy_share=0.3, g4321=True)
    assert not any(k.startswith("products") for k in out)
    assert len(notes) == 4  # fee, fee subsidy, 4321, no budget for subsidies
    assert any("re-guarantor" in n for n in notes)


def test_a_scenario_that_does_not_load_is_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhorizon_months: -3\n", encoding="utf-8")
    m = DashboardModel(str(bad), rng=1)
    assert m.error and "horizon_months" in m.error
    assert m.running is False
    m.step()
    assert m.policy is None


def test_app_page_and_cli_command():
    from experiments.cli import commands
    from experiments.cli.dashboard import APP, server_command
    from experiments.dashboard import app

    assert app.DEFAULT_SCENARIO in app.SCENARIOS
    m = app.initial_model()
    assert m.error is None and m.scenario_name == app.DEFAULT_SCENARIO
    fig = app._figure(m, "credit_balance", "Tech credit balance 科技贷款余额", "亿元", 1e4)
    assert fig.axes[0].get_lines()
    assert "dashboard" in commands()
    cmd = server_command("127.0.0.1", 8123)
    assert cmd[1:4] == ["-m", "solara", "run"] and cmd[4] == str(APP) and APP.exists()
    assert cmd[cmd.index("--port") + 1] == "8123" and "--production" in cmd


def test_the_info_panel_scores_the_plans_targets_on_the_months_run():
    from experiments.dashboard.app import target_line

    m = DashboardModel("panzhihua-2017", rng=3)
    assert {v["status"] for v in m.target_verdicts()} == {"not_reached", "out_of_scope"}  # nothing run yet
    for _ in range(16):  # to 2018-12
        m.step()
    first = m.target_verdicts()[0]  # 2018: 科技信贷额度超过2,000万 on the policy-loan balance
    monthly = m.policy.datacollector.get_model_vars_dataframe()
    assert monthly["date"].iloc[-1] == "2018-12" and first["date"] == "2018-12"
    assert first["value"] == monthly["policy_loan_balance_wan"].iloc[-1]
    assert first["status"] == ("met" if first["value"] > 2000 else "missed")
    assert target_line(first).startswith(("达成 met — ", "未达成 missed — "))
    later = [v for v in m.target_verdicts() if v["date"] == "2019-12" and v["status"] != "out_of_scope"]
    assert later and all(v["status"] == "not_reached" and "not reached yet" in target_line(v) for v in later)
