"""The dashboard's model: a scenario with the levers applied, and its no-policy baseline under the same seed.

``DashboardModel`` is a ``mesa.Model`` whose keyword parameters are the page's controls. It builds two
``EcosystemModel`` runs with the same seed — the picked scenario with the levers applied, and
``without_policy`` of that same scenario (the region with plain bank credit and no public money) — steps both
each month and collects their series side by side (``credit_balance`` and ``credit_balance_baseline``, ...).

Each lever *sets* an instrument of the picked scenario; ``None`` (the programmatic default) leaves it as the
scenario file has it. ``LEVERS`` is the one table of levers: the keyword, the page control, and the dotted
scenario path(s) it writes. Which items a path's ``<...>`` stands for is decided per scenario:

================================  =================================================================================
keyword                           dotted override(s) written
================================  =================================================================================
``pool_size_wan``                 ``government.pools.<every pool>.initial_wan``; with no pool-backed product in the
                                  scenario and ``pool_coverage`` > 0, adds pool ``dash_pool`` and product
                                  ``dash_pool_loan`` (all banks, pool bears ``pool_coverage``, bank the rest)
``pool_coverage``                 ``products.<pool products>.shares`` — products whose loss only pool and bank share:
                                  pool = coverage, bank = the rest; mixed products keep their split
``interest_subsidy_share``        ``products.<pool products or products already subsidised>.interest_subsidy_share``
                                  (and ``first_loan_interest_subsidy_share`` cleared: one share for every loan)
``guarantee_fee_rate``            ``products.<products with a guarantor>.guarantee_fee_rate``
``fee_subsidy_share``             ``products.<products with a guarantor>.fee_subsidy_share``
``g4321``                         ``products.<guarantee products>.shares`` (+ ``.reguarantor``): on → guarantor 40%,
                                  re-guarantor 30%, bank 20%, government 10% (needs a re-guarantor in the scenario);
                                  off → products on 4321 terms go to guarantor 80%, bank 20%
``npl_tolerance``                 ``banks.<every bank>.npl_tolerance`` (bank behaviour: applies to the baseline too)
``downturn``                      ``macro.shocks``: adds a 12-month downturn one year in (default hazard ×2, revenue
                                  drift −20%/yr); the baseline faces it too
================================  =================================================================================

A lever that finds nothing to act on in the picked scenario is ignored, and ``notes`` says so. Subsidies are
paid from the scenario's special-fund budget (``government.annual_budget_wan``): with no budget they pay
nothing, and ``notes`` says that too. With the ``baseline`` scenario and every lever at zero/off the policy
run and its baseline are the same run.

Example:
    >>> m = DashboardModel("baseline", rng=7, pool_size_wan=5000, pool_coverage=0.5)
    >>> for _ in range(12):
    ...     m.step()
    >>> df = m.datacollector.get_model_vars_dataframe()
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import partial
from typing import Any

import mesa

from sim.calendar import YearMonth
from sim.scenario import Scenario, ScenarioError, load_scenario, without_policy

DEFAULT_SEED = 2017

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

# Dashboard column → monthly metric of EcosystemModel (sim.reporters.METRICS); each also gets a _baseline column.
SERIES: dict[str, str] = {
    "credit_balance": "tech_loan_balance_wan",
    "pool_balance": "pool_balance_wan",
    "npl_ratio": "npl_ratio",
    "fiscal_spending": "fiscal_spending_wan",
    "fiscal_spending_cum": "fiscal_spending_cum_wan",
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
    on_4321 = [
        n
        for n in guarantee_only
        if all(abs(products[n].shares.model_dump()[k] - v) < 1e-9 for k, v in SPLIT_4321.items())
    ]
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
    products = {p.name: p for p in s.products}
    shares = {p.name: p.shares.model_dump() for p in s.products}
    pool_products, guaranteed, guarantee_only = _roles(s)

    # Pool size and coverage.
    size, cover = lv.get("pool_size_wan"), lv.get("pool_coverage")
    if not any(p.pool is not None and shares[n]["pool"] > 0 for n, p in products.items()):
        if size and cover and size > 0 and cover > 0:
            pool = {"name": DASH_POOL, "initial_wan": float(size), "leverage_multiple": 10.0}
            product = {
                "name": DASH_PRODUCT,
                "banks": [b.name for b in s.banks],
                "shares": {"pool": float(cover), "bank": 1.0 - float(cover)},
                "pool": DASH_POOL,
            }
            out["government.pools"] = [*(p.model_dump(mode="json") for p in s.government.pools), pool]
            out["products"] = [*(p.model_dump(mode="json") for p in s.products), product]
            pool_products = [DASH_PRODUCT]
            notes.append(
                f"{s.name} has no pool-backed product: added pool {DASH_POOL} ({size:,.0f}万, covered balance ≤ 10×"
                f" pool) and product {DASH_PRODUCT} on every bank with {cover:.0%} pool coverage."
            )
        elif size or cover:
            notes.append(f"{s.name} has no pool-backed product; pool size and coverage > 0 add one.")
    elif size is not None:
        for p in s.government.pools:
            out[f"government.pools.{p.name}.initial_wan"] = float(size)
    if cover is not None and pool_products and DASH_PRODUCT not in pool_products:
        for n in pool_products:
            out[f"products.{n}.shares"] = {"pool": float(cover), "bank": 1.0 - float(cover)}
        mixed = [n for n, p in products.items() if p.pool is not None and n not in pool_products]
        if mixed:
            notes.append(f"Pool coverage set on {', '.join(pool_products)}; {', '.join(mixed)} keep their split.")
    elif cover is not None and not pool_products and any(p.pool for p in products.values()):
        notes.append("Pool coverage: no product shares its loss with a pool only; splits kept as in the scenario.")

    # Interest subsidy: pool products and products that already carry one.
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

    # Guarantee fee and its subsidy.
    for key, field in (("guarantee_fee_rate", "guarantee_fee_rate"), ("fee_subsidy_share", "fee_subsidy_share")):
        if key in lv:
            for n in guaranteed:
                out[f"products.{n}.{field}"] = float(lv[key])
            if not guaranteed and lv[key] > 0:
                notes.append(f"{LEVERS[key].label} ignored: {s.name} has no product with a guarantor.")

    # 4321.
    if "g4321" in lv:
        regs = [g.name for g in s.guarantors if g.reguarantor]
        if lv["g4321"]:
            if not regs:
                notes.append(f"4321 ignored: {s.name} has no provincial re-guarantor (guarantors with reguarantor).")
            elif not guarantee_only:
                notes.append(f"4321 ignored: {s.name} has no product shared by guarantor and bank only.")
            else:
                for n in guarantee_only:
                    out[f"products.{n}.shares"] = dict(SPLIT_4321)
                    if products[n].reguarantor is None:
                        out[f"products.{n}.reguarantor"] = regs[0]
        else:
            on = [n for n in guarantee_only if all(abs(shares[n][k] - v) < 1e-9 for k, v in SPLIT_4321.items())]
            for n in on:
                out[f"products.{n}.shares"] = dict(SPLIT_8020)
                out[f"products.{n}.reguarantor"] = None
                out[f"products.{n}.reguarantee_fee_rate"] = 0.0
            if on:
                notes.append(f"4321 off: {', '.join(on)} moved to guarantor 80% / bank 20%.")

    # Bank NPL tolerance.
    if "npl_tolerance" in lv:
        for b in s.banks:
            out[f"banks.{b.name}.npl_tolerance"] = float(lv["npl_tolerance"])

    # Downturn.
    if lv.get("downturn"):
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

    subsidised = any(lv.get(k) for k in ("interest_subsidy_share", "fee_subsidy_share"))
    if subsidised and s.government.annual_budget_wan <= 0:
        notes.append(f"{s.name} has no special-fund budget (government.annual_budget_wan = 0): subsidies pay nothing.")
    return out, notes


def _seed(rng: Any) -> Any:
    """An ``rng`` as the page gives it (text) or as code gives it (int, Generator, None)."""
    if isinstance(rng, str):
        text = rng.strip()
        if not text:
            return DEFAULT_SEED
        try:
            return int(text)
        except ValueError:
            return zlib.crc32(text.encode())
    return rng


def _read(column: str, model: DashboardModel) -> float | str:
    """Reporter: one dashboard column from the policy or the baseline run's current row."""
    if column == "date":
        return model.policy.recorder.row["date"]
    run = model.baseline if column.endswith("_baseline") else model.policy
    return run.recorder.row[SERIES[column.removesuffix("_baseline")]]


