"""What a design search is (``design.json`` in its folder) and the problem built from it.

The space's **levers** (``role: lever``) are what the search chooses, each between its bounds; its
**uncertainties** (``role: uncertainty``) are sampled ``samples`` times by a Latin hypercube through their
distributions. Every candidate, and the plan as written, runs the same (uncertainty sample, seed) pairs: sample
s with replicate k gets seed ``replicate_seeds(seed, samples × replicates)[s × replicates + k]`` (common random
numbers, so two designs' difference is not luck). The **plan as written** is the base scenario with no lever
changed (for a function model: every lever at its middle).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from experiments.design.expr import (
    Constraint,
    ExpressionError,
    Objective,
    needs_pairing,
    outcome_checker,
    parse_constraint,
    parse_objective,
)
from experiments.plan.space import Parameter, Space

#: The questions a planner brings (issue 13): credit per yuan, depletion risk, public cost, targets met.
DEFAULT_OBJECTIVES = (
    "max mean(credit_per_public_wan)",
    "min P(pool_depleted)",
    "min mean(net_public_cost_wan)",
    "max mean(targets_share)",
)
LEVER_DISTS = ("unif", "logunif", "triang", "truncnorm")


class DesignSpec(BaseModel):
    """A design search as stored in ``design.json`` (everything a resume needs)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    space: dict[str, Any] = Field(description="The parameter space as validated (``Space.model_dump``).")
    space_file: str | None = None
    objectives: list[str] = Field(default_factory=list, description="Empty: the default objectives.")
    constraints: list[str] = Field(default_factory=list)
    sampler: Literal["nsga2", "nsga3"] = "nsga2"
    population: int = Field(16, ge=4, le=10_000, description="Candidates per generation.")
    samples: int = Field(8, ge=1, le=10_000, description="Samples of the uncertainties.")
    replicates: int = Field(2, ge=1, le=10_000, description="Seeds per uncertainty sample.")
    seed: int = Field(2017, ge=0, lt=2**63)
    months: int | None = Field(None, ge=1, le=600)
    sets: dict[str, Any] = Field(default_factory=dict, description="--set overrides of the base scenario.")
    model: str | None = Field(None, description="A function model 'module:function' run instead of the simulator.")


@dataclass
class Problem:
    """A design search ready to run: levers, uncertainty samples, seeds, measures and the base content."""

    spec: DesignSpec
    space: Space
    levers: list[Parameter]
    uncertainties: list[Parameter]
    objectives: list[Objective]
    constraints: list[Constraint]
    key: str
    content: dict[str, Any] | None
    months: int | None
    unc_values: np.ndarray
    seeds: list[int]
    plan_levers: dict[str, float]
    entry: dict[str, Any] = field(default_factory=dict)

    @property
    def pairs(self) -> int:
        """Runs per candidate: uncertainty samples × replicates."""
        return len(self.seeds)

    @property
    def paired(self) -> bool:
        """Whether each run is paired with the same region without the policy (additionality outcomes)."""
        return self.content is not None and needs_pairing(m.measure for m in (*self.objectives, *self.constraints))

    @property
    def measures(self) -> list:
        """Objective measures then constraint measures (the same measure once)."""
        out = {}
        for m in (*(o.measure for o in self.objectives), *(c.measure for c in self.constraints)):
            out.setdefault(m.text, m)
        return list(out.values())

    def sample_of(self, j: int) -> dict[str, float]:
        """The uncertainties' values of run pair ``j``."""
        s = j // self.spec.replicates
        return {p.key: float(v) for p, v in zip(self.uncertainties, self.unc_values[s], strict=True)}

    def distributions(self) -> dict[str, Any]:
        """Optuna's search space: one distribution per lever."""
        from optuna.distributions import FloatDistribution, IntDistribution

        out = {}
        for p in self.levers:
            lo, hi = p.bounds
            if p.integer:
                out[p.key] = IntDistribution(math.ceil(lo), math.floor(hi), log=p.dist == "logunif")
            else:
                out[p.key] = FloatDistribution(lo, hi, log=p.dist == "logunif")
        return out


def space_problems(space: Space) -> list[tuple[str, str]]:
    """Why ``space`` cannot be searched: no lever, a lever without bounds."""
    out = []
    idx = {p.key: i for i, p in enumerate(space.parameters)}
    levers = [p for p in space.parameters if p.role == "lever"]
    if not levers:
        out.append(("parameters", "no parameter has role: lever; a design search needs at least one lever to choose"))
    for p in levers:
        if p.dist not in LEVER_DISTS or p.bounds is None:
            out.append(
                (
                    f"parameters.{idx[p.key]} ({p.key})",
                    f"a lever needs bounds: the search chooses it between them (dist {p.dist} has none)",
                )
            )
        elif p.integer and math.ceil(p.bounds[0]) > math.floor(p.bounds[1]):
            out.append(
                (f"parameters.{idx[p.key]} ({p.key})", "an integer lever needs a whole number between its bounds")
            )
    return out


