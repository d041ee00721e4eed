"""The levers a planner moved, as dotted overrides of the picked scenario (``lever_overrides``): ``None`` leaves an
instrument as the scenario file has it; a lever with nothing to act on is noted, not applied."""

from __future__ import annotations

from typing import Any

from experiments.dashboard.levers import (
    DASH_POOL,
    DASH_PRODUCT,
    DOWNTURN,
    LEVERS,
    SPLIT_4321,
    SPLIT_8020,
    is_4321,
    roles,
)
from sim.scenario import Scenario


def lever_overrides(s: Scenario, **levers: Any) -> tuple[dict[str, Any], list[str]]:
    """The dotted overrides that apply ``levers`` to scenario ``s``, and notes on what was ignored.

    Args:
        s: The scenario as loaded (before the levers).
        **levers: Keywords of ``LEVERS``; a value of ``None`` leaves that instrument as the scenario has it.

    Returns:
        ``(overrides, notes)``: ``overrides`` in application order for ``Scenario.with_overrides``; ``notes``
        are plain-English remarks for levers that found nothing to act on or were limited.

    Raises:
        TypeError: For a keyword that is not a lever.
    """
    unknown = set(levers) - set(LEVERS)
    if unknown:
        raise TypeError(f"unknown lever(s) {sorted(unknown)}; levers are {list(LEVERS)}")
    lv = {k: v for k, v in levers.items() if v is not None}
    out: dict[str, Any] = {}
    notes: list[str] = []
    pool_products = _pool_levers(s, lv, out, notes)
    _subsidy_levers(s, lv, pool_products, out, notes)
    _split_levers(s, lv, out, notes)
    if "npl_tolerance" in lv:
        for b in s.banks:
            out[f"banks.{b.name}.npl_tolerance"] = float(lv["npl_tolerance"])
    if lv.get("downturn"):
        _downturn(s, out, notes)
    subsidised = any(lv.get(k) for k in ("interest_subsidy_share", "fee_subsidy_share"))
    if subsidised and s.government.annual_budget_wan <= 0:
        notes.append(f"{s.name} has no special-fund budget (government.annual_budget_wan = 0): subsidies pay nothing.")
    return out, notes


def _pool_levers(s: Scenario, lv: dict[str, Any], out: dict[str, Any], notes: list[str]) -> list[str]:
    """Pool size and coverage (adding a pool and product where the scenario has none); the pool products."""
    products = {p.name: p for p in s.products}
    pool_products = roles(s)[0]
    size, cover = lv.get("pool_size_wan"), lv.get("pool_coverage")
    if not any(p.pool is not None and p.shares.pool > 0 for p in s.products):
        if size and cover and size > 0 and cover > 0:
            pool = {
                "name": DASH_POOL,
                "label": "仪表盘资金池 — dashboard pool",
                "initial_wan": float(size),
                "leverage_multiple": 10.0,
            }
            product = {
                "name": DASH_PRODUCT,
                "label": "仪表盘资金池贷款 — dashboard pool loan",
                "banks": [b.name for b in s.banks],
                "shares": {"pool": float(cover), "bank": 1.0 - float(cover)},
                "pool": DASH_POOL,
            }
            out["government.pools"] = [*(p.model_dump(mode="json") for p in s.government.pools), pool]
            out["products"] = [*(p.model_dump(mode="json") for p in s.products), product]
            notes.append(
                f"{s.name} has no pool-backed product: added pool {DASH_POOL} ({size:,.0f}万, covered balance ≤ 10×"
                f" pool) and product {DASH_PRODUCT} on every bank with {cover:.0%} pool coverage."
            )
            return [DASH_PRODUCT]
        if size or cover:
            notes.append(f"{s.name} has no pool-backed product; pool size and coverage > 0 add one.")
        return pool_products
    if size is not None:
        for p in s.government.pools:
            out[f"government.pools.{p.name}.initial_wan"] = float(size)
    if cover is not None and pool_products:
        for n in pool_products:
            out[f"products.{n}.shares"] = {"pool": float(cover), "bank": 1.0 - float(cover)}
        mixed = [n for n, p in products.items() if p.pool is not None and n not in pool_products]
        if mixed:
            notes.append(f"Pool coverage set on {', '.join(pool_products)}; {', '.join(mixed)} keep their split.")
    elif cover is not None:
        notes.append("Pool coverage: no product shares its loss with a pool only; splits kept as in the scenario.")
    return pool_products


