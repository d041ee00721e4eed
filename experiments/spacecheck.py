"""Checks of a parameter space against its base scenario, with ``file: field: reason`` messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from experiments.space import Space


def space_problems(e: ValidationError) -> list[tuple[str, str]]:
    """``(field.path, reason)`` for each pydantic error of a space file."""
    out = []
    for err in e.errors():
        path = ".".join(str(x) for x in err["loc"]) or "space"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        out.append((path, msg))
    return out


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
        try:
            base.with_overrides(p.assignments(mid[p.key]), source)
        except ScenarioError as e:
            problems += [(where, f"at its middle value {mid[p.key]:g}: {f}: {r}") for f, r in e.problems]
    if problems:
        raise ScenarioError(source, problems)
