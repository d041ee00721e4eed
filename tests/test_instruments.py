"""The instruments of issue 10: each one off is the run without it (paired difference exactly zero), each one on
moves what it should in the right direction, and its money goes through the accounts (conservation)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.model import EcosystemModel
from sim.result import RunResult
from sim.scenario import Scenario
from tests.test_neutrality import CREDIT_COLUMNS
from tests.test_waterfall import check_accounts

MONTHS = 24
SEED = 11
BASE: dict[str, Any] = {
    "name": "instruments",
    "start": "2018-01",
    "horizon_months": MONTHS,
    "enterprises": {"initial_count": 1000, "entry_per_month": 5.0},
    "banks": [{"name": "bank"}],
    "products": [{"name": "credit", "banks": ["bank"]}],
}
#: Every series an instrument that is off must leave identical (credit, firms, money).
SERIES = [*CREDIT_COLUMNS, "fiscal_spending_wan", "direct_finance_wan", "tech_insurance_premium_wan"]


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(BASE | changes)


def run(s: Scenario, seed: int = SEED) -> tuple[EcosystemModel, RunResult]:
    m = EcosystemModel(s, rng=seed)
    return m, m.run()


@pytest.fixture(scope="module")
def plain() -> pd.DataFrame:
    return run(scenario())[1].monthly


def product(**terms: Any) -> dict[str, Any]:
    return {"name": "policy", "banks": ["bank"]} | terms


FUNDED = {"annual_budget_wan": 2000.0}
OFF = {
    "venture fund no product uses": {"vc_funds": [{"name": "vc", "capital_wan": 5000.0}]},
    "venture fund named with share 0": {
        "vc_funds": [{"name": "vc"}],
        "products": [{"name": "credit", "banks": ["bank"], "vc_fund": "vc"}],
    },
    "pledge assets no product pledges": {
        "enterprises": BASE["enterprises"]
        | {
            "pledgeable": {
                "receivables": {
                    "holder_share": {"seed": 1, "startup": 1, "growth": 1, "mature": 1},
                    "value_revenue_months": 9,
                    "advance_share": 1,
                }
            }
        }
    },
    "leased asset share 0": {"products": [{"name": "credit", "banks": ["bank"], "leased_asset_share": 0.0}]},
    "red list share 0": {"platforms": {"red_list": {"share": 0.0, "rate_discount_rate": 0.01}}},
    "grants rate 0 with a budget": {"government": FUNDED | {"grants": {"rate": 0.0, "amount_wan": 50.0}}},
    "investment-risk subsidy 0 with a budget": {
        "government": FUNDED | {"subsidies": {"investment_risk_subsidy_share": 0.0}}
    },
    "bond market closed": {"enterprises": BASE["enterprises"] | {"bonds": {"rate": 0.0}}},
    "a non-bank lender kind with the bank's terms": {"banks": [{"name": "bank", "kind": "microcredit"}]},
    "set-aside growth with no set-aside": {"banks": [{"name": "bank", "annual_quota_growth_rate": 0.5}]},
    "every start month at the scenario start": {
        "government": {"fund_start": "2018-01", "vc_guidance_start": "2018-01", "listing_start": "2018-01"},
        "platforms": {"start": "2018-01", "red_list": {"start": "2018-01"}},
    },
}


@pytest.mark.parametrize("case", sorted(OFF))
def test_an_instrument_that_is_off_changes_nothing(case, plain):
    varied = run(scenario(**OFF[case]))[1].monthly
    pd.testing.assert_frame_equal(plain[SERIES], varied[SERIES], check_exact=True)


def test_a_phase_in_start_at_the_scenario_start_is_no_phase_in():
    """With policy switched on, a start month equal to the scenario's start is the run without a start month."""
    on = {
        "government": FUNDED | {"vc_guidance_multiplier": 2.0, "listing_multiplier": 2.0},
        "platforms": {"matching_extra_applications": 1, "red_list": {"share": 0.5}},
        "insurers": [{"name": "ins", "tech": {"uptake_share": 0.1}}],
        "products": [product(interest_subsidy_share=0.3)],
    }
    a = run(scenario(**on))[1].monthly
    starts = {
        "government": on["government"] | {"fund_start": "2018-01", "vc_guidance_start": "2018-01"},
        "platforms": on["platforms"] | {"start": "2018-01", "red_list": {"share": 0.5, "start": "2018-01"}},
        "insurers": [{"name": "ins", "tech": {"uptake_share": 0.1, "start": "2018-01"}}],
        "products": on["products"],
    }
    b = run(scenario(**starts))[1].monthly
    pd.testing.assert_frame_equal(a[SERIES], b[SERIES], check_exact=True)


