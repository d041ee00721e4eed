"""Analytic checks: the stripped-down (fixed) mode against closed-form answers (docs/model.md §13).

Each measure has the evidence signature ``measure(seed, size) -> float`` and returns a number whose exact
expectation is known: a ratio of the model's value to the formula (1), a difference (0), or a probability minus
its closed form (0). Fixed mode: every firm has the same annual PD and one loan of 1万 that rolls over; a default
is replaced by a new firm, so every month is an independent draw (or, with ρ > 0, independent given the year's
factor).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats
from scipy.special import ndtri

from sim.calendar import monthly_prob
from sim.model import EcosystemModel
from sim.scenario import Scenario

# Pool payouts: 5,000 loans of 1, annual PD 30%, LGD 0.6, coverage 0.5, 36 months a seed.
POOL = {"n": 5000, "annual_pd": 0.3, "lgd": 0.6, "coverage": 0.5, "months": 36}
# Break-even fee: 1,000 loans, annual PD 3%, LGD 0.6, guarantor share 0.5, 120 months.
FEE = {"n": 1000, "annual_pd": 0.03, "lgd": 0.6, "share": 0.5, "months": 120}
# Vasicek: 3,000 firms, annual PD 3%, ρ = 0.12, ten years a seed.
VASICEK = {"n": 3000, "annual_pd": 0.03, "rho": 0.12, "years": 10}
# Depletion: 200 loans, PD 1% a month, LGD 0.6, coverage 0.5, a pool of 10, 36 months; 25 runs a seed.
DEPLETION = {"n": 200, "pd_month": 0.01, "lgd": 0.6, "coverage": 0.5, "pool": 10.0, "months": 36, "runs": 25}


def fixed(
    n: int, annual_pd: float, months: int, product: dict[str, Any], lgd: float = 0.6, rho: float = 0.0, **extra: Any
) -> Scenario:
    """A fixed-mode scenario: ``n`` loans of 1万 under ``product``."""
    return Scenario.model_validate(
        {
            "name": "analytic",
            "start": "2018-01",
            "horizon_months": months,
            "enterprises": {"initial_count": n, "entry_per_month": 0, "default_correlation": rho},
            "fixed": {"enabled": True, "annual_pd": annual_pd, "loan_wan": 1.0, "lgd": lgd, "term_months": 12},
            "products": [{"name": "contract", "banks": ["bank"], **product}],
            **extra,
        }
    )


def _pool_payouts(seed: int) -> tuple[np.ndarray, float, float]:
    c = POOL
    s = fixed(
        c["n"],
        c["annual_pd"],
        c["months"],
        {"pool": "pool", "shares": {"bank": 1 - c["coverage"], "pool": c["coverage"]}},
        lgd=c["lgd"],
        government={"pools": [{"name": "pool", "initial_wan": 1e9}]},
    )
    x = EcosystemModel(s, rng=seed).run().monthly["pool_payouts_wan"].to_numpy()
    p = monthly_prob(c["annual_pd"])
    claim = c["lgd"] * c["coverage"]
    return x, c["n"] * p * claim, c["n"] * p * (1 - p) * claim**2


def pool_mean(seed: int, size: str) -> float:
    """Mean monthly pool payout ÷ Σ exposure × PD × LGD × coverage."""
    x, mean, _ = _pool_payouts(seed)
    return float(x.mean() / mean)


def pool_variance(seed: int, size: str) -> float:
    """Variance of the monthly pool payout around its known mean ÷ the binomial variance."""
    x, mean, var = _pool_payouts(seed)
    return float(((x - mean) ** 2).mean() / var)


def break_even_fee(seed: int, size: str) -> float:
    """Change in a guarantor's net assets over the run ÷ its claims, when its fee is share × PD × LGD (0)."""
    c = FEE
    fee = c["share"] * c["annual_pd"] * c["lgd"]
    s = fixed(
        c["n"],
        c["annual_pd"],
        c["months"],
        {"guarantor": "guar", "shares": {"bank": 1 - c["share"], "guarantor": c["share"]}, "guarantee_fee_rate": fee},
        lgd=c["lgd"],
        guarantors=[
            {
                "name": "guar",
                "net_assets_wan": 20000.0,
                "leverage_cap": 100.0,
                "target_leverage": None,
                "opex_rate": 0.0,
                "investment_rate": 0.0,
            }
        ],
    )
    m = EcosystemModel(s, rng=seed)
    m.run()
    acct = m.guarantors[0].account
    return float((acct.balance - acct.opening) / acct.paid["claim"])


def yearly_default_rates(seed: int) -> np.ndarray:
    """One-year default rates of the Vasicek set-up, one per model year."""
    c = VASICEK
    s = fixed(c["n"], c["annual_pd"], 12 * c["years"], {}, rho=c["rho"])
    defaults = EcosystemModel(s, rng=seed).run().monthly["defaults"].to_numpy()
    return defaults.reshape(c["years"], 12).sum(axis=1) / c["n"]


def vasicek_variance(seed: int, size: str) -> float:
    """Mean squared deviation of the one-year default rate from PD ÷ its Vasicek variance (plus binomial noise)."""
    c = VASICEK
    rates = yearly_default_rates(seed)
    return float(((rates - c["annual_pd"]) ** 2).mean() / vasicek_var(c["annual_pd"], c["rho"], c["n"]))


def vasicek_var(pd_: float, rho: float, n: int) -> float:
    """Variance of the one-year default rate of ``n`` firms with PD ``pd_`` and asset correlation ``rho``."""
    k = ndtri(pd_)
    joint = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([k, k])
    return float(joint - pd_**2 + (pd_ - joint) / n)


def depletion_probability(seed: int, size: str) -> float:
    """Share of runs in which the pool is empty by the month it is empty half the time (closed form), minus the
    binomial closed form for that month."""
    c = DEPLETION
    s = fixed(
        c["n"],
        1 - (1 - c["pd_month"]) ** 12,
        c["months"],
        {"pool": "pool", "shares": {"bank": 1 - c["coverage"], "pool": c["coverage"]}},
        lgd=c["lgd"],
        government={"pools": [{"name": "pool", "initial_wan": c["pool"]}]},
    )
    claims_to_empty = int(np.ceil(c["pool"] / (c["coverage"] * c["lgd"])))
    months = np.arange(1, c["months"] + 1)
    exact = stats.binom.sf(claims_to_empty - 1, c["n"] * months, c["pd_month"])
    by = int(months[np.argmin(np.abs(exact - 0.5))])  # the month by which the pool is empty half the time
    seeds = np.random.SeedSequence(seed).spawn(c["runs"])
    when = [EcosystemModel(s, rng=ss).run().summary["pool_months_to_depletion"] for ss in seeds]
    empty = [w is not None and w <= by for w in when]
    return float(np.mean(empty) - exact[by - 1])
