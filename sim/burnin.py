"""A region starts in its own steady state (docs/model.md §8).

Before month 1 the region *without* the plan (``without_policy``: plain bank credit, no public money, no free
regulatory levers) runs for ``burn_in_months`` from random streams of its own (stream domain 1), starting from
the scenario's initial population and loan stock. Its firms, loan book (loans by age and bank, prices) and the
banks' NPL history become month 0 of the plan. The book is then scaled to the scenario's calibrated starting
balance: every firm's money (revenue, debt, open needs), every loan's principal and the banks' balances and NPL
history are multiplied by one factor, which leaves every ratio the rules use (debt to revenue, NPL ratio) as the
steady state had it. The factor is ``EcosystemModel.start_scale``; near 1 when ``initial_borrower_share`` is
near the steady-state borrower share.

The pre-plan scenario is the same for a scenario and for its ``without_policy`` counterfactual, so the paired
runs of an experiment start from the identical state and a policy that changes nothing differs by exactly 0.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.counterfactual import remembered, without_policy
from sim.scenario import Scenario, set_dotted, validate
from sim.scenario_checks import instrument_starts

if TYPE_CHECKING:
    from sim.model import EcosystemModel

BURN_IN_DOMAIN = 1
CACHE_SIZE = 2  # paired runs (policy, no-policy, no-fiscal) share one burn-in: keep the last two regions
CACHE_MAX_FIRMS = 250_000  # larger regions are not kept (memory)


@dataclass
class PrePlanState:
    """What the burn-in leaves: the firms, the open loans and the banks' histories, and the calibrated balance."""

    pop: Any
    loans: dict[str, np.ndarray]
    product_names: list[str]
    banks: list[tuple[float, float, np.ndarray]]
    target_wan: float


_CACHE: OrderedDict[tuple, PrePlanState] = OrderedDict()


def pre_plan(s: Scenario) -> Scenario:
    """The region before the plan: ``without_policy(s)`` over the ``burn_in_months`` before ``s.start``.

    Shocks, targets and product windows are dropped (they belong to the plan period); the name is fixed so
    that ``pre_plan(s) == pre_plan(without_policy(s))``.
    """
    region = without_policy(s)
    data = region.model_dump(mode="json")
    for path, _ in instrument_starts(region):  # phase-in months belong to the plan period
        set_dotted(data, path, None)
    months = s.burn_in_months
    data.update(
        name="pre-plan",
        title="",
        source="",
        start=str(s.start_month.plus(-months)),
        horizon_months=months,
        burn_in_months=0,
        targets=[],
    )
    data["macro"]["shocks"] = []
    for p in data["products"]:
        p["available_from"] = p["available_until"] = None
    return validate(data, f"{s.name}: pre-plan burn-in")


def start_in_steady_state(m: EcosystemModel) -> None:
    """Run the pre-plan region for ``burn_in_months`` (or reuse the same region's burn-in under the same seed)
    and make its end state ``m``'s month 0."""
    state = _pre_plan_state(m)
    _take_over(m, state)
    actual = float(m.book.principal[m.book.open_rows()].sum())
    m.start_scale = state.target_wan / actual if actual > 0 and state.target_wan > 0 else 1.0
    _scale_money(m, m.start_scale)
    m.update_institutions()


def _seed_key(seed: Any) -> Any:
    if isinstance(seed, np.random.SeedSequence):
        return ("ss", str(seed.entropy), tuple(seed.spawn_key))
    if isinstance(seed, (int, np.integer)):
        return ("int", int(seed))
    return None  # a Generator or None: fresh luck, nothing to share


@remembered
def _pre_plan_of(s: Scenario) -> tuple[Scenario, str]:
    """``pre_plan(s)`` and its digest (the key of the burn-in cache)."""
    scenario = pre_plan(s)
    return scenario, scenario.digest()


def _pre_plan_state(m: EcosystemModel) -> PrePlanState:
    from sim.model import EcosystemModel

    scenario, digest = _pre_plan_of(m.s)
    seed = _seed_key(m.seed)
    key = (digest, seed)
    if seed is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    pre = EcosystemModel(scenario, rng=m.seed, stream_domain=BURN_IN_DOMAIN)
    target = float(pre.book.principal[pre.book.open_rows()].sum())
    for _ in range(m.s.burn_in_months):
        pre.step()
    book = pre.book
    book.compact()
    rows = book.open_rows()
    loans = {c: getattr(book, c)[rows].copy() for c in ("firm", "bank", "product", "principal", "rate", "lgd")}
    loans |= {c: getattr(book, c)[rows] - m.s.burn_in_months for c in ("start", "maturity")}
    banks = [(b.balance_wan, b.new_year_wan, np.roll(b.defaults_12m, -m.s.burn_in_months)) for b in pre.banks]
    state = PrePlanState(pre.pop, loans, list(pre.products.names), banks, target)
    if seed is not None and pre.pop.n <= CACHE_MAX_FIRMS:
        _CACHE[key] = state
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return state


def _take_over(m: EcosystemModel, state: PrePlanState) -> None:
    """Copy the pre-plan firms, loans and bank histories into ``m`` (burn-in month ``B`` becomes month 0)."""
    m.pop = state.pop.copy(m.streams, capacity=m.capacity(state.pop.n))  # no reallocation in the plan period
    n = m.pop.n
    m.pop.served[:n] = False  # "served", "vintage" and "default month" count from the plan's start
    m.pop.tf_served[:n] = False
    m.pop.vintage_month[:n] = -1
    m.pop.default_month[:n] = -1
    barred = m.pop.black_list_until[:n] >= 0
    m.pop.black_list_until[:n][barred] -= m.s.burn_in_months  # month-indexed: burn-in month B is plan month 0
    names = {name: i for i, name in enumerate(m.products.names)}
    remap = np.array([names.get(name, m.products.legacy) for name in state.product_names])
    m.book.add(**(state.loans | {"product": remap[state.loans["product"]]}))
    for bank, (balance, new_year, defaults) in zip(m.banks, state.banks, strict=True):
        bank.balance_wan, bank.new_year_wan = balance, new_year
        bank.defaults_12m = defaults.copy()  # rolled: slot m % 12 ↔ plan month m


def _scale_money(m: EcosystemModel, k: float) -> None:
    """Multiply every firm's money, every loan and the banks' balances and NPL history by ``k``."""
    if k == 1.0:
        return
    pop, n = m.pop, m.pop.n
    for name in ("revenue_wan", "debt_wan", "need_wan"):
        getattr(pop, name)[:n] *= k
    m.book.principal[: m.book.n] *= k
    for b in m.banks:
        b.balance_wan *= k
        b.new_year_wan *= k
        b.defaults_12m *= k
