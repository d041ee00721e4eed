"""Running a scenario with its paired counterfactuals (additionality, docs/model.md §7).

The one place a policy run and its same-seed no-policy counterfactual are built: ``techfin run``, the experiment
workers and the dashboard all go through :func:`paired_models` (directly, or through :func:`run_paired` /
:func:`run_scenario`), so the pairing (same seed, ``without_policy`` of the same scenario, a shared burn-in) is
written once.
"""

from __future__ import annotations

from typing import Any

from sim.counterfactual import without_fiscal, without_policy
from sim.model import EcosystemModel
from sim.result import RunResult
from sim.scenario import Scenario, load_scenario


def paired_models(scenario: str | Scenario, seed: Any) -> tuple[EcosystemModel, EcosystemModel]:
    """The policy model and its counterfactual: the same region without any policy (``without_policy``), both
    seeded with ``seed`` so every firm draws the same luck in both (common random numbers). Step them together
    (the dashboard) or run them through (:func:`run_paired`)."""
    s = load_scenario(scenario)
    return EcosystemModel(s, rng=seed), EcosystemModel(without_policy(s), rng=seed)


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
    policy, counterfactual = paired_models(s, seed)
    result = policy.run(months)
    base = counterfactual.run(months)
    levers = None
    if decompose and result.summary["net_public_cost_wan"] > 0:
        levers = EcosystemModel(without_fiscal(s), rng=seed).run(months)
    return result.with_baseline(base, levers)


def run_scenario(
    scenario: str | Scenario, seed: Any, months: int | None = None, paired: bool = True, decompose: bool = True
) -> RunResult:
    """One run of ``scenario`` under ``seed``: with its paired counterfactuals (:func:`run_paired`) when
    ``paired``, else the policy run alone (additionality figures left empty)."""
    if paired:
        return run_paired(scenario, seed, months, decompose=decompose)
    return EcosystemModel(load_scenario(scenario), rng=seed).run(months)
