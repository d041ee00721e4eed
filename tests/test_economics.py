"""The economic core (docs/model.md §3–8): each channel a lever acts through, and each row of the economic-core issue.

Mechanism tests (a unit of each agent's rule) come first, then whole-model tests that a broken version of the
mechanism would fail: a monthly instead of a yearly default factor, deferral that piles maturities into one
month, a guarantor in two roles paying from twice its money, rewards on every renewal, a fiscal figure that
counts rollovers, per-eligible-firm draws that shift untouched firms' luck.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import ndtri

from agents.bank import Bank
from experiments.evidence import region
from sim import burnin
from sim.counterfactual import without_policy
from sim.model import EcosystemModel
from sim.runs import run_paired
from sim.scenario import Scenario, load_scenario, validate

# ---- mechanisms, agent by agent ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> EcosystemModel:
    return EcosystemModel(region("quick"), rng=1)


def test_demand_falls_with_cost_on_both_margins(model):
    pop = model.pop
    need = np.full(5, 200.0)
    ret = np.full(5, 0.08)
    cost = np.array([0.02, 0.04, 0.06, 0.079, 0.081])
    want = pop.demand(need, ret, cost)
    assert (np.diff(want[:4]) < 0).all(), "the amount asked must fall as credit gets dearer (intensive margin)"
    assert want[4] == 0.0, "no application where credit costs more than the investment returns (extensive)"
    eta = pop.p.loan_demand_elasticity
    assert want[0] / want[1] == pytest.approx(2.0**eta)  # constant elasticity between interior points


def test_debt_service_raises_the_hazard(model):
    pop = model.pop
    firm = np.array([int(np.flatnonzero(pop.debt_wan[: pop.n] > 0)[0])])
    theta = pop.theta[firm]
    cost0 = pop.cost_rate[firm].copy()
    base = pop.pd_annual(theta, firm)
    pop.cost_rate[firm] = cost0 + 0.05
    dearer = pop.pd_annual(theta, firm)
    pop.cost_rate[firm] = cost0
    assert dearer > base, "a heavier interest burden must raise the default hazard"
    assert dearer / base < 1.1, "…a little, not dominate it"


def test_cover_relieves_both_kinds_of_rationing():
    bank = Bank(EcosystemModel(region("quick"), rng=0, burn_in_months=0), region("quick").banks[0], 0)
    pd_hat = np.array([0.02, 0.10])
    lpr, lgd = 0.0435, 0.6
    plain_rate = bank.quote(pd_hat, lgd, np.ones(2), lpr, None)
    covered_rate = bank.quote(pd_hat, lgd, np.full(2, 0.3), lpr, None)
    assert plain_rate[1] == pytest.approx(lpr + bank.p.max_premium_rate), "the rate cannot rise without limit"
    plain = bank.accepts(plain_rate, pd_hat, lgd, np.ones(2), 0.0, lpr)
    covered = bank.accepts(covered_rate, pd_hat, lgd, np.full(2, 0.3), 0.0, lpr)
    assert plain.tolist() == [True, False], "a risky firm is rationed, not charged more"
    assert covered.tolist() == [True, True], "retaining 30% of the loss lets it through"
    revenue, collateral = np.array([100.0]), np.array([50.0])
    plain_limit = bank.lending_limit(np.ones(1), collateral, revenue)
    covered_limit = bank.lending_limit(np.full(1, 0.3), collateral, revenue)
    assert covered_limit == pytest.approx(plain_limit / 0.3), "cover stands in for the collateral a firm lacks"


def test_bank_losses_reduce_capital_and_capacity(model):
    bank = model.banks[0]
    before_capital, before_room = bank.capital_wan, bank.headroom_wan()
    bank.bear_losses(own_wan=100.0, shortfall_wan=50.0, defaulted_principal_wan=250.0, month=1)
    assert bank.capital_wan == pytest.approx(before_capital - 150.0)
    if before_room > 0 and bank.p.annual_quota_wan is None:
        assert bank.headroom_wan() == pytest.approx(max(before_room - 150.0 / bank.p.capital_ratio, 0.0))


# ---- one-year default clustering (Vasicek) -----------------------------------------------------------------


def _yearly_default_rates(rho: float, seeds: range) -> np.ndarray:
    out = []
    for seed in seeds:
        s = Scenario.model_validate(
            {
                "name": "vasicek",
                "horizon_months": 60,
                "enterprises": {"initial_count": 3000, "default_correlation": rho},
                "fixed": {"enabled": True, "annual_pd": 0.03},
            }
        )
        mo = EcosystemModel(s, rng=seed).run().monthly
        years = mo["defaults"].to_numpy().reshape(5, 12).sum(axis=1)
        out.extend(years / 3000)
    return np.array(out)


def test_one_year_default_rate_follows_the_vasicek_distribution():
    rho, pd_ = 0.12, 0.03
    rates = _yearly_default_rates(rho, range(30))
    k = ndtri(pd_)
    joint = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([k, k])
    var_vasicek = joint - pd_**2  # variance of the one-year rate of an infinite pool
    var = var_vasicek + (pd_ - joint) / 3000  # plus the binomial noise of 3,000 firms
    assert rates.mean() == pytest.approx(pd_, rel=0.15)
    # With 150 firm-years the sample variance is within about ±35% of the truth; a factor drawn every month
    # (one-year correlation ≈ ρ/12) would give a variance several times smaller.
    assert 0.6 * var < rates.var(ddof=1) < 1.6 * var, (rates.var(ddof=1), var)


def test_a_downturn_moves_the_factor():
    s = region("quick", months=24, **{"enterprises.default_correlation": 0.1})
    hit = s.with_overrides({"macro.shocks": [{"start": "2018-01", "months": 12, "factor_shift": 1.5}]})
    calm = [EcosystemModel(s, rng=k).run().monthly["defaults"].iloc[:12].sum() for k in range(4)]
    shocked = [EcosystemModel(hit, rng=k).run().monthly["defaults"].iloc[:12].sum() for k in range(4)]
    assert np.mean(shocked) > 1.6 * np.mean(calm)


# ---- deferral 延期还本付息 -----------------------------------------------------------------------------------


def test_deferral_postpones_at_the_borrowers_request_without_a_maturity_wave():
    m = EcosystemModel("xianning-2021", rng=3)  # a five-month deferral window from the start
    defaulted_while_deferred = 0
    for _ in range(24):
        deferred = np.flatnonzero(m.pop.deferred_until[: m.pop.n] >= m.steps + 1)
        m.step()
        defaulted_while_deferred += int((m.pop.default_month[deferred] == m.month).sum())
    mo = m.datacollector.get_model_vars_dataframe().iloc[1:]
    window = mo.iloc[:5]
    take_up = window["deferred_loans"].sum() / window["maturities"].sum()
    assert 0.35 < take_up < 0.65, f"take-up {take_up:.2f} against the scenario's 0.5"
    assert defaulted_while_deferred == 0, "a deferred loan was forced into default"
    assert (mo["deferred_loans"].iloc[5:] == 0).all()
    assert mo["maturities"].max() < 2.5 * mo["maturities"].median(), "postponed principal piled into one month"
    assert mo["new_loans_wan"].max() < 3.0 * mo["new_loans_wan"].median()
    balance = mo["tech_loan_balance_wan"].to_numpy()
    assert (balance[1:] / balance[:-1]).min() > 0.9, "the balance fell by more than a tenth in one month"


# ---- money by entity ---------------------------------------------------------------------------------------


def test_a_guarantor_that_is_also_a_reguarantor_never_pays_more_than_it_holds():
    s = Scenario.model_validate(
        {
            "name": "two-roles",
            "horizon_months": 24,
            "enterprises": {
                "initial_count": 600,
                "annual_pd": {"seed": 0.3, "startup": 0.3, "growth": 0.2, "mature": 0.2},
            },
            "guarantors": [
                {"name": "g", "reguarantor": True, "net_assets_wan": 50.0, "counter_guarantee": False, "max_pd": 1.0},
                {"name": "g2", "net_assets_wan": 1e6, "counter_guarantee": False, "max_pd": 1.0},
            ],
            "products": [
                {"name": "a", "banks": ["bank"], "guarantor": "g", "shares": {"guarantor": 0.8, "bank": 0.2}},
                {
                    "name": "b",
                    "banks": ["bank"],
                    "guarantor": "g2",
                    "reguarantor": "g",
                    "shares": {"guarantor": 0.2, "reguarantor": 0.6, "bank": 0.2},
                },
            ],
        }
    )
    for seed in range(3):
        m = EcosystemModel(s, rng=seed)
        m.run()
        acct = m.guarantors[0].account
        claims = acct.paid.get("claim", 0.0)
        assert claims <= acct.opening + sum(acct.received.values()) + 1e-9
        assert acct.balance >= -1e-9
        assert claims > 0, "the stressed guarantor should have paid claims"


# ---- rewards 以奖代补 -------------------------------------------------------------------------------------------


def _rewarded(basis: str) -> tuple[pd.DataFrame, pd.DataFrame, Scenario]:
    d = region("quick").model_dump(mode="json")
    d["government"] = {
        "annual_budget_wan": 1e9,
        "subsidies": {"bank_reward_share": 0.01, "bank_reward_basis": basis},
        "pools": [{"name": "p", "initial_wan": 1e7}],
    }
    d["products"].append(  # young firms only, so that part of the lending is not under the policy product
        {
            "name": "pooled",
            "banks": ["bank-a", "bank-b"],
            "pool": "p",
            "shares": {"pool": 0.5, "bank": 0.5},
            "eligibility": {"stages": ["seed", "startup"]},
        }
    )
    s = validate(d, "rewards")
    r = EcosystemModel(s, rng=5).run()
    return r.monthly, r.institutions, s


def test_rewards_are_paid_on_the_loans_the_plan_rewards():
    mo, _, _ = _rewarded("all_new")
    np.testing.assert_allclose(mo["bank_reward_wan"], 0.01 * mo["new_loans_wan"], rtol=1e-9)
    mo, _, _ = _rewarded("policy_products")
    np.testing.assert_allclose(mo["bank_reward_wan"], 0.01 * mo["policy_new_loans_wan"], rtol=1e-9)
    assert mo["bank_reward_wan"].sum() < 0.01 * mo["new_loans_wan"].sum()
    mo, inst, s = _rewarded("growth")
    paid = mo.set_index("month_label")["bank_reward_wan"]
    assert (paid[~paid.index.str.endswith("-12")] == 0).all(), "growth rewards are paid in December only"
    banks = inst[inst["kind"] == "bank"].pivot(index="month_label", columns="name", values="balance_wan")
    start = EcosystemModel(s, rng=5)
    previous = pd.Series({b.name: b.balance_wan for b in start.banks})
    for december in [m for m in banks.index if m.endswith("-12")]:
        growth = (banks.loc[december] - previous).clip(lower=0)
        assert paid[december] == pytest.approx(0.01 * growth.sum(), rel=1e-9)
        previous = banks.loc[december]


def test_xianning_rewards_no_longer_drain_the_fund_every_autumn():
    r = EcosystemModel("xianning-2021", rng=2).run()
    mo = r.monthly
    assert mo["bank_reward_wan"].sum() < 0.25 * mo["fiscal_spending_wan"].sum()
    assert len(r.summary["budget_exhausted_months"]) <= 2


# ---- additionality and what public money buys ---------------------------------------------------------------


@pytest.fixture(scope="module")
def xianning_paired():
    return run_paired("xianning-2021", 4)


def test_fiscal_figures_are_what_their_names_say(xianning_paired):
    s = xianning_paired.summary
    base = EcosystemModel(without_policy(load_scenario("xianning-2021")), rng=4).run().monthly
    gap = xianning_paired.monthly["tech_loan_balance_wan"] - base["tech_loan_balance_wan"]
    assert s["additional_balance_avg_wan"] == pytest.approx(gap.mean(), rel=1e-12)
    assert s["additional_balance_end_wan"] == pytest.approx(gap.iloc[-1], rel=1e-12)
    assert s["net_public_cost_wan"] == pytest.approx(xianning_paired.monthly["fiscal_spending_wan"].sum())
    assert s["credit_per_public_wan"] == pytest.approx(s["additional_balance_avg_wan"] / s["net_public_cost_wan"])
    split = s["additional_balance_avg_fiscal_wan"] + s["additional_balance_avg_regulatory_wan"]
    assert split == pytest.approx(s["additional_balance_avg_wan"])
    assert s["fiscal_credit_per_public_wan"] == pytest.approx(
        s["additional_balance_avg_fiscal_wan"] / s["net_public_cost_wan"]
    )
    # gross lending counts every renewal and is far larger than what the policy adds
    assert s["gross_lending_per_public_wan"] > 5 * s["credit_per_public_wan"] > 0
    assert s["additionality_ratio"] + s["substitution_share"] == pytest.approx(1.0)
    assert s["policy_borrowers_year1"] > 0 and s["policy_borrower_default_rate_24m"] is not None


def test_a_policy_that_changes_nothing_adds_exactly_nothing():
    r = run_paired("baseline", 9)
    assert r.summary["additional_balance_avg_wan"] == 0.0
    assert r.summary["additional_balance_end_wan"] == 0.0
    assert r.summary["credit_per_public_wan"] is None  # no public money


def test_a_70_percent_pool_adds_credit_of_the_right_order():
    d = region("quick").model_dump(mode="json")
    d["government"] = {"pools": [{"name": "p", "initial_wan": 1e7}]}
    d["products"].append(
        {"name": "pool70", "banks": ["bank-a", "bank-b"], "pool": "p", "shares": {"pool": 0.7, "bank": 0.3}}
    )
    s = validate(d, "pool70")
    ratios = [run_paired(s, seed, decompose=False).summary["additionality_ratio"] for seed in range(3)]
    # A free cover open to every loan invites substitution, so below FOGAPE's 0.65, but an order of magnitude
    # above the first version's 0.03.
    assert 0.2 < np.mean(ratios) < 0.8, ratios


# ---- steady-state start and common random numbers -----------------------------------------------------------


def test_the_start_keeps_the_calibrated_balance_and_is_shared_with_the_counterfactual():
    s = load_scenario("xianning-2021")
    m = EcosystemModel(s, rng=6)
    pre = EcosystemModel(burnin.pre_plan(s), rng=6, stream_domain=burnin.BURN_IN_DOMAIN)
    calibrated = pre.recorder.row["tech_loan_balance_wan"]
    assert m.recorder.row["tech_loan_balance_wan"] == pytest.approx(calibrated, rel=1e-12)
    base = EcosystemModel(without_policy(s), rng=6)
    for key in ("tech_loan_balance_wan", "borrowers", "npl_ratio", "firms_alive"):
        assert m.recorder.row[key] == base.recorder.row[key]
    assert burnin.pre_plan(s) == burnin.pre_plan(without_policy(s))


def test_firms_a_policy_never_touches_keep_identical_paths():
    # A high-tech-only product with its own ample pool; no tightening and ample capital, so nothing couples
    # firms that can never use the product to it. Their luck (needs, noise, defaults) is drawn per firm slot.
    d = region("quick").model_dump(mode="json")
    for b in d["banks"]:
        b["npl_tolerance"] = 1.0
        b["capital_wan"] = 1e9
    plain = validate(d, "plain")
    d["government"] = {"pools": [{"name": "p", "initial_wan": 1e7}]}
    d["products"].append(
        {
            "name": "ht",
            "banks": [b["name"] for b in d["banks"]],
            "pool": "p",
            "shares": {"pool": 0.6, "bank": 0.4},
            "eligibility": {"high_tech_only": True},
        }
    )
    policy = validate(d, "ht")
    a, b = EcosystemModel(plain, rng=8), EcosystemModel(policy, rng=8)
    a.run(), b.run()
    assert a.pop.n == b.pop.n
    untouched = ~a.pop.high_tech[: a.pop.n]
    touched = ~untouched
    for field in ("revenue_wan", "debt_wan", "default_month", "vintage_month", "stage", "alive"):
        x, y = getattr(a.pop, field)[: a.pop.n], getattr(b.pop, field)[: b.pop.n]
        np.testing.assert_array_equal(x[untouched], y[untouched], err_msg=field)
    assert (a.pop.debt_wan[: a.pop.n][touched] != b.pop.debt_wan[: b.pop.n][touched]).any(), "the policy did nothing"