# ---- phase-in ---------------------------------------------------------------------------------------------


def test_nothing_is_paid_or_sold_before_its_start_month():
    s = scenario(
        government=FUNDED | {"fund_start": "2018-07", "listing_start": "2018-07", "listing_multiplier": 3.0},
        insurers=[{"name": "ins", "tech": {"uptake_share": 0.2, "start": "2018-10"}}],
        products=[{"name": "credit", "banks": ["bank"]}, product(interest_subsidy_share=0.5, available_from="2018-04")],
    )
    mo = run(s)[1].monthly
    months = mo["month_label"]
    assert (mo.loc[months < "2018-04", "policy_new_loans_wan"] == 0).all()
    assert mo.loc[months >= "2018-04", "policy_new_loans_wan"].sum() > 0
    assert (mo.loc[months < "2018-07", "fiscal_spending_wan"] == 0).all()
    assert mo.loc[months >= "2018-07", "spend_interest_subsidy_wan"].sum() > 0
    assert (mo.loc[months < "2018-10", "tech_insurance_premium_wan"] == 0).all()
    assert mo.loc[months >= "2018-10", "tech_insurance_premium_wan"].sum() > 0
    # the fund's first budget arrives in its start month, the next in January
    assert mo.loc[months == "2018-06", "budget_left_wan"].item() == 0
    assert mo.loc[months == "2018-07", "budget_left_wan"].item() > 0


def test_platforms_before_their_start_are_the_region_without_platforms():
    late = scenario(platforms={"matching_extra_applications": 2, "credit_info_noise_factor": 0.5, "start": "2019-01"})
    none = scenario()
    a, b = run(late)[1].monthly, run(none)[1].monthly
    before = a["month_label"] < "2019-01"
    pd.testing.assert_frame_equal(a.loc[before, SERIES], b.loc[before, SERIES], check_exact=True)
    assert not a.loc[~before, "approvals"].equals(b.loc[~before, "approvals"])  # sharper screening from then on


def test_a_set_aside_grows_each_year():
    s = scenario(
        banks=[{"name": "bank", "capital_wan": 1.0, "annual_quota_wan": 10000.0, "annual_quota_growth_rate": 0.5}]
    )
    _, r = run(s)
    bank = r.institutions[r.institutions["kind"] == "bank"]
    quota = bank.groupby(bank["month_label"].str[:4])["quota_wan"].first()
    assert quota.to_dict() == {"2018": 10000.0, "2019": 15000.0}
    new = bank.groupby(bank["month_label"].str[:4])["new_loans_wan"].sum()
    assert new["2018"] <= 10000.0 + 1e-6 and 10000.0 < new["2019"] <= 15000.0 + 1e-6  # the set-aside binds


# ---- venture and guidance funds as loss-bearing parties ------------------------------------------------------


def vc_region(share: float, public: bool = False, capital: float = 20000.0) -> Scenario:
    return scenario(
        enterprises=BASE["enterprises"] | {"vc_rate": 0.3, "vc_quality_threshold": -0.5},
        vc_funds=[{"name": "fund", "capital_wan": capital, "public": public}],
        products=[
            {"name": "credit", "banks": ["bank"]},
            product(
                vc_fund="fund",
                shares={"bank": 1.0 - share, "vc": share},
                eligibility={"vc_backed_only": True},
            ),
        ],
    )


def test_a_venture_fund_bearing_losses_lends_its_portfolio_more_and_pays_its_claims():
    _, r0 = run(vc_region(0.0))
    m1, r1 = run(vc_region(0.5))
    a, b = r0.monthly, r1.monthly
    assert b["vc_linked_loan_balance_wan"].mean() > a["vc_linked_loan_balance_wan"].mean()
    assert b["loss_vc_wan"].sum() > 0 and a["loss_vc_wan"].sum() == 0
    fund = m1.ventures[0]
    assert fund.balance_wan == pytest.approx(20000.0 - b["loss_vc_wan"].sum())
    assert (b["spend_guidance_fund_payout_wan"] == 0).all()  # a private fund's money is not public money
    check_accounts(m1, b)
    vc = r1.institutions[r1.institutions["kind"] == "vc_fund"]
    assert (vc["balance_wan"] >= 0).all() and vc["covered_balance_wan"].max() > 0


