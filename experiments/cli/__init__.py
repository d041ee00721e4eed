"""The ``techfin`` command line: the parser and ``main``; one module per command group, listed in ``GROUPS``.

User errors (a bad scenario file, an unknown scenario, a bad ``--set``) print one clear message and exit 2,
with no traceback and no partial output folder.

Groups: ``run`` (run, validate, scenarios), ``studies`` (compare, sweep, sensitivity, depletion, targets),
``discover``, ``calibrate``, ``design``, ``evidence``, ``report``, ``dashboard``. Each module keeps its commands
in ``COMMANDS``; the parser lists the groups explicitly (nothing registers by import side effect), importing them
only when built.
Command modules import what they need (pandas, pyarrow, the model, Dask, ...) inside the commands, so
``techfin --help`` and ``techfin validate`` start without them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from experiments.errors import EXIT_USER, UserError

RESUMABLE = ("compare", "sweep", "sensitivity", "depletion", "targets", "calibrate", "design")
#: Command modules, in the order ``techfin --help`` lists them.
GROUPS = ("run", "studies", "discover", "calibrate", "design", "evidence", "report", "dashboard")


def commands() -> dict:
    """Every subcommand, name → ``experiments.cli.options.Command``, from the modules of ``GROUPS``."""
    out: dict = {}
    for group in GROUPS:
        module = importlib.import_module(f"experiments.cli.{group}")
        clash = set(out) & set(module.COMMANDS)
        if clash:
            raise RuntimeError(f"command(s) {sorted(clash)} defined twice (experiments.cli.{group})")
        out.update(module.COMMANDS)
    return out


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand of ``GROUPS``."""
    parser = argparse.ArgumentParser(prog="techfin", description="Simulate sci-tech finance policy designs.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, cmd in commands().items():
        p = sub.add_parser(name, help=cmd.summary)
        cmd.setup(p)
        p.set_defaults(func=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``techfin`` console script."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage and the reason; --help exits 0
        return e.code if isinstance(e.code, int) else EXIT_USER
    from sim.scenario import ScenarioError  # here: ``techfin --help`` needs neither pydantic nor numpy

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


__all__ = ["EXIT_USER", "GROUPS", "RESUMABLE", "UserError", "build_parser", "commands", "main"]
