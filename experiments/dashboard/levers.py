"""The dashboard's levers: each control, the scenario path(s) it writes, and where it starts for a scenario.

``LEVERS`` is the one table of levers: the keyword, the page control, and the dotted scenario path(s) it writes.
Which items a path's ``<...>`` stands for is decided per scenario (see ``experiments.dashboard.model``'s table).
A control starts at the scenario's own value (``scenario_lever_values``); ``lever_overrides``
(``experiments.dashboard.overrides``) turns the levers a planner moved into overrides.
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


def roles(s: Scenario) -> tuple[list[str], list[str], list[str]]:
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
    pool_products, guaranteed, guarantee_only = roles(s)
    subsidised = [n for n, p in products.items() if n in pool_products or p.interest_subsidy_share > 0]
    on_4321 = [n for n in guarantee_only if is_4321(products[n])]
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


def is_4321(product: Any) -> bool:
    """Whether a product shares its losses as 4321 (guarantor 40%, re-guarantor 30%, bank 20%, government 10%)."""
    shares = product.shares.model_dump()
    return all(abs(shares[k] - v) < 1e-9 for k, v in SPLIT_4321.items())


__all__ = [
    "DOWNTURN",
    "LEVERS",
    "SPLIT_4321",
    "SPLIT_8020",
    "Lever",
    "control",
    "scenario_lever_values",
]
