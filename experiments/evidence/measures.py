"""Set-ups and measured quantities of the published-evidence checks (``checks.py`` declares them).

Every measure has the signature ``measure(seed, size) -> float``: it runs its set-up under one seed (paired
runs share that seed: common random numbers) and returns one number. ``size`` scales the set-ups: ``"quick"``
(2,000 firms; every plan but Jiaxing) or ``"full"`` (4,000 firms; all five plans). Runs are kept in a small
cache so that checks reading the same runs (E1 and E2, E5–E9) do not repeat them.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.counterfactual import without_policy
from sim.model import EcosystemModel
from sim.scenario import Scenario, load_scenario, validate

FIRMS = {"quick": 2000, "full": 4000}


def region(size: str = "quick", months: int = 36, **extra: Any) -> Scenario:
    """The reference region (``baseline``: plain bank credit, no policy) at the size's population."""
    n = FIRMS[size]
    return load_scenario(
        "baseline",
        {"enterprises.initial_count": n, "enterprises.entry_per_month": n / 200, "horizon_months": months, **extra},
    )


def fogape(size: str = "quick", cover: float = 0.7) -> Scenario:
    """E1/E2: the region plus a guaranteed product like Chile's FOGAPE.

    A guarantor with ample capital (no screening of its own: FOGAPE auctions guarantee rights to banks, which
    pick the loans) covers 70% of the loss for a fee of 1% a year, for small firms only: FOGAPE serves firms
    with sales under about US$1 million a year (≈ 60万元 a month), here the seed and start-up stages.
    """
    d = region(size).model_dump(mode="json")
    d["name"] = f"fogape-{cover:g}"
    d["guarantors"] = [{"name": "fogape", "net_assets_wan": 1e8, "counter_guarantee": False, "max_pd": 1.0}]
    d["products"].append(
        {
            "name": "fogape",
            "banks": [b["name"] for b in d["banks"]],
            "guarantor": "fogape",
            "shares": {"guarantor": cover, "bank": round(1.0 - cover, 12)},
            "guarantee_fee_rate": 0.01,
            "eligibility": {"stages": ["seed", "startup"]},
        }
    )
    return validate(d, "evidence: fogape")


def subsidised(share: float, size: str = "quick") -> Scenario:
    """E3: the region's plain product with ``share`` of interest paid by an ample special fund."""
    d = region(size).model_dump(mode="json")
    d["name"] = f"subsidy-{share:g}"
    d["government"] = {"annual_budget_wan": 1e9}
    for p in d["products"]:
        p["interest_subsidy_share"] = share
    return validate(d, "evidence: subsidy")


def cohort_default(m: EcosystemModel, months: int, stages: tuple[int, ...], policy: bool | None) -> float:
    """Share of firms whose first loan in the run was written in months 1–12 (stage in ``stages``, under a
    policy product if ``policy``, any product if None) that defaulted within ``months`` of it."""
    pop, n = m.pop, m.pop.n
    v, d = pop.vintage_month[:n], pop.default_month[:n]
    sel = (v >= 1) & (v <= 12) & np.isin(pop.vintage_stage[:n], stages)
    if policy is not None:
        sel &= pop.vintage_policy[:n] == policy
    hit = sel & (d >= v) & (d < v + months)
    return float(hit.sum() / sel.sum()) if sel.any() else math.nan


_RUNS: OrderedDict[tuple[str, int], EcosystemModel] = OrderedDict()


def _run(s: Scenario, seed: int) -> EcosystemModel:
    """The run of ``s`` under ``seed`` (kept for the other checks that read the same run)."""
    key = (s.digest(), seed)
    if key not in _RUNS:
        m = EcosystemModel(s, rng=seed)
        m.result = m.run()
        _RUNS[key] = m
        while len(_RUNS) > 48:
            _RUNS.popitem(last=False)
    return _RUNS[key]


def _plan(name: str, seed: int) -> EcosystemModel:
    """A bundled plan's run."""
    return _run(load_scenario(name), seed)


def e1_additionality(seed: int, size: str) -> float:
    """Additional average balance ÷ average covered balance, FOGAPE-like product vs the same region without."""
    s = fogape(size)
    pol, base = _run(s, seed), _run(without_policy(s), seed)
    gap = pol.result.monthly["tech_loan_balance_wan"].mean() - base.result.monthly["tech_loan_balance_wan"].mean()
    return float(gap / pol.result.monthly["covered_loan_balance_wan"].mean())


def e2_delinquency(months: int) -> Callable[[int, str], float]:
    """Default rate within ``months`` of first-year covered borrowers minus that of the same stages' first-year
    borrowers in the paired region without the guarantee (Cowan et al.: guaranteed vs similar unguaranteed)."""

    def measure(seed: int, size: str) -> float:
        s = fogape(size)
        pol, base = _run(s, seed), _run(without_policy(s), seed)
        return cohort_default(pol, months, (0, 1), True) - cohort_default(base, months, (0, 1), None)

    measure.__name__ = f"e2_delinquency_{months}m"
    return measure


