from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from sim.model import EcosystemModel
from sim.scenario import Scenario

MONTHS = 24
SEED = 7

# Every series about credit and firms: an instrument that changes nothing must leave all of them identical.
CREDIT_COLUMNS = [
    "tech_loan_balance_wan",
    "new_loans",
    "new_loans_wan",
    "first_loans_new",
    "borrowers",
    "firms_served_cum",
    "applications",
    "approvals",
    "approval_rate",
    "avg_cost_rate",
    "interest_wan",
    "npl_ratio",
    "defaults",
    "defaulted_loans",
    "loss_wan",
    "loss_bank_wan",
    "shortfall_wan",
    "firms_alive",
    "firms_seed",
    "firms_startup",
    "firms_growth",
    "firms_mature",
    "patents",
    "rd_spending_wan",
    "vc_rounds",
    "listings_new",
    "vc_linked_loan_balance_wan",
]

BASE: dict[str, Any] = {
    "name": "neutral",
    "start": "2018-01",
    "horizon_months": MONTHS,
    "enterprises": {"initial_count": 800},
    "banks": [{"name": "bank"}],
    "products": [{"name": "credit", "banks": ["bank"]}],
}


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(BASE | changes)


def monthly(s: Scenario, seed: int = SEED) -> pd.DataFrame:
    return EcosystemModel(s, rng=seed).run().monthly


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return monthly(scenario())


def test_same_seed_gives_identical_tables():
    a = EcosystemModel(scenario(), rng=SEED).run()
    b = EcosystemModel(scenario(), rng=SEED).run()
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    pd.testing.assert_frame_equal(a.institutions, b.institutions, check_exact=True)
    assert a.summary == b.summary


def test_seed_given_as_seed_sequence_or_int_is_the_same_run():
    import numpy as np

    a = monthly(scenario(), seed=SEED)
    b = monthly(scenario(), seed=np.random.SeedSequence(SEED))
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_give_different_paths(baseline):
    other = monthly(scenario(), seed=SEED + 1)
    assert not baseline["tech_loan_balance_wan"].equals(other["tech_loan_balance_wan"])
    assert not baseline["defaults"].equals(other["defaults"])


NEUTRAL = {
    "empty pool no product uses": {"government": {"pools": [{"name": "pool", "initial_wan": 0.0}]}},
    "funded pool no product uses": {"government": {"pools": [{"name": "pool", "initial_wan": 5000.0}]}},
    "pool named with share 0": {
        "government": {"pools": [{"name": "pool", "initial_wan": 5000.0}]},
        "products": [{"name": "credit", "banks": ["bank"], "pool": "pool"}],
    },
    "insurer without uptake or product": {"insurers": [{"name": "ins", "tech": {"uptake_share": 0.0}}]},
    "guarantor no product names": {"guarantors": [{"name": "guar"}]},
    "interest subsidy share 0 with a budget": {
        "government": {"annual_budget_wan": 500.0},
        "products": [
            {
                "name": "credit",
                "banks": ["bank"],
                "interest_subsidy_share": 0.0,
                "first_loan_interest_subsidy_share": 0.0,
                "fee_subsidy_share": 0.0,
            }
        ],
    },
    "budget with every subsidy share 0": {
        "government": {
            "annual_budget_wan": 500.0,
            "subsidies": {"bank_reward_share": 0.0, "listing_reward_wan": 0.0, "tech_premium_subsidy_share": 0.0},
        }
    },
    "multipliers of 1 and empty platforms": {
        "government": {"vc_guidance_multiplier": 1.0, "listing_multiplier": 1.0},
        "platforms": {"matching_extra_applications": 0, "credit_info_noise_factor": 1.0},
    },
    "shock with multiplier 1": {"macro": {"shocks": [{"start": "2018-06", "months": 6, "pd_multiplier": 1.0}]}},
}


@pytest.mark.parametrize("case", sorted(NEUTRAL))
def test_instrument_set_to_zero_changes_no_credit_series(case, baseline):
    varied = monthly(scenario(**NEUTRAL[case]))
    pd.testing.assert_frame_equal(baseline[CREDIT_COLUMNS], varied[CREDIT_COLUMNS], check_exact=True)


def test_a_covering_pool_does_change_the_series(baseline):
    covered = monthly(
        scenario(
            government={"pools": [{"name": "pool", "initial_wan": 50000.0}]},
            products=[{"name": "credit", "banks": ["bank"], "pool": "pool", "shares": {"bank": 0.4, "pool": 0.6}}],
        )
    )
    assert covered["loss_pool_wan"].sum() > 0
    assert covered["new_loans_wan"].sum() > baseline["new_loans_wan"].sum()
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(baseline[CREDIT_COLUMNS], covered[CREDIT_COLUMNS], check_exact=True)


def test_budget_without_subsidies_spends_nothing():
    funded = monthly(scenario(government={"annual_budget_wan": 500.0}))
    assert (funded["fiscal_spending_wan"] == 0).all()
    assert (funded["budget_left_wan"] == 500.0).all()