def test_a_guidance_fund_pays_public_money_and_stops_when_empty():
    risky = {"enterprises.annual_pd": {"seed": 0.3, "startup": 0.2, "growth": 0.1, "mature": 0.05}}
    # Cover up to 15 × 300万 over four years: most runs empty the fund, none may break its rules.
    lever = {"vc_funds.fund.max_pd": 0.5, "vc_funds.fund.leverage_multiple": 15.0, "horizon_months": 48}
    s = vc_region(0.8, public=True, capital=300.0).with_overrides(risky | lever)
    ran_dry = 0
    for seed in range(SEED, SEED + 8):  # whether the few covered loans empty the fund is luck: check every run
        m, r = run(s, seed)
        mo = r.monthly
        np.testing.assert_allclose(mo["spend_guidance_fund_payout_wan"], mo["loss_vc_wan"], atol=1e-9)
        assert mo["loss_vc_wan"].sum() <= 300.0 + 1e-6
        vc = r.institutions[r.institutions["kind"] == "vc_fund"]
        bal, cov = vc["balance_wan"].to_numpy(), vc["covered_balance_wan"].to_numpy()
        assert (cov[1:] <= np.maximum(15 * bal[:-1], cov[:-1]) + 1e-6).all()  # new cover within 15 × the money held
        empty = bal[:-1] <= 1e-9
        ran_dry += empty.any()
        assert (cov[1:][empty] <= cov[:-1][empty] + 1e-6).all()  # an empty fund takes no new cover
        check_accounts(m, mo)
    assert ran_dry >= 2, f"the fund should run dry in some of these runs ({ran_dry} of 8)"


# ---- pledges and leasing ---------------------------------------------------------------------------------


def test_a_receivables_pledge_lends_holders_more_and_only_holders():
    unsecured = scenario(products=[{"name": "credit", "banks": ["bank"]}, product(eligibility={"stages": ["growth"]})])
    pledged = scenario(
        products=[
            {"name": "credit", "banks": ["bank"]},
            product(pledge="receivables", eligibility={"stages": ["growth"]}),
        ]
    )
    _, r0 = run(unsecured)
    m1, r1 = run(pledged)
    rec = r1.monthly["receivables_pledge_loan_balance_wan"]
    assert rec.iloc[-1] > 0 and (r0.monthly["receivables_pledge_loan_balance_wan"] == 0).all()

    # more tech lending with the pledge, over three seeds: in one run (1,000 firms, 24 months) the effect is
    # ≈1–3% of the balance, about the size of a seed's noise on the comparison (19 of seeds 0–19 show it alone)
    def lent(s: Scenario) -> float:
        return sum(run(s, seed)[1].monthly["tech_loan_balance_wan"].mean() for seed in (SEED, SEED + 1, SEED + 2))

    assert lent(pledged) > lent(unsecured)
    b = m1.book
    rows = b.open_rows()
    pledged_rows = rows[b.product[rows] == 1]
    holds = m1.market.inst.holds(b.firm[pledged_rows])
    assert holds[:, 0].all()  # receivables is the first pledge kind


def test_leased_equipment_secures_larger_leases():
    def region(share: float) -> Scenario:
        return scenario(
            banks=[{"name": "lessor", "kind": "lessor", "capital_ratio": 0.125}],
            products=[{"name": "lease", "banks": ["lessor"], "leased_asset_share": share, "term_months": 36}],
        )

    a = run(region(0.0))[1].monthly
    b = run(region(0.5))[1].monthly
    assert b["leasing_balance_wan"].mean() > a["leasing_balance_wan"].mean() > 0
    assert (b["microcredit_loan_balance_wan"] == 0).all()


def test_a_micro_credit_lender_is_reported_apart():
    s = scenario(
        banks=[{"name": "bank"}, {"name": "xiaodai", "kind": "microcredit", "funding_discount_rate": -0.03}],
        products=[{"name": "credit", "banks": ["bank", "xiaodai"]}],
    )
    _, r = run(s)
    mo, inst = r.monthly, r.institutions
    xd = inst[(inst["kind"] == "bank") & (inst["name"] == "xiaodai")]
    np.testing.assert_allclose(mo["microcredit_loan_balance_wan"].to_numpy(), xd["balance_wan"].to_numpy())