def build_problem(spec: DesignSpec) -> Problem:
    """Validate the space for a design search, read the base scenario, parse objectives and constraints.

    Raises:
        ScenarioError: the space file cannot be searched (naming file, field and reason).
        ExpressionError: an objective or constraint cannot be read.
    """
    from experiments.plan.designs import replicate_seeds
    from sim.scenario import ScenarioError

    space = Space.model_validate(spec.space)
    source = spec.space_file or space.name
    problems = space_problems(space)
    if problems:
        raise ScenarioError(source, problems)
    levers = [p for p in space.parameters if p.role == "lever"]
    unc = [p for p in space.parameters if p.role == "uncertainty"]
    if spec.model is not None:
        content, key, months, entry, known, plan = _function_model_base(space)
    else:
        content, key, months, entry, known, plan = _scenario_base(spec, space, levers, source)
    texts = list(spec.objectives) or _defaults(content)
    if not texts:
        raise ExpressionError("--objective: give at least one objective (a function model has no default objectives)")
    objectives = [parse_objective(t, known) for t in texts]
    constraints = [parse_constraint(t, known) for t in spec.constraints]
    seen = [o.measure.text for o in objectives]
    dup = sorted({m for m in seen if seen.count(m) > 1})
    if dup:
        raise ExpressionError(f"--objective: {dup[0]} is an objective twice")
    samples = spec.samples if unc else 1
    return Problem(
        spec=spec,
        space=space,
        levers=levers,
        uncertainties=unc,
        objectives=objectives,
        constraints=constraints,
        key=key,
        content=content,
        months=months,
        unc_values=_uncertainty_samples(unc, samples, spec.seed),
        seeds=replicate_seeds(spec.seed, samples * spec.replicates),
        plan_levers=plan,
        entry=entry,
    )


def _function_model_base(space: Space) -> tuple[None, str, None, dict, Any, dict[str, float]]:
    """What a search over a function model starts from: no scenario, the space's metrics as its outcomes, and
    every lever at its middle as the plan as written."""
    known = outcome_checker(None, None, None, metrics=space.metrics)
    middle = space.scale(np.full((1, len(space.parameters)), 0.5))[0]
    plan = {p.key: v for p, v in zip(space.parameters, middle, strict=True) if p.role == "lever"}
    return None, "model", None, {}, known, plan


def _scenario_base(
    spec: DesignSpec, space: Space, levers: list[Parameter], source: str
) -> tuple[dict[str, Any], str, int, dict[str, Any], Any, dict[str, float]]:
    """What a search over the simulator starts from: the base scenario's content, key, months and manifest entry,
    the outcomes it can produce, and the levers' values in the plan as written.

    Raises:
        ScenarioError: the space has no base scenario, or it cannot be loaded.
    """
    from sim.scenario import ScenarioError, load_scenario

    if space.base is None:
        raise ScenarioError(source, [("base", "a design search over the simulator needs a base scenario")])
    base = load_scenario(space.base, (dict(space.overrides) | dict(spec.sets)) or None)
    content = base.model_dump(mode="json")
    months = int(spec.months or space.months or base.horizon_months)
    known = outcome_checker(
        [p.name for p in base.government.pools], [g.name for g in base.guarantors], len(base.targets)
    )
    plan = {p.key: plan_value(p, content) for p in levers}
    entry = {"name": base.name, "title": base.title, "digest": base.digest(), "horizon_months": base.horizon_months}
    return content, base.name, months, entry, known, plan


def _defaults(content: dict[str, Any] | None) -> list[str]:
    if content is None:
        return []
    has_targets = bool(content.get("targets"))
    return [o for o in DEFAULT_OBJECTIVES if has_targets or "targets" not in o]


def _uncertainty_samples(unc: list[Parameter], samples: int, seed: int) -> np.ndarray:
    """``samples`` Latin-hypercube draws of the uncertainties through their distributions (rows)."""
    if not unc:
        return np.zeros((samples, 0))
    from scipy.stats import qmc

    sub = Space.model_validate({"name": "uncertainties", "parameters": [p.model_dump() for p in unc]})
    return sub.scale(qmc.LatinHypercube(d=len(unc), seed=int(seed)).random(samples))


def plan_value(p: Parameter, content: dict[str, Any]) -> float:
    """The lever's value in the plan as written: read at its path, or (linked paths) the x that reproduces every
    linked value; NaN when the plan is not a member of the lever's family."""
    from scipy.optimize import brentq

    if p.path is not None:
        v = get_dotted(content, p.path)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan
    have = {t: get_dotted(content, t) for t in p.paths or {}}
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in have.values()):
        return math.nan
    lo, hi = p.bounds or (-1e9, 1e9)
    target, value = next(iter(have.items()))
    f = lambda x: p.assignments(x)[target] - value
    grid = np.linspace(lo, hi, 201)
    vals = [f(x) for x in grid]
    x = math.nan
    for a, b, fa, fb in zip(grid[:-1], grid[1:], vals[:-1], vals[1:], strict=True):
        if fa == 0:
            x = float(a)
            break
        if fa * fb < 0:
            x = float(brentq(f, a, b, xtol=1e-12))
            break
    if math.isnan(x) and vals[-1] == 0:
        x = float(hi)
    if math.isnan(x):
        return math.nan
    ok = all(abs(p.assignments(x)[t] - v) <= 1e-9 * (1 + abs(v)) for t, v in have.items())
    return x if ok else math.nan


def get_dotted(content: Any, key: str) -> Any:
    """The value at a dotted path (list items by name or index), or None."""
    node = content
    for part in key.split("."):
        if isinstance(node, list):
            idx = next((i for i, x in enumerate(node) if isinstance(x, dict) and x.get("name") == part), None)
            if idx is None and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                idx = int(part)
            if idx is None:
                return None
            node = node[idx]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node
