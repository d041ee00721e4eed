"""techfin-sim: an agent-based simulator of a regional sci-tech finance (科技金融) ecosystem.

Public API: ``EcosystemModel``, ``load_scenario``, ``Scenario``, ``RunResult``, ``run_paired``.
"""

from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["EcosystemModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run_paired"]


def __getattr__(name: str):
    if name == "EcosystemModel":
        from sim.model import EcosystemModel

        return EcosystemModel
    if name == "RunResult":
        from sim.result import RunResult

        return RunResult
    if name == "run_paired":
        from sim.runs import run_paired

        return run_paired
    raise AttributeError(name)