# ---- the red list ----------------------------------------------------------------------------------------


def test_the_red_list_lowers_listed_firms_cost_and_raises_lending():
    a = run(scenario())[1].monthly
    m, r = run(scenario(platforms={"red_list": {"share": 0.8, "rate_discount_rate": 0.01}}))
    b = r.monthly
    assert b["red_list_firms"].iloc[-1] > 0
    assert b["avg_cost_rate"].mean() < a["avg_cost_rate"].mean()
    assert b["new_loans_wan"].sum() > a["new_loans_wan"].sum()
    check_accounts(m, b)


# ---- grants, investment-risk subsidy, bonds --------------------------------------------------------------


def test_grants_are_paid_from_the_fund_and_spent_on_rd():
    a = run(scenario(government=FUNDED))[1].monthly
    # No need relief: the grant is spent on R&D only, so loan-funded R&D is the same run's, exactly.
    grants = {"rate": 0.2, "amount_wan": 30.0, "database_only": False, "need_relief_share": 0.0}
    m, r = run(scenario(government=FUNDED | {"grants": grants}))
    b = r.monthly
    assert b["grants_new"].sum() > 0
    np.testing.assert_allclose(b["spend_grant_wan"], 30.0 * b["grants_new"])
    assert b["rd_spending_wan"].sum() == pytest.approx(a["rd_spending_wan"].sum() + 30.0 * b["grants_new"].sum())
    assert b["patents"].iloc[-1] > a["patents"].iloc[-1]
    assert (b["spend_grant_wan"] <= 2000.0).all()
    check_accounts(m, b)


def test_grants_stop_when_the_budget_is_spent():
    mo = run(scenario(government={"annual_budget_wan": 90.0, "grants": {"rate": 0.5, "database_only": False}}))[
        1
    ].monthly
    by_year = mo.groupby(mo["month_label"].str[:4])["spend_grant_wan"].sum()
    assert (by_year <= 90.0 + 1e-9).all() and by_year.max() == 90.0


def test_an_investment_risk_subsidy_raises_vc_rounds_and_is_paid_per_round():
    base = {"enterprises": BASE["enterprises"] | {"vc_rate": 0.2}}
    a = run(scenario(**base, government=FUNDED))[1].monthly
    sub = FUNDED | {"subsidies": {"investment_risk_subsidy_share": 0.05, "investment_risk_response": 4.0}}
    m, r = run(scenario(**base, government=sub))
    b = r.monthly
    assert b["vc_rounds"].sum() > a["vc_rounds"].sum()
    np.testing.assert_allclose(b["spend_investment_risk_subsidy_wan"], 0.05 * 500.0 * b["vc_rounds"])
    check_accounts(m, b)


def test_bonds_are_direct_finance_and_a_subsidy_brings_more_issues():
    bonds = {"rate": 0.05, "revenue_wan": 100.0, "high_tech_only": False}
    ent = BASE["enterprises"] | {"bonds": bonds}
    rich = {"annual_budget_wan": 1e6}
    a = run(scenario(enterprises=ent, government=rich))[1].monthly
    sub = rich | {"subsidies": {"bond_subsidy_share": 0.02, "bond_subsidy_response": 10.0}}
    m, r = run(scenario(enterprises=ent, government=sub))
    b = r.monthly
    assert a["bond_issues_new"].sum() > 0
    np.testing.assert_allclose(a["bond_finance_wan"], 5000.0 * a["bond_issues_new"])
    np.testing.assert_allclose(a["direct_finance_wan"], a["bond_finance_wan"] + 3000.0 * a["listings_new"])
    assert b["bond_issues_new"].sum() > a["bond_issues_new"].sum()
    np.testing.assert_allclose(b["spend_bond_subsidy_wan"], 0.02 * b["bond_finance_wan"])
    check_accounts(m, b)


# ---- why a product does no business ----------------------------------------------------------------------


def test_a_dominated_product_is_diagnosed_with_the_product_that_beats_it():
    s = scenario(
        government={"annual_budget_wan": 5000.0},
        products=[
            {"name": "credit", "banks": ["bank"]},
            product(name="cheap", interest_subsidy_share=0.5),
            product(name="dear", other_cost_rate=0.02),
        ],
    )
    summary = run(s)[1].summary["products"]
    assert summary["dear"]["little_business"] and summary["dear"]["reason"] == "dominated"
    assert summary["dear"]["beaten_by"] == "cheap"
    assert not summary["cheap"]["little_business"]


