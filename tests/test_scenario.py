from __future__ import annotations

import math

import numpy as np
import pytest

from sim.counterfactual import without_policy
from sim.model import EcosystemModel
from sim.scenario import Scenario, ScenarioError, bundled_names, load_scenario
from sim.schema import PARTIES


@pytest.fixture
def two_banks() -> Scenario:
    return Scenario.model_validate(
        {
            "name": "two",
            "banks": [{"name": "big", "spread_rate": 0.01}, {"name": "city", "spread_rate": 0.015}],
            "products": [{"name": "credit", "banks": ["big", "city"]}],
        }
    )


# ---- overrides ---------------------------------------------------------------------------------------------


def test_override_by_list_index_returns_new_scenario_and_leaves_old_unchanged(two_banks):
    new = two_banks.with_overrides({"banks.1.spread_rate": 0.02, "enterprises.initial_count": 300})
    assert isinstance(new, Scenario)
    assert new is not two_banks
    assert new.banks[1].spread_rate == 0.02
    assert new.banks[0].spread_rate == 0.01
    assert new.enterprises.initial_count == 300
    assert two_banks.banks[1].spread_rate == 0.015
    assert two_banks.enterprises.initial_count == 2000
    assert new.digest() != two_banks.digest()


def test_override_by_list_item_name(two_banks):
    new = two_banks.with_overrides({"banks.city.capital_wan": 5000.0, "products.credit.lgd": 0.4})
    assert new.banks[1].capital_wan == 5000.0
    assert new.banks[0].capital_wan == two_banks.banks[0].capital_wan
    assert new.products[0].lgd == 0.4
    assert two_banks.products[0].lgd == 0.6


def test_override_of_a_whole_sub_mapping_is_validated(two_banks):
    new = two_banks.with_overrides({"products.credit.shares": {"bank": 0.7, "government": 0.3}})
    assert new.products[0].shares.government == 0.3
    with pytest.raises(ScenarioError, match=r"products\.0\.shares.*sum to 1"):
        two_banks.with_overrides({"products.credit.shares": {"bank": 0.7}})


def test_override_is_validated(two_banks):
    with pytest.raises(ScenarioError, match=r"banks\.0\.spread_rate"):
        two_banks.with_overrides({"banks.0.spread_rate": -1.0})
    with pytest.raises(ScenarioError, match=r"enterprises\.bogus: unknown key"):
        two_banks.with_overrides({"enterprises.bogus": 1})


def test_override_of_a_missing_list_item_names_it(two_banks):
    with pytest.raises(ScenarioError, match=r"no item 'nobank' in banks"):
        two_banks.with_overrides({"banks.nobank.spread_rate": 0.02})
    with pytest.raises(ScenarioError, match=r"no item '5' in banks"):
        two_banks.with_overrides({"banks.5.spread_rate": 0.02})


def test_model_keyword_overrides_reach_the_scenario(two_banks):
    m = EcosystemModel(two_banks, rng=1, **{"enterprises.initial_count": 150, "banks.city.spread_rate": 0.03})
    assert m.s.enterprises.initial_count == 150
    assert m.s.banks[1].spread_rate == 0.03
    assert m.pop.n >= 150  # the burn-in adds the entrants of its months
    m0 = EcosystemModel(two_banks, rng=1, **{"enterprises.initial_count": 150, "burn_in_months": 0})
    assert m0.pop.n == 150
    m2 = EcosystemModel(two_banks, rng=1, enterprises__initial_count=120)
    assert m2.s.enterprises.initial_count == 120


def test_load_scenario_applies_overrides_to_a_file(write_yaml, small_scenario_data):
    path = write_yaml("small.yaml", small_scenario_data)
    s = load_scenario(path, {"horizon_months": 6, "banks.bank.hurdle_rate": 0.01})
    assert s.horizon_months == 6
    assert s.banks[0].hurdle_rate == 0.01
    assert load_scenario(path).horizon_months == 12


