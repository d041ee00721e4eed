from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sim.calendar import monthly_prob
from sim.model import EcosystemModel
from sim.scenario import Scenario

SEEDS = range(16)


def fixed_scenario(
    n: int, annual_pd: float, loan_wan: float, lgd: float, months: int, product: dict[str, Any], **extra: Any
) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "fixed",
            "start": "2018-01",
            "horizon_months": months,
            "enterprises": {"initial_count": n, "default_correlation": 0.0},  # independent defaults: binomial
            "fixed": {"enabled": True, "annual_pd": annual_pd, "loan_wan": loan_wan, "lgd": lgd, "term_months": 12},
            "products": [{"name": "contract", "banks": ["bank"], **product}],
            **extra,
        }
    )


def pool_scenario(n: int, annual_pd: float, loan_wan: float, lgd: float, coverage: float, months: int) -> Scenario:
    return fixed_scenario(
        n,
        annual_pd,
        loan_wan,
        lgd,
        months,
        {"pool": "pool", "shares": {"bank": 1.0 - coverage, "pool": coverage}},
        government={"pools": [{"name": "pool", "initial_wan": 1e9}]},  # never depletes, no caps
    )


# (loans, annual PD, exposure, LGD, coverage). The second is docs/model.md §13: 1,000 loans of 1, PD 3% a period
# (here a month), LGD 0.6, coverage 0.5 → mean 9.0, sd 1.618 a period.
POOL_CASES = [
    (1000, 0.3, 1.0, 0.6, 0.5),
    (1000, 1 - 0.97**12, 1.0, 0.6, 0.5),
    (500, 0.1, 2.5, 0.45, 0.8),
]