def test_a_product_nobody_qualifies_for_has_no_eligible_firms():
    s = scenario(products=[{"name": "credit", "banks": ["bank"]}, product(eligibility={"vc_backed_only": True})])
    s = s.with_overrides({"enterprises.vc_rate": 0.0})
    row = run(s)[1].summary["products"]["policy"]
    assert row["written"] == 0 and row["reason"] == "no_eligible_firms"


def test_a_product_priced_above_every_return_is_priced_out():
    s = scenario(products=[{"name": "credit", "banks": ["bank"]}, product(other_cost_rate=0.5)])
    row = run(s)[1].summary["products"]["policy"]
    assert row["written"] == 0 and row["reason"] == "priced_out"


def test_a_product_outside_its_window_is_not_yet_available():
    s = scenario(
        products=[{"name": "credit", "banks": ["bank"]}, product(interest_subsidy_share=0.5, available_from="2020-01")],
        government=FUNDED,
    )
    row = run(s)[1].summary["products"]["policy"]
    assert row["little_business"] and row["reason"] == "not_yet_available"


# ---- the insurer's loss-ratio rule is on a year's accounts ------------------------------------------------------


def test_an_insurer_is_suspended_on_a_full_year_loss_ratio_not_on_its_first_claims():
    s = scenario(insurers=[{"name": "ins", "suspend_loss_ratio": 1.2}])
    ins = EcosystemModel(s, rng=1).insurers[0]
    states = []
    for month in range(1, 15):
        ins.start_month(month)
        ins.premium_month_wan, ins.claims_month_wan = 10.0, 30.0 if month == 1 else 12.5
        ins.close_month(1e6, month, december=False)
        states.append(ins.suspended)
    assert ins.loss_ratio() >= 1.2  # the year's claims are ≥ 120% of its premiums from the first month on
    assert not any(states[:11])  # ... but the rule waits for a year of premiums
    assert all(states[11:])  # and then applies


def test_the_report_section_and_the_outcomes_row_say_why():
    from experiments.analysis.outcomes import flatten_outcomes
    from experiments.report.instruments_section import no_business_across_runs, no_business_table
    from sim.funnel import REASON_CODES

    s = scenario(products=[{"name": "credit", "banks": ["bank"]}, product(other_cost_rate=0.5)])
    r = run(s)[1]
    from experiments.report.entities import from_scenarios, naming

    with naming(
        from_scenarios([s.model_dump(mode="json")])
    ):  # named as the scenario names it: unlabelled, so by kind and position
        table = no_business_table(r.summary["products"], "zh")
    assert table is not None and [row[0] for row in table.rows] == ["产品2"]
    assert table.rows[0][3].startswith("价格过高")
    assert no_business_table({"credit": r.summary["products"]["credit"]}, "en") is None
    row = flatten_outcomes(r.summary, r.monthly, r.institutions)
    assert row["product.policy.little_business"] is True
    assert REASON_CODES[int(row["product.policy.reason_code"])] == "priced_out"
    runs = pd.DataFrame([row | {"run_id": 0, "scenario": "a"}, row | {"run_id": 1, "scenario": "a"}])
    across = no_business_across_runs(runs, None, "en")
    assert across is not None and across.rows == [["a", "policy", "2 / 2", "0", "priced out"]]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"products": [product(shares={"bank": 0.5, "vc": 0.5})]}, "products.0.vc_fund", "no vc_fund is named"),
        ({"products": [product(vc_fund="nope")]}, "products.0.vc_fund", "unknown vc_fund 'nope'"),
        ({"government": {"fund_start": "2016-01"}}, "government.fund_start", "outside the horizon"),
        ({"vc_funds": [{"name": "f", "start": "2030-01"}]}, "vc_funds.0.start", "outside the horizon"),
        ({"platforms": {"red_list": {"start": "2031-05"}}}, "platforms.red_list.start", "outside the horizon"),
        ({"products": [product(pledge="stock")]}, "products.0.pledge", "receivables"),
    ],
)
def test_bad_instrument_input_names_the_field(changes, field, words):
    from sim.scenario import ScenarioError, validate

    with pytest.raises(ScenarioError) as e:
        validate(BASE | changes, "bad.yaml")
    assert any(path == field and words in reason for path, reason in e.value.problems), e.value.problems
