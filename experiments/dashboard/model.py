"""The dashboard's model: a scenario with the levers applied, and its no-policy baseline under the same seed.

``DashboardModel`` is a ``mesa.Model`` whose keyword parameters are the page's controls. It builds two
``EcosystemModel`` runs with the same seed (``sim.runs.paired_models``, the pairing every paired run uses) — the
picked scenario with the levers applied, and ``without_policy`` of that same scenario (the region with plain bank
credit and no public money) — steps both each month and collects their series side by side (``credit_balance``
and ``credit_balance_baseline``, ...).

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
from functools import partial
from typing import Any

import mesa

from experiments.dashboard.levers import LEVERS, Lever, control, scenario_lever_values
from experiments.dashboard.overrides import lever_overrides
from sim.calendar import YearMonth
from sim.scenario import Scenario, ScenarioError, load_scenario

DEFAULT_SEED = 2017

# Dashboard column → monthly metric of EcosystemModel (sim.reporters.METRICS); each also gets a _baseline column.
SERIES: dict[str, str] = {
    "credit_balance": "tech_loan_balance_wan",
    "pool_balance": "pool_balance_wan",
    "npl_ratio": "npl_ratio",
    "fiscal_spending": "fiscal_spending_wan",
    "fiscal_spending_cum": "fiscal_spending_cum_wan",
}


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
        from sim.runs import paired_models

        self.policy, self.baseline = paired_models(self.plan, seed)
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

    def target_verdicts(self) -> list[dict[str, Any]]:
        """The plan's targets scored on the months run so far (``sim.targets``): met, missed, not reached (dated
        after the month shown) or out of scope."""
        if self.policy is None:
            return []
        from sim.targets import check_targets

        table = self.policy.datacollector.get_model_vars_dataframe()
        monthly = table.iloc[1:].rename(columns={"date": "month_label"})
        return check_targets(self.policy.s.targets, monthly, table.iloc[0], self.policy.scale)

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
