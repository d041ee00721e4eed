"""Running a scenario with its paired no-policy counterfactual (additionality)."""

from __future__ import annotations

from typing import Any

from sim.model import EcosystemModel
from sim.result import RunResult
from sim.scenario import Scenario, load_scenario, without_policy


def run_paired(
    scenario: str | Scenario, seed: Any, months: int | None = None, overrides: dict[str, Any] | None = None
) -> RunResult:
    """Run a scenario and the same region without policy under the same seed; fill additionality."""
    s = load_scenario(scenario, overrides)
    result = EcosystemModel(s, rng=seed).run(months)
    base = EcosystemModel(without_policy(s), rng=seed).run(months)
    return result.with_baseline(base)
