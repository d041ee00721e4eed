"""Checks of a parameter space against its base scenario, with ``file: field: reason`` messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.plan.space import Space


def missing_part(content: dict[str, Any], dotted: str) -> str | None:
    """Why ``dotted`` does not name a field of the scenario content, or None when it does."""
    node: Any = content
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        here = ".".join(parts[:i]) or "the scenario"
        if isinstance(node, list):
            names = [x.get("name") for x in node if isinstance(x, dict)]
            if part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                node = node[int(part)]
            elif part in names:
                node = node[names.index(part)]
            else:
                return f"{here} has no item {part!r} (items: {names or list(range(len(node)))})"
        elif isinstance(node, dict):
            if part not in node:
                return f"{here} has no field {part!r} (fields: {', '.join(sorted(node))})"
            node = node[part]
        else:
            return f"{here} is a value, not a mapping or list"
    return None


def check_against_base(space: Space, source: str) -> None:
    """Raise ScenarioError unless every parameter's paths exist in the base and its middle value validates."""
    from sim.scenario import ScenarioError, load_scenario

    try:
        base = load_scenario(space.base, dict(space.overrides) or None)
    except ScenarioError as e:
        raise ScenarioError(source, [(f"base ({space.base})", f"{p}: {r}") for p, r in e.problems]) from None
    content = base.model_dump(mode="json")
    mid = space.mid()
    problems: list[tuple[str, str]] = []
    from experiments.analysis.outcomes import known_outcome

    problems += [
        (f"metrics.{i}", f"unknown metric {m!r}: not an outcome a run produces (see the outcomes of a run folder)")
        for i, m in enumerate(space.metrics)
        if not known_outcome(m)
    ]
    ends = _ends(space)
    for i, p in enumerate(space.parameters):
        where = f"parameters.{i} ({p.key})"
        targets = list(p.paths) if p.paths is not None else [p.path] if p.path is not None else []
        if not targets:
            problems.append((where, "needs path or paths: the space has a base scenario"))
            continue
        missing = [(t, missing_part(content, t)) for t in targets]
        problems += [(f"{where}.paths.{t}" if p.paths else f"{where}.path", why) for t, why in missing if why]
        if any(why for _, why in missing):
            continue
        for label, value in (("middle", mid[p.key]), *(("lowest", ends[0][p.key]), ("highest", ends[1][p.key]))):
            try:
                base.with_overrides(p.assignments(value), source)
            except (ScenarioError, ValueError) as e:
                reasons = e.problems if isinstance(e, ScenarioError) else [("value", str(e))]
                problems += [(where, f"at its {label} value {value:g}: {f}: {r}") for f, r in reasons]
                break
    if problems:
        raise ScenarioError(source, problems)


def _ends(space: Space) -> tuple[dict[str, float], dict[str, float]]:
    """Each parameter's lowest and highest value: its bounds, or the 0.1% and 99.9% quantiles when unbounded."""
    import numpy as np

    k = len(space.parameters)
    low, high = space.scale(np.array([[0.001] * k, [0.999] * k]))
    keys = [p.key for p in space.parameters]
    lo = {key: float(v) for key, v in zip(keys, low, strict=True)}
    hi = {key: float(v) for key, v in zip(keys, high, strict=True)}
    for p in space.parameters:
        if p.bounds is not None:
            lo[p.key], hi[p.key] = float(p.bounds[0]), float(p.bounds[1])
    return lo, hi
