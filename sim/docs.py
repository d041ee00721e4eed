"""Generate ``scenarios/README.md``, the reference for scenario files, from the schema itself.

The field tables are read from the pydantic models (``Scenario`` and every nested ``Strict`` block, in
``sim.docs_tables``): dotted path (list items shown as ``banks[]``), type with bounds, unit (from the name's
suffix), default and description. The prose above them (file format, ``extends`` and merge rules, overrides,
units, fixed mode, CSV format) is kept as constants in ``sim.docs_text``, the table of bundled scenarios and
what each contains (``sim.scenario_docs``) are read from the YAML files, and the target metrics from the
registry (``sim.metrics``), so the README cannot drift from the code: ``--check`` fails when it has.

Usage::

    python -m sim.docs            # print the markdown
    python -m sim.docs --write    # write scenarios/README.md
    python -m sim.docs --check    # exit 1 if scenarios/README.md is out of date
"""

from __future__ import annotations

import argparse
import sys

import yaml

from sim.docs_tables import field_reference, table
from sim.docs_text import CSV_NOTE, INTRO
from sim.firms import CSV_COLUMNS
from sim.metrics import UNITS, monthly, registry
from sim.scenario import SCENARIO_DIR, bundled_names, load_scenario, resolve_scenario
from sim.scenario_docs import contents_section

README = SCENARIO_DIR / "README.md"


def scenario_table(names: list[str] | None = None) -> str:
    """The bundled scenarios with title, start, horizon, end month and the file each extends."""
    rows = []
    for name in names if names is not None else bundled_names():
        s = load_scenario(name)
        raw = yaml.safe_load(resolve_scenario(name).read_text(encoding="utf-8"))
        base = raw.get("extends", "") if isinstance(raw, dict) else ""
        rows.append(
            [f"`{name}`", s.title, s.start, str(s.horizon_months), str(s.end_month), f"`{base}`" if base else ""]
        )
    header = ["name", "title", "start", "months", "end", "extends"]
    return "## Bundled scenarios\n\n" + table(header, rows)


def metrics_note() -> str:
    """The monthly columns a target's ``metric`` may name: the monthly metrics of the registry (``sim/metrics.py``)
    with their kind, unit and labels."""
    rows = [
        [f"`{m.name}`", m.kind, UNITS[m.unit][0], f"{m.en} / {m.zh}"]
        for m in registry().values()
        if m.name in set(monthly())
    ]
    return (
        "### Target metrics\n\nA target's `metric` is a column of the monthly table (the monthly metrics of "
        "`sim/metrics.py`): a `flow` is summed over the month, a `cumulative` column counts from the start month, "
        "a `stock` is the month-end state.\n\n" + table(["metric", "kind", "unit", "label"], rows)
    )


def render() -> str:
    """The whole README."""
    csv_rows = [[f"`{col}`", meaning] for col, meaning in CSV_COLUMNS.items()]
    parts = [
        INTRO,
        table(["column", "meaning"], csv_rows),
        CSV_NOTE,
        scenario_table(),
        contents_section(),
        field_reference(),
        metrics_note(),
    ]
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


def main(argv: list[str] | None = None) -> int:
    """Print, write or check ``scenarios/README.md``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.docs", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {README}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 if {README} is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        README.write_text(text, encoding="utf-8")
        print(f"wrote {README}")
        return 0
    if args.check:
        current = README.read_text(encoding="utf-8") if README.exists() else ""
        if current != text:
            print(f"{README} is out of date: run `python -m sim.docs --write`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
