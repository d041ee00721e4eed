"""The ``techfin report`` subcommand: turn a run or experiment folder into a readable report."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import Command, registrar
from experiments.errors import UserError

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="a `techfin run` folder or an experiment folder (with manifest.json)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="report language (default en)")
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("html", "md", "both"),
        default="html",
        help="html: self-contained report.html (default); md: report.md with figures in report_files/; both",
    )


@command("report", _report_args)
def report(args: argparse.Namespace) -> int:
    """Write report.html and/or report.md (figures, tables, findings, provenance) into a result folder."""
    from experiments.report import ReportInputError, write_report

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    try:
        paths = write_report(folder, lang=args.lang, fmt=args.fmt)
    except ReportInputError as e:
        raise UserError(str(e)) from None
    for path in paths:
        print(f"wrote {path}")
    return 0
