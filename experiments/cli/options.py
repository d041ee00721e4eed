"""What the command modules share: common options, ``--set`` parsing, whole-number checks and registration."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.errors import UserError


@dataclass(frozen=True)
class Command:
    """One subcommand: ``setup`` adds its arguments, ``run`` runs it and returns the exit code."""

    name: str
    setup: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]

    @property
    def summary(self) -> str:
        """The first line of the run function's docstring (the command's help)."""
        return (self.run.__doc__ or "").strip().splitlines()[0]


def registrar(table: dict[str, Command]) -> Callable[..., Callable]:
    """A decorator ``@command(name, setup)`` that adds a command to ``table``, its module's ``COMMANDS``."""

    def command(name: str, setup: Callable[[argparse.ArgumentParser], None]):
        def wrap(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
            table[name] = Command(name, setup, fn)
            return fn

        return wrap

    return command


def scenario_sets(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario overrides of a command line: ``--set`` items and ``--scale`` (``enterprises.scale``)."""
    out = parse_sets(args.set)
    if getattr(args, "scale", None) is not None:
        if "enterprises.scale" in out:
            raise UserError("--scale and --set enterprises.scale: give the scale once")
        out["enterprises.scale"] = args.scale
    return out


def _share(text: str) -> float:
    """An argparse ``type``: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value:g}: the scale is a share of the region, above 0 and at most 1")
    return value


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``["a.b=1", "c=[1, 2]"]`` → ``{"a.b": 1, "c": [1, 2]}`` (values parsed as YAML)."""
    import yaml

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
    p.add_argument(
        "--scale",
        type=_share,
        default=None,
        help="simulate this share (0–1] of the region: firms, entry, institutions' money and amount and count"
        " targets shrink together (enterprises.scale)",
    )
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