class DashboardModel(mesa.Model):
    """The picked scenario with the levers applied, paired with its no-policy baseline under the same seed.

    Attributes:
        plan: The scenario as run (levers applied), or ``None`` if it failed to load. (Not ``scenario``: Mesa 3.5
            reserves ``Model.scenario`` and a ``scenario`` keyword for its own experimental ``Scenario``.)
        policy: The policy run (``EcosystemModel``).
        baseline: ``without_policy(plan)`` under the same seed.
        overrides: The dotted overrides the levers wrote.
        notes: Remarks on levers that were ignored or limited.
        error: The message when the scenario or an override is invalid (then nothing runs).
    """

    def __init__(
        self,
        scenario_name: str = "xianning-2021",
        *,
        rng: Any = DEFAULT_SEED,
        pool_size_wan: float | None = None,
        pool_coverage: float | None = None,
        interest_subsidy_share: float | None = None,
        guarantee_fee_rate: float | None = None,
        fee_subsidy_share: float | None = None,
        g4321: bool | None = None,
        npl_tolerance: float | None = None,
        downturn: bool | None = None,
    ) -> None:
        """Load ``scenario_name``, apply the levers, build both runs with seed ``rng``.

        Args:
            scenario_name: A bundled scenario name (``sim.scenario.bundled_names()``) or a YAML path. Mesa 3.5's
                SolaraViz passes its own ``Scenario`` object as ``scenario=`` on Reset to any model whose
                constructor takes that keyword, so the picker's keyword has another name.
            rng: Seed of both runs (an int; text from the page is parsed, or hashed if not a number).
            pool_size_wan: See ``LEVERS``; ``None`` leaves the scenario's value.
            pool_coverage: See ``LEVERS``.
            interest_subsidy_share: See ``LEVERS``.
            guarantee_fee_rate: See ``LEVERS``.
            fee_subsidy_share: See ``LEVERS``.
            g4321: See ``LEVERS``.
            npl_tolerance: See ``LEVERS``.
            downturn: See ``LEVERS``.
        """
        seed = _seed(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.levers = {
            "pool_size_wan": pool_size_wan,
            "pool_coverage": pool_coverage,
            "interest_subsidy_share": interest_subsidy_share,
            "guarantee_fee_rate": guarantee_fee_rate,
            "fee_subsidy_share": fee_subsidy_share,
            "g4321": g4321,
            "npl_tolerance": npl_tolerance,
            "downturn": downturn,
        }
        self.scenario_name = str(scenario_name)
        self.plan: Scenario | None = None
        self.overrides: dict[str, Any] = {}
        self.notes: list[str] = []
        self.error: str | None = None
        self.policy = self.baseline = None
        self.datacollector = mesa.DataCollector(
            model_reporters={c: partial(_read, c) for c in ("date", *SERIES, *(f"{k}_baseline" for k in SERIES))}
        )
        try:
            loaded = load_scenario(self.scenario_name)
            self.overrides, self.notes = lever_overrides(loaded, **self.levers)
            self.plan = loaded.with_overrides(self.overrides, source="dashboard levers")
        except ScenarioError as e:
            self.error = str(e)
            self.running = False
            return
        from sim.model import EcosystemModel

        self.policy = EcosystemModel(self.plan, rng=seed)
        self.baseline = EcosystemModel(without_policy(self.plan), rng=seed)
        self.datacollector.collect(self)
        self.running = self.policy.running and self.policy.steps < self.policy.horizon

    @property
    def start(self) -> YearMonth | None:
        """The scenario's first month (row 0 of the series is the state as it opens)."""
        return self.plan.start_month if self.plan else None

    def when(self, row: int | None = None) -> str:
        """The label of series row ``row`` (default: the latest): ``"2021-08 start"`` for row 0, the state as the
        plan's first month opens, then ``"2021-08 end"``, ``"2021-09 end"``, … for the months simulated.
        """
        row = self.steps if row is None else row
        if self.start is None:
            return ""
        return f"{self.start} start" if row == 0 else f"{self.start.plus(row - 1)} end"

    def step(self) -> None:
        """One month of both runs, then collect the paired row."""
        if self.policy is None or not self.running:
            self.running = False
            return
        self.policy.step()
        self.baseline.step()
        self.datacollector.collect(self)
        self.running = self.policy.steps < self.policy.horizon


def model_params(scenarios: list[str], default: str) -> dict[str, dict[str, Any]]:
    """Mesa ``SolaraViz`` ``model_params``: the scenario picker, the seed and one control per lever.

    Controls start at the default scenario's own values (``scenario_lever_values``). Mesa's generic page passes
    every control to the model, so a lever acting on items with different values would set them all to the
    first one's; the techfin page (``experiments/dashboard/app.py``) passes only the controls a planner moved.

    Args:
        scenarios: Names offered by the picker.
        default: The picker's starting scenario.

    Returns:
        A mapping of keyword → input spec (``{"type", "value", "label", ...}``) for ``DashboardModel``.
    """
    values = scenario_lever_values(load_scenario(default))
    params: dict[str, dict[str, Any]] = {
        "scenario_name": {"type": "Select", "value": default, "values": scenarios, "label": "情景 Scenario"},
        "rng": {"type": "InputText", "value": str(DEFAULT_SEED), "label": "随机种子 Seed (both runs)"},
    }
    params.update({key: control(key, values[key]) for key in LEVERS})
    return params


__all__ = [
    "LEVERS",
    "SERIES",
    "DashboardModel",
    "Lever",
    "control",
    "lever_overrides",
    "model_params",
    "scenario_lever_values",
]