@pytest.mark.parametrize(("n", "annual_pd", "loan", "lgd", "coverage"), POOL_CASES)
def test_mean_and_variance_of_pool_payouts_match_the_binomial_formula(n, annual_pd, loan, lgd, coverage):
    months = 24
    p = monthly_prob(annual_pd)
    c = loan * lgd * coverage  # pool payout per default
    mean = n * p * c
    var = n * p * (1 - p) * c**2
    payouts, defaults = [], []
    for seed in SEEDS:
        model = EcosystemModel(pool_scenario(n, annual_pd, loan, lgd, coverage, months), rng=seed)
        mo = model.run().monthly
        payouts.append(mo["pool_payouts_wan"].to_numpy())
        defaults.append(mo["defaults"].to_numpy())
        # the stripped-down mode keeps the book constant and pays exactly c per default
        np.testing.assert_allclose(mo["tech_loan_balance_wan"], n * loan)
        assert (mo["firms_alive"] == n).all()
        np.testing.assert_allclose(mo["pool_payouts_wan"], mo["defaults"] * c, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(mo["loss_wan"], mo["defaults"] * loan * lgd, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(mo["loss_bank_wan"], mo["defaults"] * loan * lgd * (1 - coverage), atol=1e-9)
        assert (mo["shortfall_wan"] == 0).all()
    x = np.concatenate(payouts)
    k = x.size
    se_mean = math.sqrt(var / k)
    assert abs(x.mean() - mean) < 4 * se_mean, (x.mean(), mean, se_mean)
    # variance around the known mean; its standard error from the binomial's fourth central moment
    v = float(((x - mean) ** 2).mean())
    mu4 = c**4 * n * p * (1 - p) * (1 + 3 * p * (1 - p) * (n - 2))
    se_var = math.sqrt((mu4 - var**2) / k)
    assert abs(v - var) < 4 * se_var, (v, var, se_var)
    # months are independent draws: no autocorrelation beyond noise
    d = np.stack(defaults).astype(float)
    d -= d.mean()
    lag1 = float((d[:, 1:] * d[:, :-1]).mean() / (d**2).mean())
    assert abs(lag1) < 4 / math.sqrt(d[:, 1:].size)


def test_model_md_example_numbers():
    n, p, lgd, coverage = 1000, 0.03, 0.6, 0.5
    assert monthly_prob(1 - (1 - p) ** 12) == pytest.approx(p)
    assert n * p * lgd * coverage == pytest.approx(9.0)
    assert math.sqrt(n * p * (1 - p)) * lgd * coverage == pytest.approx(1.618, abs=5e-4)


def guarantor_scenario(n: int, annual_pd: float, lgd: float, share: float, fee: float, months: int) -> Scenario:
    return fixed_scenario(
        n,
        annual_pd,
        1.0,
        lgd,
        months,
        {"guarantor": "guar", "shares": {"bank": 1 - share, "guarantor": share}, "guarantee_fee_rate": fee},
        guarantors=[
            {"name": "guar", "net_assets_wan": 20000.0, "leverage_cap": 100.0, "opex_rate": 0.0, "investment_rate": 0.0}
        ],
    )


def guarantor_changes(n, annual_pd, lgd, share, fee, months) -> np.ndarray:
    out = []
    for seed in SEEDS:
        model = EcosystemModel(guarantor_scenario(n, annual_pd, lgd, share, fee, months), rng=seed)
        result = model.run()
        g = result.institutions[result.institutions["kind"] == "guarantor"]
        # with no opex and no investment income, net assets move only by fees in and claims out
        na = np.r_[20000.0, g["net_assets_wan"].to_numpy()]
        np.testing.assert_allclose(np.diff(na), g["fee_income_wan"] - g["claims_wan"], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(g["fee_income_wan"], n * fee / 12.0, rtol=1e-12)
        np.testing.assert_allclose(g["claims_wan"], result.monthly["defaults"] * lgd * share, atol=1e-9)
        out.append(model.guarantors[0].net_assets_wan - 20000.0)
    return np.array(out)


def test_guarantor_break_even_fee_keeps_net_assets_unchanged_in_expectation():
    n, annual_pd, lgd, share, months = 1000, 0.03, 0.6, 0.5, 120
    p = monthly_prob(annual_pd)
    fair_fee = share * annual_pd * lgd  # docs/model.md §13: break-even fee = share × PD × LGD
    sd_one_run = math.sqrt(months * n * p * (1 - p)) * lgd * share  # claims over the run are binomial
    se = sd_one_run / math.sqrt(len(SEEDS))
    change = guarantor_changes(n, annual_pd, lgd, share, fair_fee, months)
    exact = months * n * (fair_fee / 12 - p * lgd * share)  # = 0 up to the annual→monthly PD conversion
    assert abs(exact) < se  # the conversion bias is below the noise this test can resolve
    assert abs(change.mean() - exact) < 4 * se, (change.mean(), exact, se)
    assert abs(change.mean()) < 4 * se

    doubled = guarantor_changes(n, annual_pd, lgd, share, 2 * fair_fee, months)
    exact2 = months * n * (2 * fair_fee / 12 - p * lgd * share)
    assert exact2 > 20 * se
    assert abs(doubled.mean() - exact2) < 4 * se, (doubled.mean(), exact2, se)
    assert doubled.mean() > change.mean() + 10 * se


def test_npl_ratio_counts_defaults_of_the_last_twelve_months():
    # bank NPL ratio = principal defaulted in the last 12 months ÷ (balance + that), docs/model.md §4, Bank.npl_ratio
    n, months = 1000, 30
    s = fixed_scenario(n, 0.3, 1.0, 0.6, months, {})
    mo = EcosystemModel(s, rng=5).run().monthly
    d = mo["defaults"].to_numpy()
    bad = np.array([d[max(0, t - 11) : t + 1].sum() for t in range(months)])
    np.testing.assert_allclose(mo["npl_ratio"], bad / (n + bad), rtol=1e-12)


def test_guarantor_without_business_compounds_income_once_a_month():
    months = 12
    s = Scenario.model_validate(
        {
            "name": "idle",
            "horizon_months": months,
            "enterprises": {"initial_count": 200},
            "guarantors": [{"name": "guar", "net_assets_wan": 10000.0, "investment_rate": 0.04, "opex_rate": 0.01}],
        }
    )
    model = EcosystemModel(s, rng=1)
    assert model.guarantors[0].net_assets_wan == 10000.0  # nothing accrues before the first month
    model.run()
    assert model.guarantors[0].net_assets_wan == pytest.approx(10000.0 * (1 + 0.03 / 12) ** months, rel=1e-12)