@pytest.mark.parametrize(
    "overrides",
    [
        {"enterprises.annual_pd.seed": 0.1},  # a nested mapping the file leaves at its schema default
        {"banks.bank.spread_rate": 0.02},  # an item of a list the file leaves at its schema default
        {"banks.0.spread_rate": 0.02},
    ],
)
def test_file_overrides_equal_overrides_of_the_loaded_scenario(write_yaml, overrides):
    path = write_yaml("bare.yaml", {"name": "bare", "enterprises": {"initial_count": 100}})
    expected = load_scenario(path).with_overrides(overrides)
    assert load_scenario(path, overrides) == expected
    assert EcosystemModel(path, rng=1, **overrides).s == expected


# ---- extends -----------------------------------------------------------------------------------------------


def test_extends_merges_mappings_and_named_lists(write_yaml):
    write_yaml(
        "base.yaml",
        {
            "name": "base",
            "horizon_months": 24,
            "enterprises": {"initial_count": 300, "entry_per_month": 2.0},
            "banks": [{"name": "a", "capital_wan": 1000.0}, {"name": "b", "capital_wan": 2000.0}],
            "products": [{"name": "credit", "banks": ["a", "b"], "lgd": 0.5}],
            "macro": {"lpr_path": [["2015-10", 0.0435]]},
        },
    )
    child = write_yaml(
        "child.yaml",
        {
            "extends": "base.yaml",
            "name": "child",
            "enterprises": {"initial_count": 400},
            "banks": [{"name": "b", "spread_rate": 0.02}, {"name": "c"}],
            "products": [{"name": "credit", "banks": ["a", "b", "c"]}],
            "macro": {"lpr_path": [["2015-10", 0.04]]},
        },
    )
    s = load_scenario(child)
    assert s.name == "child"
    assert s.horizon_months == 24
    assert s.enterprises.initial_count == 400
    assert s.enterprises.entry_per_month == 2.0
    assert [b.name for b in s.banks] == ["a", "b", "c"]
    assert s.banks[0].capital_wan == 1000.0
    assert s.banks[1].capital_wan == 2000.0  # kept from the base item
    assert s.banks[1].spread_rate == 0.02  # changed by the delta item of the same name
    assert s.products[0].banks == ["a", "b", "c"]  # a plain list replaces
    assert s.products[0].lgd == 0.5  # the rest of the named item is kept
    assert s.macro.lpr_path == [("2015-10", 0.04)]


def test_extends_chain_and_circular_extends(write_yaml):
    write_yaml("a.yaml", {"name": "a", "horizon_months": 18, "enterprises": {"initial_count": 100}})
    write_yaml("b.yaml", {"extends": "a.yaml", "name": "b", "enterprises": {"entry_per_month": 1.0}})
    c = write_yaml("c.yaml", {"extends": "b.yaml", "name": "c"})
    s = load_scenario(c)
    assert (s.name, s.horizon_months, s.enterprises.initial_count, s.enterprises.entry_per_month) == (
        "c",
        18,
        100,
        1.0,
    )
    loop = write_yaml("loop1.yaml", {"extends": "loop2.yaml", "name": "l1"})
    write_yaml("loop2.yaml", {"extends": "loop1.yaml", "name": "l2"})
    with pytest.raises(ScenarioError, match="circular extends"):
        load_scenario(loop)


def test_extends_base_problems_are_still_reported(write_yaml):
    write_yaml("base.yaml", {"name": "base", "enterprises": {"initial_count": 100}})
    child = write_yaml("child.yaml", {"extends": "base.yaml", "name": "child", "enterprises": {"initial_cont": 1}})
    with pytest.raises(ScenarioError) as e:
        load_scenario(child)
    assert "child.yaml" in str(e.value)
    assert "enterprises.initial_cont" in str(e.value)


# ---- the no-policy counterfactual --------------------------------------------------------------------------


