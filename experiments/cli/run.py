"""Subcommands of ``techfin``: run, validate, scenarios."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.cli.options import Command, add_common, add_report, maybe_report, registrar, scenario_sets
from experiments.errors import EXIT_USER

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="bundled scenario name (see `techfin scenarios`) or a YAML path")
    add_common(p)
    add_report(p)
    p.add_argument("--no-baseline", action="store_true", help="skip the paired no-policy run (additionality)")


@command("run", _run_args)
def run(args: argparse.Namespace) -> int:
    """Run one scenario; print its summary; write monthly tables and summary.json."""
    from experiments.cli.run_summary import format_summary
    from experiments.output import default_out, staged_dir, write_json, write_table
    from experiments.store import folder
    from experiments.store.provenance import run_provenance
    from sim.runs import run_scenario
    from sim.scale import override_warnings
    from sim.scenario import load_scenario, scenario_warnings

    sets = scenario_sets(args)
    scenario = load_scenario(args.scenario, sets)
    for w in scenario_warnings(scenario) + override_warnings(load_scenario(args.scenario), sets):
        print(f"warning: {args.scenario}: {w}", file=sys.stderr)
    out = Path(args.out) if args.out else default_out(scenario.name)
    with staged_dir(out) as tmp:
        result = run_scenario(scenario, args.seed, args.months, paired=not args.no_baseline)
        write_table(folder.MONTHLY.frame(result.monthly), tmp, folder.MONTHLY.stem)
        write_table(result.institutions, tmp, folder.INSTITUTIONS.stem)
        write_json(result.summary, tmp / folder.SUMMARY)
        write_json(scenario.model_dump(mode="json"), tmp / folder.SCENARIO)
        write_json(run_provenance(scenario.digest()), tmp / folder.PROVENANCE)
    print(format_summary(result.summary))
    print(f"\nwrote {out}/ (monthly, institutions as Parquet and CSV; summary.json, provenance.json)")
    maybe_report(args, out)
    return 0


def _validate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="scenario YAML files or bundled names")


@command("validate", _validate_args)
def validate(args: argparse.Namespace) -> int:
    """Check scenario files; print each problem as `file: field.path: reason`."""
    from sim.scenario import ScenarioError, load_scenario, scenario_warnings

    bad = 0
    for f in args.files:
        try:
            s = load_scenario(f)
            if s.enterprises.csv:
                from sim.firms import read_firms_csv  # pandas and pandera: only for a firms file

                try:
                    read_firms_csv(s.enterprises.csv)
                except (OSError, ValueError) as e:
                    raise ScenarioError(str(f), [("enterprises.csv", str(e))]) from None
        except ScenarioError as e:
            print(str(e))
            bad += 1
            continue
        print(f"{f}: ok ({s.name}, {s.start}, {s.horizon_months} months)")
        for w in scenario_warnings(s):
            print(f"{f}: warning: {w}")
    return EXIT_USER if bad else 0


@command("scenarios", lambda p: None)
def scenarios(args: argparse.Namespace) -> int:
    """List bundled scenarios with their titles and horizons."""
    import yaml

    from sim.scenario import ScenarioError, bundled_names, load_scenario, resolve_scenario

    for name in bundled_names():
        try:
            s = load_scenario(name)
        except ScenarioError as e:
            print(f"{name:28s} INVALID: {e}", file=sys.stderr)
            continue
        raw = yaml.safe_load(resolve_scenario(name).read_text(encoding="utf-8")) or {}
        ext = f" (extends {raw['extends']})" if "extends" in raw else ""
        print(f"{name:28s} {s.start} +{s.horizon_months:3d}m  {s.title}{ext}")
    return 0
