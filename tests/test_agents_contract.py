from __future__ import annotations

import math
from collections.abc import Callable

import mesa
import pytest

from agents import Bank, CompensationPool, Government, Guarantor, Insurer
from agents.venture import VentureFund
from sim.model import EcosystemModel
from sim.scenario import Scenario
from sim.schema import BankParams, GovernmentParams, GuarantorParams, InsurerParams, PoolParams
from sim.schema_instruments import VentureFundParams

# A scenario holding one institution of every type, each built from its schema defaults, and a product that
# gives every one of them business.
SCENARIO = Scenario.model_validate(
    {
        "name": "contract",
        "start": "2018-01",
        "horizon_months": 12,
        "enterprises": {"initial_count": 500, "vc_rate": 0.5, "vc_quality_threshold": -1.0},
        "banks": [BankParams(name="bank").model_dump()],
        "guarantors": [GuarantorParams(name="guar").model_dump()],
        "insurers": [InsurerParams(name="ins").model_dump()],
        "vc_funds": [VentureFundParams(name="vc").model_dump()],
        "government": GovernmentParams(annual_budget_wan=200.0, pools=[PoolParams(name="pool")]).model_dump(),
        "products": [
            {"name": "credit", "banks": ["bank"]},
            {
                "name": "shared",
                "banks": ["bank"],
                "pool": "pool",
                "guarantor": "guar",
                "insurer": "ins",
                "shares": {"bank": 0.4, "pool": 0.2, "guarantor": 0.2, "insurer": 0.1, "government": 0.1},
                "guarantee_fee_rate": 0.01,
                "interest_subsidy_share": 0.3,
            },
            {"name": "vc-linked", "banks": ["bank"], "vc_fund": "vc", "shares": {"bank": 0.5, "vc": 0.5}},
        ],
    }
)

FIND: dict[type, Callable[[EcosystemModel], mesa.Agent]] = {
    Bank: lambda m: m.banks[0],
    Guarantor: lambda m: m.guarantors[0],
    Insurer: lambda m: m.insurers[0],
    Government: lambda m: m.government,
    CompensationPool: lambda m: m.government.pools[0],
    VentureFund: lambda m: m.ventures[0],
}

DEFAULTS: dict[type, Callable[[], object]] = {
    Bank: lambda: BankParams(name="bank"),
    Guarantor: lambda: GuarantorParams(name="guar"),
    Insurer: lambda: InsurerParams(name="ins"),
    Government: lambda: GovernmentParams(annual_budget_wan=200.0, pools=[PoolParams(name="pool")]),
    CompensationPool: lambda: PoolParams(name="pool"),
    VentureFund: lambda: VentureFundParams(name="vc"),
}

AGENT_TYPES = list(FIND)
IDS = [cls.__name__ for cls in AGENT_TYPES]


def assert_finite_report(agent: mesa.Agent) -> dict[str, float]:
    report = agent.report()
    assert isinstance(report, dict) and report
    for key, value in report.items():
        assert isinstance(key, str)
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (key, type(value))
        assert math.isfinite(value), (key, value)
    return report


@pytest.fixture(scope="module")
def ran() -> tuple[EcosystemModel, EcosystemModel]:
    a, b = EcosystemModel(SCENARIO, rng=9), EcosystemModel(SCENARIO, rng=9)
    a.run(6)
    b.run(6)
    return a, b


def test_the_contract_scenario_exercises_every_institution(ran):
    model, _ = ran
    assert model.guarantors[0].balance_wan > 0
    assert model.insurers[0].balance_wan > 0
    assert model.government.pools[0].covered.sum() > 0
    assert model.government.budget_left_wan < 200.0
    assert model.ventures[0].covered_wan > 0


@pytest.mark.parametrize("cls", AGENT_TYPES, ids=IDS)
def test_builds_from_schema_defaults_inside_a_model(cls):
    model = EcosystemModel(SCENARIO, rng=1)
    agent = FIND[cls](model)
    assert isinstance(agent, cls) and isinstance(agent, mesa.Agent)
    assert agent.model is model
    assert agent in model.agents
    assert agent.p == DEFAULTS[cls]()
    assert isinstance(agent.name, str) and agent.name
    assert_finite_report(agent)


@pytest.mark.parametrize("cls", AGENT_TYPES, ids=IDS)
def test_report_is_finite_after_running(cls, ran):
    model, _ = ran
    assert_finite_report(FIND[cls](model))


@pytest.mark.parametrize("cls", AGENT_TYPES, ids=IDS)
def test_same_seed_gives_identical_reports(cls, ran):
    a, b = ran
    assert FIND[cls](a).report() == FIND[cls](b).report()


@pytest.mark.parametrize("cls", AGENT_TYPES, ids=IDS)
def test_money_never_negative_after_every_month(cls):
    model = EcosystemModel(SCENARIO, rng=4)
    money = {
        Bank: ("balance_wan",),
        Guarantor: ("net_assets_wan", "balance_wan"),
        Insurer: ("capital_wan", "balance_wan"),
        Government: ("budget_left_wan",),
        CompensationPool: ("balance_wan",),
        VentureFund: ("balance_wan", "covered_wan"),
    }[cls]
    agent = FIND[cls](model)
    for _ in range(6):
        model.step()
        for attr in money:
            assert getattr(agent, attr) >= 0, (attr, model.month)
