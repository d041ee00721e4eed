"""The scenarios an experiment reads: loaded under unique keys, checked for comparability, and the parameter sets
of a calibration's posterior applied to them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.store.provenance import scenario_file


def load_scenarios(refs: Sequence[Any], sets: dict[str, Any] | None) -> dict[str, tuple[Any, str | None]]:
    """The scenarios of an experiment by unique key (a name given twice gets ``~2``), each with the file it was
    read from; warns on stderr about overrides the region's scale does not reach."""
    from sim.scale import override_warnings
    from sim.scenario import Scenario, load_scenario

    out: dict[str, tuple[Any, str | None]] = {}
    for ref in refs:
        s = load_scenario(ref, sets or None)
        for w in override_warnings(load_scenario(ref), sets or {}):
            print(f"warning: {s.name}: {w}", file=sys.stderr)
        key, i = s.name, 2
        while key in out:
            key, i = f"{s.name}~{i}", i + 1
        out[key] = (s, None if isinstance(ref, Scenario) else scenario_file(str(ref)))
    return out


def comparability(scenarios: dict[str, Any], months: int | None = None) -> list[str]:
    """How the scenarios of a comparison differ in region (population and its scale), start or horizon; empty
    when a difference between them can only come from their policies and shocks."""
    out = []
    facts = {
        "region": {k: _region(s) for k, s in scenarios.items()},
        "start": {k: s.start for k, s in scenarios.items()},
        "horizon": {k: f"{int(months or s.horizon_months)} months" for k, s in scenarios.items()},
    }
    for what, values in facts.items():
        if len(set(values.values())) > 1:
            out.append(f"{what} (" + ", ".join(f"{k}: {v}" for k, v in values.items()) + ")")
    return out


def _region(s: Any) -> str:
    e = s.enterprises
    size = "CSV firms" if e.csv else f"{e.initial_count:,} firms"
    return f"{size}, {e.entry_per_month:g} entering a month, revenue medians {list(e.monthly_revenue_wan.values())}"


def posterior_sets(file: str | Path | None, loaded: dict) -> tuple[list[dict[str, float]] | None, dict | None]:
    """The accepted parameter sets of a calibration's ``posterior.yaml``, checked against every scenario.

    Raises:
        ValueError: the file is missing or not a posterior, has no sets, or a set does not apply to a scenario.
    """
    if not file:
        return None, None
    import yaml

    from sim.scenario import ScenarioError

    path = Path(file)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ValueError(f"--posterior {path}: cannot be read ({e.__class__.__name__})") from None
    sets = data.get("sets") if isinstance(data, dict) else None
    if not isinstance(sets, list) or not sets or not all(isinstance(s, dict) and "overrides" in s for s in sets):
        raise ValueError(f"--posterior {path}: not a calibration posterior (no accepted parameter sets)")
    overrides = [dict(s["overrides"]) for s in sets]
    for key, (scenario, _) in loaded.items():
        for o in overrides:
            try:
                scenario.with_overrides(o, source=str(path))
            except ScenarioError as e:
                raise ValueError(f"--posterior {path}: does not apply to {key}: {e.problems[0][1]}") from None
    return overrides, {"file": str(path.resolve()), "calibration": data.get("calibration"), "sets": len(overrides)}