def _subsidy_levers(
    s: Scenario, lv: dict[str, Any], pool_products: list[str], out: dict[str, Any], notes: list[str]
) -> None:
    """Interest subsidy (pool products and products that already carry one), guarantee fee and its subsidy."""
    products = {p.name: p for p in s.products}
    if "interest_subsidy_share" in lv:
        share = float(lv["interest_subsidy_share"])
        targets = [
            n
            for n, p in products.items()
            if n in pool_products or p.interest_subsidy_share > 0 or p.first_loan_interest_subsidy_share
        ]
        targets += [n for n in pool_products if n not in products]
        for n in targets:
            out[f"products.{n}.interest_subsidy_share"] = share
            if n in products and products[n].first_loan_interest_subsidy_share is not None:
                out[f"products.{n}.first_loan_interest_subsidy_share"] = None
        if not targets and share > 0:
            notes.append(f"Interest subsidy ignored: {s.name} has no pool-backed or subsidised product.")
    guaranteed = roles(s)[1]
    for key in ("guarantee_fee_rate", "fee_subsidy_share"):
        if key in lv:
            for n in guaranteed:
                out[f"products.{n}.{key}"] = float(lv[key])
            if not guaranteed and lv[key] > 0:
                notes.append(f"{LEVERS[key].label} ignored: {s.name} has no product with a guarantor.")


def _split_levers(s: Scenario, lv: dict[str, Any], out: dict[str, Any], notes: list[str]) -> None:
    """4321 on (guarantee-only products to 40/30/20/10 with a re-guarantor) or off (4321 products to 80/20)."""
    if "g4321" not in lv:
        return
    products = {p.name: p for p in s.products}
    guarantee_only = roles(s)[2]
    regs = [g.name for g in s.guarantors if g.reguarantor]
    if lv["g4321"]:
        if not regs:
            notes.append(f"4321 ignored: {s.name} has no provincial re-guarantor (guarantors with reguarantor).")
        elif not guarantee_only:
            notes.append(f"4321 ignored: {s.name} has no product shared by guarantor and bank only.")
        for n in guarantee_only if regs else ():
            out[f"products.{n}.shares"] = dict(SPLIT_4321)
            if products[n].reguarantor is None:
                out[f"products.{n}.reguarantor"] = regs[0]
        return
    on = [n for n in guarantee_only if is_4321(products[n])]
    for n in on:
        out[f"products.{n}.shares"] = dict(SPLIT_8020)
        out[f"products.{n}.reguarantor"] = None
        out[f"products.{n}.reguarantee_fee_rate"] = 0.0
    if on:
        notes.append(f"4321 off: {', '.join(on)} moved to guarantor 80% / bank 20%.")


def _downturn(s: Scenario, out: dict[str, Any], notes: list[str]) -> None:
    """A 12-month downturn a year in (a third of the way for short horizons), faced by both runs."""
    delay = DOWNTURN["delay_months"] if s.horizon_months > DOWNTURN["delay_months"] else s.horizon_months // 3
    start = s.start_month.plus(delay)
    shock = {
        "start": str(start),
        "months": DOWNTURN["months"],
        "pd_multiplier": DOWNTURN["pd_multiplier"],
        "revenue_hit_rate": DOWNTURN["revenue_hit_rate"],
    }
    out["macro.shocks"] = [*(sh.model_dump(mode="json") for sh in s.macro.shocks), shock]
    notes.append(
        f"Downturn {start}–{start.plus(DOWNTURN['months'] - 1)}: default hazard ×{DOWNTURN['pd_multiplier']:g},"
        f" revenue drift −{DOWNTURN['revenue_hit_rate']:.0%}/yr, in both runs."
    )
