"""Derived scenarios (counterfactuals, the pre-plan region) are remembered per scenario object: the same object
gives the very same answer, an equal but distinct object an equal one, and the memory stays bounded."""

from __future__ import annotations

from sim import burnin, counterfactual, load_scenario
from sim.counterfactual import without_fiscal, without_policy


def test_counterfactuals_are_remembered_per_scenario_object() -> None:
    s = load_scenario("baseline")
    twin = load_scenario("baseline")
    assert twin is not s and twin == s
    assert without_policy(s) is without_policy(s) and without_fiscal(s) is without_fiscal(s)
    assert without_policy(twin) == without_policy(s) and without_policy(twin) is not without_policy(s)
    pre, digest = burnin._pre_plan_of(s)
    assert burnin._pre_plan_of(s)[0] is pre and digest == burnin.pre_plan(s).digest()
    assert burnin._pre_plan_of(without_policy(s))[1] == digest  # the pair shares one burn-in


def test_remembered_keeps_the_last_few_objects_only() -> None:
    calls: list[int] = []

    @counterfactual.remembered
    def name_of(s):
        calls.append(1)
        return s.name

    scenarios = [load_scenario("baseline", {"horizon_months": 12 + i}) for i in range(counterfactual.KEPT + 2)]
    for s in scenarios:
        name_of(s)
    name_of(scenarios[-1])  # kept
    assert len(calls) == len(scenarios)
    name_of(scenarios[0])  # dropped: computed again
    assert len(calls) == len(scenarios) + 1
