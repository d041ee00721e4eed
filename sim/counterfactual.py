"""The paired counterfactuals of a scenario: the region without the policy, and without its fiscal instruments
(docs/model.md §7). A policy's additionality is what its run adds to them."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sim.scenario import Scenario, validate
from sim.schema import BankParams, ProductParams

T = TypeVar("T")
KEPT = 8  # scenario objects whose counterfactuals are remembered


def remembered(f: Callable[[Scenario], T]) -> Callable[[Scenario], T]:
    """``f`` remembered for the last ``KEPT`` scenario objects it was given. A scenario is immutable (frozen), so
    the same object gives the same answer: a study's replicates of one scenario derive it once."""
    kept: OrderedDict[int, tuple[Scenario, T]] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(f)
    def cached(s: Scenario) -> T:
        with lock:
            hit = kept.get(id(s))
            if hit is not None and hit[0] is s:  # the entry holds ``s``, so its id cannot have been reused
                kept.move_to_end(id(s))
                return hit[1]
        out = f(s)
        with lock:
            kept[id(s)] = (s, out)
            while len(kept) > KEPT:
                kept.popitem(last=False)
        return out

    return cached


def is_policy_product(p: ProductParams) -> bool:
    """A product exists because of policy if anyone but the bank bears loss or anything is subsidised."""
    subsidies = (
        p.interest_subsidy_share,
        p.fee_subsidy_share,
        p.premium_subsidy_share,
        p.first_loan_interest_subsidy_share or 0.0,
    )
    return p.shares.bank < 1.0 or any(x > 0 for x in subsidies)


@remembered
def without_policy(s: Scenario) -> Scenario:
    """The paired counterfactual: the same region with plain bank credit and no public money.

    Plain commercial products (the bank bears the whole loss, nothing subsidised) are kept as written; policy
    products are dropped, and a bank left with nothing offers a plain one-year loan. Pools, the special fund,
    platforms, re-lending, due-diligence exemption, NPL tolerance above the regulatory default, set-aside
    quotas, guarantor injections and subsidised tech insurance are removed. Credit beyond this run is the
    policy's additionality.
    """
    data = _without_fiscal_data(s)
    data["platforms"] = {}
    tolerance = BankParams.model_fields["npl_tolerance"].default
    for b in data["banks"]:
        b.update(relending_discount_rate=0.0, loss_weight=1.0, annual_quota_wan=None)
        b["npl_tolerance"] = min(b["npl_tolerance"], tolerance)
    data["name"] = f"{s.name}-no-policy"
    return validate(data, data["name"])


@remembered
def without_fiscal(s: Scenario) -> Scenario:
    """The same region with only the plan's free regulatory levers: platforms, due-diligence exemption, NPL
    tolerance, set-aside quotas and re-lending stay; every instrument that costs public money goes (policy
    products, the special fund, pools, guarantor injections, subsidised tech insurance). Credit beyond
    ``without_policy`` in this run is what the free levers add; the rest of the additionality is fiscal."""
    data = _without_fiscal_data(s)
    data["name"] = f"{s.name}-no-fiscal"
    return validate(data, data["name"])


def _without_fiscal_data(s: Scenario) -> dict[str, Any]:
    data = s.model_dump(mode="json")
    plain = [p.model_dump(mode="json") for p in s.products if not is_policy_product(p)]
    served = {b for p in plain for b in p["banks"]}
    orphans = [b.name for b in s.banks if b.name not in served]
    if orphans:
        plain.append({"name": "plain-credit", "banks": orphans})
    for p in plain:
        p["pool"] = None  # a plain product may name a pool with share 0; the pools go
    data["products"] = plain
    data["government"] = {}
    for g in data["guarantors"]:
        g["injections"] = []
    for ins in data["insurers"]:
        ins["tech"]["uptake_share"] = 0.0
    return data
