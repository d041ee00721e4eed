"""Running a scenario with its paired counterfactuals (additionality, MODEL.md §8.4)."""

from __future__ import annotations

from typing import Any

from sim.model import EcosystemModel
from sim.result import RunResult
from sim.scenario import Scenario, load_scenario, without_fiscal, without_policy


def run_paired(
    scenario: str | Scenario,
    seed: Any,
    months: int | None = None,
    overrides: dict[str, Any] | None = None,
    decompose: bool = True,
) -> RunResult:
    """Run a scenario, the same region without any policy and (``decompose``) the same region with only its free
    regulatory levers, all under the same seed; fill additionality and what public money buys.

    The three runs share the burn-in (the pre-plan region is the same), so they start from the same state.
    """
    s = load_scenario(scenario, overrides)
    result = EcosystemModel(s, rng=seed).run(months)
    base = EcosystemModel(without_policy(s), rng=seed).run(months)
    levers = None
    if decompose and result.summary["net_public_cost_wan"] > 0:
        levers = EcosystemModel(without_fiscal(s), rng=seed).run(months)
    return result.with_baseline(base, levers)