def test_without_policy_has_plain_products_and_no_public_money():
    s = Scenario.model_validate(
        {
            "name": "policy",
            "banks": [
                {"name": "bank", "relending_discount_rate": 0.01, "loss_weight": 0.7},
                {"name": "techbank", "annual_quota_wan": 10000.0},
            ],
            "guarantors": [{"name": "g", "injections": [["2018-06", 1000.0]]}],
            "insurers": [{"name": "i", "tech": {"uptake_share": 0.2}}],
            "government": {
                "annual_budget_wan": 1000.0,
                "subsidies": {"bank_reward_share": 0.01},
                "pools": [{"name": "p", "initial_wan": 3000.0}],
            },
            "platforms": {"matching_extra_applications": 2},
            "products": [
                {"name": "credit", "banks": ["bank"], "term_months": 6, "lgd": 0.5, "max_loan_wan": 300.0},
                {
                    "name": "shared",
                    "banks": ["bank", "techbank"],
                    "pool": "p",
                    "guarantor": "g",
                    "insurer": "i",
                    "shares": {"bank": 0.2, "pool": 0.3, "guarantor": 0.2, "insurer": 0.2, "government": 0.1},
                    "guarantee_fee_rate": 0.01,
                    "interest_subsidy_share": 0.5,
                    "eligibility": {"stages": ["seed"], "database_only": True},
                },
            ],
        }
    )
    plain = without_policy(s)
    assert plain.name == "policy-no-policy"
    for p in plain.products:
        assert p.shares.bank == 1.0
        assert all(getattr(p.shares, party) == 0.0 for party in PARTIES if party != "bank")
        assert (p.pool, p.guarantor, p.insurer, p.reguarantor) == (None, None, None, None)
        assert p.guarantee_fee_rate == 0.0 and p.reguarantee_fee_rate == 0.0
        assert p.interest_subsidy_share == 0.0 and not p.first_loan_interest_subsidy_share
        assert p.fee_subsidy_share == 0.0 and p.premium_subsidy_share == 0.0
    credit = next(p for p in plain.products if p.name == "credit")
    assert (credit.banks, credit.term_months, credit.lgd, credit.max_loan_wan) == (["bank"], 6, 0.5, 300.0)
    assert {b.name for b in plain.banks} == {"bank", "techbank"}
    assert {b for p in plain.products for b in p.banks} == {"bank", "techbank"}  # every bank still lends
    assert plain.government.pools == []
    assert plain.government.annual_budget_wan == 0.0
    assert plain.government.subsidies.bank_reward_share == 0.0
    assert plain.platforms.matching_extra_applications == 0
    assert all(b.relending_discount_rate == 0.0 and b.loss_weight == 1.0 for b in plain.banks)
    assert all(b.annual_quota_wan is None for b in plain.banks)
    assert plain.guarantors[0].injections == []
    assert plain.insurers[0].tech.uptake_share == 0.0
    assert s.government.pools[0].initial_wan == 3000.0  # the original is untouched
    assert s.products[1].shares.pool == 0.3
    result = EcosystemModel(plain, rng=1, **{"enterprises.initial_count": 200}).run(6)
    assert result.monthly["fiscal_spending_cum_wan"].iloc[-1] == 0.0
    assert result.monthly["loss_bank_wan"].sum() == pytest.approx(result.monthly["loss_wan"].sum())
    assert result.monthly["new_loans_wan"].sum() > 0


# ---- bundled scenarios -------------------------------------------------------------------------------------


def test_there_are_bundled_scenarios():
    assert "baseline" in bundled_names()


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenario_validates_and_runs_a_year(name):
    s = load_scenario(name)
    assert s.name == name
    model = EcosystemModel(name, rng=1)
    result = model.run(12)
    mo = result.monthly
    assert len(mo) == 12
    money = [c for c in mo.columns if c.endswith("_wan")]
    values = mo[money].to_numpy(dtype=float)
    assert np.isfinite(values).all(), [c for c in money if not np.isfinite(mo[c]).all()]
    for col in ("tech_loan_balance_wan", "pool_balance_wan", "budget_left_wan", "guarantee_balance_wan"):
        assert (mo[col] >= 0).all(), col
    assert (mo["firms_alive"] > 0).all()
    assert model.conservation_error_wan < 1e-6
    assert math.isfinite(result.summary["credit_balance_end_wan"])
