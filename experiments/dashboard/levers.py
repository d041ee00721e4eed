"""The dashboard's levers: each control, the scenario path(s) it writes, and where it starts for a scenario.

``LEVERS`` is the one table of levers: the keyword, the page control, and the dotted scenario path(s) it writes.
Which items a path's ``<...>`` stands for is decided per scenario (see ``experiments.dashboard.model``'s table).
A control starts at the scenario's own value (``scenario_lever_values``); ``lever_overrides`` turns the levers a
planner moved into overrides, ``None`` leaving an instrument as the scenario file has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.scenario import Scenario

# The 4321 split 新型政银担: guarantor 40%, provincial re-guarantor 30%, bank 20%, local government 10%.
SPLIT_4321 = {"guarantor": 0.4, "reguarantor": 0.3, "bank": 0.2, "government": 0.1}
# The plain bank–guarantor split 银担分险 (bank keeps at least 20%), used when 4321 is switched off.
SPLIT_8020 = {"guarantor": 0.8, "bank": 0.2}
DASH_POOL, DASH_PRODUCT = "dash_pool", "dash_pool_loan"
# The downturn switch: starts this many months in (or a third of the way for short horizons), lasts 12 months.
DOWNTURN = {"delay_months": 12, "months": 12, "pd_multiplier": 2.0, "revenue_hit_rate": 0.2}


@dataclass(frozen=True)
class Lever:
    """One control of the page: its label and unit, its range, and the scenario path it writes.

    A control starts at the picked scenario's own value (``scenario_lever_values``) and writes nothing until
    the planner moves it, so the first run of a scenario is that scenario as written.

    Attributes:
        en: English label.
        zh: Chinese label.
        unit: Unit shown beside the value (``""`` for on/off switches).
        widget: Input type: ``"SliderFloat"`` or ``"Checkbox"``.
        target: The dotted scenario path written (``<...>`` = items chosen per scenario, see the module doc).
        low: Slider minimum (sliders only).
        high: Slider maximum (sliders only; raised to the scenario's own value when that is higher).
        step: Slider step (sliders only).
        fmt: Format of the value shown beside the slider.
    """

    en: str
    zh: str
    unit: str
    widget: str
    target: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    fmt: str = "{:.2f}"

    @property
    def label(self) -> str:
        """Bilingual label, Chinese first (the page's planners read Chinese; analysts may not)."""
        return f"{self.zh} {self.en}"

    def show(self, value: float | bool) -> str:
        """The value as the page shows it beside the label, with its unit."""
        if self.widget == "Checkbox":
            return "开 on" if value else "关 off"
        return f"{self.fmt.format(value)} {self.unit}".strip()


LEVERS: dict[str, Lever] = {
    "pool_size_wan": Lever(
        "Pool size",
        "风险补偿资金池规模",
        "万元",
        "SliderFloat",
        "government.pools.<every pool>.initial_wan",
        0,
        20000,
        500,
        "{:,.0f}",
    ),
    "pool_coverage": Lever(
        "Pool coverage (pool's loss share)",
        "资金池分担比例",
        "",
        "SliderFloat",
        "products.<pool products>.shares.pool",
        0,
        0.8,
        0.05,
    ),
    "interest_subsidy_share": Lever(
        "Interest subsidy (share of interest)",
        "贴息比例",
        "",
        "SliderFloat",
        "products.<pool or subsidised products>.interest_subsidy_share",
    ),
    "guarantee_fee_rate": Lever(
        "Guarantee fee",
        "担保费率",
        "/年 per year",
        "SliderFloat",
        "products.<guaranteed products>.guarantee_fee_rate",
        0,
        0.03,
        0.001,
        "{:.3f}",
    ),
    "fee_subsidy_share": Lever(
        "Guarantee fee subsidy (share of fee)",
        "担保费补贴比例",
        "",
        "SliderFloat",
        "products.<guaranteed products>.fee_subsidy_share",
    ),
    "g4321": Lever("4321 risk split", "政银担4321分险", "", "Checkbox", "products.<guarantee products>.shares"),
    "npl_tolerance": Lever(
        "Bank NPL tolerance",
        "银行不良容忍度",
        "",
        "SliderFloat",
        "banks.<every bank>.npl_tolerance",
        0.01,
        0.1,
        0.005,
        "{:.3f}",
    ),
    "downturn": Lever("Downturn shock (one year in, 12 months)", "经济下行冲击", "", "Checkbox", "macro.shocks"),
}


def _roles(s: Scenario) -> tuple[list[str], list[str], list[str]]:
    """Products a lever acts on: pool-only products, products with a guarantor, and guarantee-only products."""
    shares = {p.name: p.shares.model_dump() for p in s.products}

    def sharers(name: str) -> set[str]:
        return {k for k, v in shares[name].items() if k != "bank" and v > 0}

    pool_products = [p.name for p in s.products if p.pool is not None and sharers(p.name) == {"pool"}]
    guaranteed = [p.name for p in s.products if p.guarantor is not None and shares[p.name]["guarantor"] > 0]
    guarantee_only = [n for n in guaranteed if sharers(n) <= {"guarantor", "reguarantor", "government"}]
    return pool_products, guaranteed, guarantee_only


def scenario_lever_values(s: Scenario) -> dict[str, float | bool]:
    """Where each control starts for scenario ``s``: the scenario's own value of what the lever sets.

    Where a lever acts on several items with different values (two pools of different size), the control shows
    the first item's; it writes nothing until moved, so the scenario runs as written either way. A lever with
    nothing to act on starts at zero (off).

    Args:
        s: The scenario as loaded.

    Returns:
        Lever keyword → starting value, every key of ``LEVERS``.
    """
    products = {p.name: p for p in s.products}
    pool_products, guaranteed, guarantee_only = _roles(s)
    subsidised = [n for n, p in products.items() if n in pool_products or p.interest_subsidy_share > 0]
    on_4321 = [n for n in guarantee_only if _on_4321(products[n])]
    return {
        "pool_size_wan": s.government.pools[0].initial_wan if s.government.pools else 0.0,
        "pool_coverage": products[pool_products[0]].shares.pool if pool_products else 0.0,
        "interest_subsidy_share": products[subsidised[0]].interest_subsidy_share if subsidised else 0.0,
        "guarantee_fee_rate": products[guaranteed[0]].guarantee_fee_rate if guaranteed else 0.0,
        "fee_subsidy_share": products[guaranteed[0]].fee_subsidy_share if guaranteed else 0.0,
        "g4321": bool(on_4321),
        "npl_tolerance": s.banks[0].npl_tolerance if s.banks else 0.03,
        "downturn": False,
    }


def control(key: str, value: float | bool) -> dict[str, Any]:
    """The input spec of lever ``key`` starting at ``value`` (range widened to hold it), label with value and unit."""
    lever = LEVERS[key]
    if lever.widget == "Checkbox":
        return {"type": "Checkbox", "value": bool(value), "label": lever.label}
    return {
        "type": lever.widget,
        "value": float(value),
        "label": lever.label,
        "min": min(lever.low, float(value)),
        "max": max(lever.high, float(value)),
        "step": lever.step,
    }


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
    pool_products = _roles(s)[0]
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
    guaranteed = _roles(s)[1]
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
    guarantee_only = _roles(s)[2]
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
    on = [n for n in guarantee_only if _on_4321(products[n])]
    for n in on:
        out[f"products.{n}.shares"] = dict(SPLIT_8020)
        out[f"products.{n}.reguarantor"] = None
        out[f"products.{n}.reguarantee_fee_rate"] = 0.0
    if on:
        notes.append(f"4321 off: {', '.join(on)} moved to guarantor 80% / bank 20%.")


def _on_4321(product: Any) -> bool:
    shares = product.shares.model_dump()
    return all(abs(shares[k] - v) < 1e-9 for k, v in SPLIT_4321.items())


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


__all__ = [
    "DOWNTURN",
    "LEVERS",
    "SPLIT_4321",
    "SPLIT_8020",
    "Lever",
    "control",
    "lever_overrides",
    "scenario_lever_values",
]
