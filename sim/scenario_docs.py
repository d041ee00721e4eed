"""The "What each scenario contains" section of ``scenarios/README.md`` (``sim/docs.py``): each bundled
scenario's population (with the source of its firm count), institutions, instruments and targets, with the
dotted names a user overrides them by."""

from __future__ import annotations

from typing import Any

import yaml

from sim.docs_tables import table
from sim.scenario import SCENARIO_DIR, Scenario, bundled_names, load_scenario


def _count_note(name: str) -> str:
    """The comment on a bundled file's ``initial_count`` line (its source or stated estimate), or on that of the
    scenario it extends; else ''."""
    text = (SCENARIO_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        key, _, comment = line.partition("#")
        if key.strip().startswith("initial_count:"):
            return comment.strip()
    base = (yaml.safe_load(text) or {}).get("extends")
    return _count_note(base) if isinstance(base, str) and base in bundled_names() else ""


def _names(items: list[Any], path: str) -> str:
    return ", ".join(f"`{path}.{x.name}`" for x in items) or "—"


def _shares(p: Any) -> str:
    return " / ".join(f"{k} {v:g}" for k, v in p.shares.model_dump().items() if v > 0)


def scenario_contents(name: str) -> str:
    """One bundled scenario: population, institutions, instruments and targets, with the dotted names that
    override them (``--set PATH=VALUE``)."""
    s = load_scenario(name)
    e, g = s.enterprises, s.government
    note = _count_note(name)
    lines = [
        f"### `{name}`\n",
        f"{s.source or s.title}. {s.start} + {s.horizon_months} months.\n",
        f"- **Population**: {e.initial_count:,} firms (`enterprises.initial_count`"
        + (f"; {note}" if note else "")
        + f"), {e.entry_per_month:g} entering a month (`enterprises.entry_per_month`); shrink it consistently"
        " with `--scale` (`enterprises.scale`).",
        f"- **Banks**: {_names(s.banks, 'banks')}",
        f"- **Guarantors**: {_names(s.guarantors, 'guarantors')}",
        f"- **Insurers**: {_names(s.insurers, 'insurers')}",
        (
            f"- **Special fund**: {g.annual_budget_wan:,.0f}万 a year (`government.annual_budget_wan`), subsidies"
            " `government.subsidies.*`"
        ),
        f"- **Pools**: {_names(g.pools, 'government.pools')}",
    ]
    if s.macro.shocks:
        shocks = ", ".join(f"`macro.shocks.{i}` from {x.start}" for i, x in enumerate(s.macro.shocks))
        lines.append(f"- **Shocks**: {shocks}")
    lines.append("")
    rows = [[f"`products.{p.name}`", _shares(p), ", ".join(p.banks)] for p in s.products]
    lines.append(table(["product (override path)", "loss shares", "banks"], rows))
    lines.append(_targets_table(s) if s.targets else "No numeric targets.\n")
    return "\n".join(lines)


def _targets_table(s: Scenario) -> str:
    """The scenario's targets, each with its override path, clause, metric, date, condition and verdict."""
    rows = [
        [
            f"`targets.{i}`",
            t.clause,
            t.label,
            f"`{t.metric}`" if t.metric else "—",
            t.date,
            _condition(t),
            f"out of scope: {t.out_of_scope}" if t.out_of_scope else "scored",
        ]
        for i, t in enumerate(s.targets)
    ]
    return table(["target", "clause", "label", "metric", "date", "condition", "verdict"], rows)


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"


def _condition(t: Any) -> str:
    """'>= 10,000 over 12 months', '< 0 change since 2022-07 (mean of 12 months)', '>= 60 (offset 35)'."""
    text = f"{t.op} {_num(t.threshold)}"
    if t.window_months:
        text += f", {'mean' if t.window_stat == 'mean' else 'sum'} of {t.window_months} months"
    if t.base_date:
        text += f", change since {'the start' if t.base_date == 'start' else t.base_date}"
    return text + (f" (offset {_num(t.offset)})" if t.offset else "")


def contents_section() -> str:
    """Every bundled scenario's instruments and targets."""
    intro = (
        "## What each scenario contains\n\nThe instruments and targets of each bundled scenario, with the"
        " dotted names to override them (`--set products.tech-pool-loan.interest_subsidy_share=0.4`,"
        " `--set targets.2.threshold=5000`). A target is scored met or missed, not reached (dated after the"
        " run's end) or out of scope (the model lacks what it measures; the reason is given).\n"
    )
    return intro + "\n" + "\n".join(scenario_contents(n) for n in bundled_names())
