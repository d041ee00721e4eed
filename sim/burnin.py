"""A region starts in its own steady state (MODEL.md §8.2).

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

from typing import TYPE_CHECKING

import numpy as np

from sim.scenario import Scenario, validate, without_policy

if TYPE_CHECKING:
    from sim.model import EcosystemModel

BURN_IN_DOMAIN = 1


def pre_plan(s: Scenario) -> Scenario:
    """The region before the plan: ``without_policy(s)`` over the ``burn_in_months`` before ``s.start``.

    Shocks, targets and product windows are dropped (they belong to the plan period); the name is fixed so
    that ``pre_plan(s) == pre_plan(without_policy(s))``.
    """
    data = without_policy(s).model_dump(mode="json")
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
    """Run the pre-plan region for ``burn_in_months`` and make its end state ``m``'s month 0."""
    from sim.model import EcosystemModel

    pre = EcosystemModel(pre_plan(m.s), rng=m.seed, stream_domain=BURN_IN_DOMAIN)
    target = float(pre.book.principal[pre.book.open_rows()].sum())
    for _ in range(m.s.burn_in_months):
        pre.step()
    _take_over(m, pre)
    actual = float(m.book.principal[m.book.open_rows()].sum())
    m.start_scale = target / actual if actual > 0 and target > 0 else 1.0
    _scale_money(m, m.start_scale)
    m.update_institutions()


def _take_over(m: EcosystemModel, pre: EcosystemModel) -> None:
    """Move the pre-plan firms, loans and bank histories into ``m`` (model month ``B`` becomes month 0)."""
    months = m.s.burn_in_months
    m.pop = pre.pop
    m.pop.streams = m.streams
    n = m.pop.n
    m.pop.served[:n] = False  # "served", "vintage" and "default month" count from the plan's start
    m.pop.vintage_month[:n] = -1
    m.pop.default_month[:n] = -1
    barred = m.pop.black_list_until[:n] >= 0
    m.pop.black_list_until[:n][barred] -= m.s.burn_in_months  # month-indexed: burn-in month B is plan month 0
    book = pre.book
    book.compact()
    rows = book.open_rows()
    names = {name: i for i, name in enumerate(m.products.names)}
    remap = np.array([names.get(name, m.products.legacy) for name in pre.products.names])
    m.book.add(
        firm=book.firm[rows],
        bank=book.bank[rows],
        product=remap[book.product[rows]],
        principal=book.principal[rows],
        rate=book.rate[rows],
        lgd=book.lgd[rows],
        start=book.start[rows] - months,
        maturity=book.maturity[rows] - months,
    )
    for mine, theirs in zip(m.banks, pre.banks, strict=True):
        mine.balance_wan = theirs.balance_wan
        mine.new_year_wan = theirs.new_year_wan
        mine.defaults_12m = np.roll(theirs.defaults_12m, -months)  # slot m % 12 ↔ plan month m


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
