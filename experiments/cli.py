"""The ``techfin`` command line.

User errors (a bad scenario file, an unknown scenario, a bad ``--set``) print one clear message and exit 2,
with no traceback and no partial output folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from sim.scenario import ScenarioError

EXIT_USER = 2
RESUMABLE = ("compare", "sweep", "sensitivity", "depletion", "targets", "calibrate")


class UserError(Exception):
    """A mistake in the command line or its inputs, reported without a traceback."""


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``["a.b=1", "c=[1, 2]"]`` → ``{"a.b": 1, "c": [1, 2]}`` (values parsed as YAML)."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {item!r}: expected dotted.key=value")
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as e:
            raise UserError(f"--set {item!r}: value is not valid YAML ({e})") from None
    return out


MAX_MONTHS = 600  # the scenario schema's longest horizon


def whole(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high``, else a message saying so."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value}: {what}")
        return value

    return parse


_seed = whole(0, 2**63 - 1, "a seed is a whole number from 0 to 2^63 − 1")
_months = whole(1, MAX_MONTHS, f"months run from 1 to {MAX_MONTHS}")


def add_common(p: argparse.ArgumentParser, seed_help: str = "root seed") -> None:
    """Options every simulation command takes (seed and months checked before any work starts)."""
    p.add_argument("--seed", type=_seed, default=2017, help=f"{seed_help} (default 2017)")
    p.add_argument("--months", type=_months, default=None, help="months to simulate (default: the scenario's horizon)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a scenario field (repeatable)")
    p.add_argument("--out", default=None, help="output folder (default: results/<timestamp>_<name>)")


def add_report(p: argparse.ArgumentParser) -> None:
    """``--report`` / ``--lang``: write the HTML report into the output folder at the end."""
    p.add_argument("--report", action="store_true", help="write report.html into the output folder at the end")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="report language (default en)")


def maybe_report(args: argparse.Namespace, folder: Path) -> None:
    """Write the report when ``--report`` was given."""
    if getattr(args, "report", False):
        from experiments.report import write_report

        for path in write_report(Path(folder), lang=args.lang, fmt="html"):
            print(f"wrote {path}")


COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, setup: Callable[[argparse.ArgumentParser], None]):
    """Register a subcommand: ``setup`` adds its arguments, the decorated function runs it."""

    def wrap(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = (setup, fn)
        return fn

    return wrap


def build_parser() -> argparse.ArgumentParser:
    """The parser with every registered subcommand."""
    from experiments import (
        calibration_commands,  # noqa: F401
        commands,  # noqa: F401 - registers the subcommands
        dashboard_commands,  # noqa: F401
        evidence_commands,  # noqa: F401
        exp_commands,  # noqa: F401
        report_commands,  # noqa: F401
    )

    parser = argparse.ArgumentParser(prog="techfin", description="Simulate sci-tech finance policy designs.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (setup, fn) in COMMANDS.items():
        p = sub.add_parser(name, help=(fn.__doc__ or "").strip().splitlines()[0])
        setup(p)
        p.set_defaults(func=fn)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``techfin`` console script."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage and the reason; --help exits 0
        return e.code if isinstance(e.code, int) else EXIT_USER
    try:
        return int(args.func(args) or 0)
    except ScenarioError as e:
        print(str(e), file=sys.stderr)
    except UserError as e:
        print(f"techfin: {e}", file=sys.stderr)
    except OSError as e:  # a filesystem problem found while working: disk full, a vanished folder, permissions
        where = e.filename or ""
        print(f"techfin: {where}{': ' if where else ''}{e.strerror or e}", file=sys.stderr)
        if getattr(args, "resume", None) is not None or getattr(args, "command", "") in RESUMABLE:
            hint = "finished runs are kept; continue with --resume DIR once the cause is fixed"
            print(f"techfin: {hint}", file=sys.stderr)
    except KeyboardInterrupt:
        print("techfin: interrupted", file=sys.stderr)
        return 130
    return EXIT_USER


if __name__ == "__main__":  # `python -m experiments.cli`: use the registry of the imported module, not __main__'s
    from experiments.cli import main as _main

    sys.exit(_main())