def e2_gap(seed: int, size: str) -> float:
    """24-month minus 12-month excess default of covered borrowers (the effect grows with time)."""
    return e2_delinquency(24)(seed, size) - e2_delinquency(12)(seed, size)


def e3_balance(seed: int, size: str) -> float:
    """Relative change in average balance from a 50% interest subsidy (plain product, ample budget)."""
    on, off = _run(subsidised(0.5, size), seed), _run(subsidised(0.0, size), seed)
    return float(
        on.result.monthly["tech_loan_balance_wan"].mean() / off.result.monthly["tech_loan_balance_wan"].mean() - 1
    )


def e3_defaults(seed: int, size: str) -> float:
    """Change in the mean NPL ratio (months 13 on) from a 50% interest subsidy."""
    on, off = _run(subsidised(0.5, size), seed), _run(subsidised(0.0, size), seed)
    return float(on.result.monthly["npl_ratio"].iloc[12:].mean() - off.result.monthly["npl_ratio"].iloc[12:].mean())


def e4_borrower_share(seed: int, size: str) -> float:
    """Borrowers ÷ firms alive, averaged over the run, in a city with a typical plan (Xianning)."""
    mo = _plan("xianning-2021", seed).result.monthly
    return float((mo["borrowers"] / mo["firms_alive"]).mean())


PLANS = ("guangyuan-2017", "jiaxing-2017", "panzhihua-2017", "shanxi-2018", "xianning-2021")
QUICK_PLANS = ("guangyuan-2017", "panzhihua-2017", "shanxi-2018", "xianning-2021")  # all but Jiaxing (45,000 firms)


def _plans(size: str) -> tuple[str, ...]:
    return QUICK_PLANS if size == "quick" else PLANS


def e5_npl(seed: int, size: str) -> float:
    """NPL ratio from month 13 on, averaged over the bundled plans."""
    return float(np.mean([_plan(p, seed).result.monthly["npl_ratio"].iloc[12:].mean() for p in _plans(size)]))


def e6_claims(seed: int, size: str) -> float:
    """Government guarantors' claims as a share of their guarantee balance a year, averaged over the plans."""
    rates = []
    for p in _plans(size):
        s = load_scenario(p)
        if not any(not g.reguarantor for g in s.guarantors):
            continue
        rate = _plan(p, seed).result.summary["guarantor_claims_rate"]
        if rate is not None:
            rates.append(rate)
    return float(np.mean(rates))


def e6_leverage(seed: int, size: str) -> float:
    """Highest guarantee balance ÷ net assets of any plan's guarantor, as a share of its leverage cap."""
    worst = 0.0
    for p in _plans(size):
        s = load_scenario(p)
        inst = _plan(p, seed).result.institutions
        for g in s.guarantors:
            rows = inst[(inst["name"] == g.name) & inst["kind"].isin(["guarantor", "reguarantor"])]
            worst = max(worst, float(rows["leverage"].replace(np.inf, np.nan).max() / g.leverage_cap))
    return worst


def e7_pool_multiple(seed: int, size: str) -> float:
    """Pool-covered balance ÷ pool balance, averaged over months and over the plans with a pool."""
    out = []
    for p in _plans(size):
        s = load_scenario(p)
        if not s.government.pools:
            continue
        inst = _plan(p, seed).result.institutions
        pools = inst[inst["kind"] == "pool"]
        ok = pools["balance_wan"] > 0
        out.append(float((pools.loc[ok, "covered_balance_wan"] / pools.loc[ok, "balance_wan"]).mean()))
    return float(np.mean(out))


def drift(column: str) -> Callable[[int, str], float]:
    def measure(seed: int, size: str) -> float:
        mo = _run(region(size), seed).result.monthly
        x = mo["borrowers"] / mo["firms_alive"] if column == "share" else mo[column]
        return float(x.iloc[-6:].mean() - x.iloc[:6].mean())

    measure.__name__ = f"e8_{column}_drift"
    return measure


def prices(kind: str) -> Callable[[int, str], float]:
    """Policy loans written in the plans: contract rate − LPR (``contract``) or all-in cost net of subsidies −
    LPR for interest-subsidised loans 贴息贷款 (``net``), balance-weighted over the open book at the end,
    averaged over the plans that have them."""

    def measure(seed: int, size: str) -> float:
        out = []
        for p in _plans(size):
            m = _plan(p, seed)
            b, pr = m.book, m.products
            rows = b.open_rows()
            pol = pr.policy[b.product[rows]]
            if kind == "net":  # 贴息贷款: loans whose interest the fund subsidises
                pol &= (pr.int_sub[b.product[rows]] > 0) | (pr.first_sub[b.product[rows]] > 0)
            rows = rows[pol]
            if rows.size == 0:
                continue
            lpr = m.lpr_path[np.maximum(b.start[rows] - 1, 0)]
            value = b.rate[rows] if kind == "contract" else m.pop.cost_rate[b.firm[rows]]
            out.append(float(np.average(value - lpr, weights=b.principal[rows])))
        return float(np.mean(out))

    measure.__name__ = f"e9_{kind}"
    return measure
