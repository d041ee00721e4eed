"""The published evidence the model must reproduce (``../shared/design/EVIDENCE.md``), as declared checks.

Each :class:`Check` names what is known, its source, the set-up in the model, the measured quantity and the
range it must land in. ``measure(seed, size)`` runs the set-up under one seed (paired runs share that seed:
common random numbers) and returns the quantity; :func:`run_check` runs it over seeds and returns the mean with
a 95% confidence interval and a verdict. One entry per line of EVIDENCE.md: a new piece of evidence is one
entry in ``CHECKS``.

``size`` scales the set-ups: ``"quick"`` (small populations, for the test suite) or ``"full"``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.model import EcosystemModel
from sim.scenario import Scenario, load_scenario, validate, without_policy

FIRMS = {"quick": 2000, "full": 4000}


def region(size: str = "quick", months: int = 36, **extra: Any) -> Scenario:
    """The reference region (``baseline``: plain bank credit, no policy) at the size's population."""
    n = FIRMS[size]
    return load_scenario(
        "baseline",
        {"enterprises.initial_count": n, "enterprises.entry_per_month": n / 200, "horizon_months": months, **extra},
    )


def fogape(size: str = "quick") -> Scenario:
    """E1/E2: the region plus a guaranteed product like Chile's FOGAPE.

    A guarantor with ample capital (no screening of its own: FOGAPE auctions guarantee rights to banks, which
    pick the loans) covers 70% of the loss for a fee of 1% a year, for small firms only: FOGAPE serves firms
    with sales under about US$1 million a year (≈ 60万元 a month), here the seed and start-up stages.
    """
    d = region(size).model_dump(mode="json")
    d["name"] = "fogape"
    d["guarantors"] = [{"name": "fogape", "net_assets_wan": 1e8, "counter_guarantee": False, "max_pd": 1.0}]
    d["products"].append(
        {
            "name": "fogape",
            "banks": [b["name"] for b in d["banks"]],
            "guarantor": "fogape",
            "shares": {"guarantor": 0.7, "bank": 0.3},
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


def _cohort_default(m: EcosystemModel, months: int, stages: tuple[int, ...], policy: bool | None) -> float:
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
        return _cohort_default(pol, months, (0, 1), True) - _cohort_default(base, months, (0, 1), None)

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


def _drift(column: str) -> Callable[[int, str], float]:
    def measure(seed: int, size: str) -> float:
        mo = _run(region(size), seed).result.monthly
        x = mo["borrowers"] / mo["firms_alive"] if column == "share" else mo[column]
        return float(x.iloc[-6:].mean() - x.iloc[:6].mean())

    measure.__name__ = f"e8_{column}_drift"
    return measure


def _prices(kind: str) -> Callable[[int, str], float]:
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


@dataclass(frozen=True)
class Check:
    """One published figure, the set-up that reproduces it and the range the model must land in."""

    id: str
    claim: str
    source: str
    setup: str
    measure: Callable[[int, str], float]
    unit: str
    low: float | None = None
    high: float | None = None


CHECKS: tuple[Check, ...] = (
    Check(
        "E1",
        "a public guarantee adds about 0.65 of credit per unit guaranteed; the rest is substitution",
        "Cowan, Drexler & Yañez (2015, JBF 59), Chile FOGAPE",
        "region vs region + FOGAPE-like product (70% cover, 1% fee, small firms), paired seeds",
        e1_additionality,
        "ratio",
        0.3,
        1.0,
    ),
    Check(
        "E2-12",
        "covered loans default more often: about +1 pp at 12 months",
        "Cowan, Drexler & Yañez (2015)",
        "as E1: 12-month default rate of first-year covered borrowers vs the same stages without the guarantee",
        e2_delinquency(12),
        "pp",
        0.0,
        0.03,
    ),
    Check(
        "E2-24",
        "covered loans default more often: about +2 pp at 24 months",
        "Cowan, Drexler & Yañez (2015)",
        "as E2-12, within 24 months",
        e2_delinquency(24),
        "pp",
        0.003,
        0.03,
    ),
    Check(
        "E2-grows",
        "the 24-month effect is at least the 12-month effect",
        "Cowan, Drexler & Yañez (2015)",
        "E2-24 − E2-12",
        e2_gap,
        "pp",
        0.0,
        None,
    ),
    Check(
        "E3-balance",
        "cheaper credit is borrowed more: an interest subsidy raises borrowing",
        "loan-demand price elasticity of small borrowers about 0.3–1 (Karlan & Zinman 2008 and later field evidence)",
        "plain product with 50% vs 0% interest subsidy, ample budget: relative change in the average balance",
        e3_balance,
        "share",
        0.02,
        None,
    ),
    Check(
        "E3-defaults",
        "an interest subsidy does not raise defaults",
        "as E3",
        "as E3: change in the NPL ratio (months 13 on)",
        e3_defaults,
        "pp",
        None,
        0.0025,
    ),
    Check(
        "E4",
        "about half of registered tech SMEs hold a bank loan (获贷率 46.8% 2023, 46.9% 2024, 50.2% 2025)",
        "PBoC statistics on 科技型中小企业贷款",
        "a city with a typical plan (xianning-2021): borrowers ÷ firms alive over the run",
        e4_borrower_share,
        "share",
        0.40,
        0.55,
    ),
    Check(
        "E5",
        "tech/inclusive small-firm NPL about 1–3% (inclusive small-firm NPL 2.99% in 2020H1)",
        "CBIRC/NFRA releases",
        "bundled plans, months 13 on: mean NPL ratio",
        e5_npl,
        "share",
        0.01,
        0.04,
    ),
    Check(
        "E6-claims",
        "government guarantors' compensation rate 代偿率 about 2–5% a year",
        "国办发〔2019〕6号; 融资担保公司监督管理条例; 2026 national plan (tolerance 4% → 5%)",
        "plans with a government guarantor: claims ÷ guarantee balance a year",
        e6_claims,
        "share",
        0.01,
        0.06,
    ),
    Check(
        "E6-leverage",
        "policy guarantors run at 2–5× leverage, below the 10× (15×) cap",
        "融资担保公司监督管理条例",
        "plans with a guarantor: highest leverage as a share of its cap",
        e6_leverage,
        "share",
        None,
        1.0,
    ),
    Check(
        "E7",
        "compensation pools back 5–10× their size in loans",
        "Zhejiang (Hangzhou, Jinhua) pool rules; MODEL.md §4.5",
        "plans with a pool: covered balance ÷ pool balance",
        e7_pool_multiple,
        "ratio",
        3.0,
        10.0,
    ),
    Check(
        "E8-share",
        "a region without policy does not drift: borrower share",
        "MODEL.md §8.2",
        "baseline, 36 months: last 6 months minus first 6 months",
        _drift("share"),
        "pp",
        -0.03,
        0.03,
    ),
    Check(
        "E8-npl",
        "a region without policy does not drift: NPL ratio",
        "MODEL.md §8.2",
        "baseline, 36 months: last 6 months minus first 6 months",
        _drift("npl_ratio"),
        "pp",
        -0.01,
        0.01,
    ),
    Check(
        "E9-contract",
        "contract rates of policy loans LPR + 0–1.5 pp",
        "PBoC loan-rate releases; city scheme rules",
        "the plans' policy loans: contract rate − LPR at origination",
        _prices("contract"),
        "pp",
        0.0,
        0.015,
    ),
    Check(
        "E9-net",
        "subsidised tech loans cost about LPR + 0.3–0.5 pp net of subsidies",
        "PBoC loan-rate releases; city scheme rules",
        "the plans' interest-subsidised loans 贴息贷款: all-in cost net of subsidies − LPR at origination",
        _prices("net"),
        "pp",
        0.003,
        0.005,
    ),
)


@dataclass(frozen=True)
class Outcome:
    """A check's result over seeds: mean, 95% CI, and whether the model lands in the range."""

    check: Check
    values: tuple[float, ...]
    mean: float
    ci_low: float
    ci_high: float
    passed: bool


def run_check(check: Check, seeds: range | list[int], size: str = "quick", strict: bool = False) -> Outcome:
    """Measure ``check`` under each seed. ``strict``: the mean must lie in the range; otherwise (few seeds)
    the 95% confidence interval must reach into it (the tolerance is the sampling error)."""
    values = np.array([check.measure(seed, size) for seed in seeds], dtype=float)
    values = values[np.isfinite(values)]
    mean = float(values.mean()) if values.size else math.nan
    half = (
        float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
        if values.size > 1
        else math.inf
    )
    lo, hi = mean - half, mean + half
    low = -math.inf if check.low is None else check.low
    high = math.inf if check.high is None else check.high
    passed = (low <= mean <= high) if strict else (hi >= low and lo <= high)
    return Outcome(check, tuple(values), mean, lo, hi, bool(passed and values.size > 0))
