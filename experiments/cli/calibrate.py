"""``techfin calibrate``: fit behavioural parameters to observed figures (see ``experiments/calibration``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import Command, registrar
from experiments.errors import UserError
from experiments.output import default_out, output_problem

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _calibrate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="calibration file (YAML); optional with --resume")
    p.add_argument("--trials", type=int, default=60, help="finished trials the study should have (default 60)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--dask", default=None, metavar="ADDR", help="run on a Dask cluster: 'local' or tcp://HOST:PORT")
    p.add_argument("--out", default=None, help="output folder (default: results/<timestamp>_calibrate-<name>)")
    p.add_argument("--resume", default=None, metavar="DIR", help="continue the study in DIR (kept in DIR/study.db)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="report language (default en)")


@command("calibrate", _calibrate_args)
def calibrate_command(args: argparse.Namespace) -> int:
    """Fit behavioural parameters to observed figures (Optuna, common random numbers, resumable)."""
    import yaml

    from experiments.calibration import calibrate, load_calibration
    from experiments.report import write_report

    if args.trials < 1:
        raise UserError(f"--trials {args.trials}: at least 1")
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: at least 1")
    if args.resume:
        folder = Path(args.resume)
        stored = folder / "calibration.yaml"
        if not (folder / "study.db").is_file() or not stored.is_file():
            raise UserError(f"--resume {folder}: not a calibration folder (no study.db and calibration.yaml)")
        cal, base = load_calibration(args.file or stored)
        if args.file and yaml.safe_load(stored.read_text(encoding="utf-8")) != cal.model_dump(mode="json"):
            raise UserError(f"--resume {folder}: {args.file} differs from the calibration stored there")
    else:
        if not args.file:
            raise UserError("a calibration file is needed (or --resume DIR)")
        cal, base = load_calibration(args.file)
        folder = Path(args.out) if args.out else default_out(f"calibrate-{cal.name}")
        if folder.exists() and folder.is_dir():
            raise UserError(f"--out {folder}: already exists (use --resume {folder} to continue a study)")
        problem = output_problem(folder)
        if problem:
            raise UserError(problem)
    fit = calibrate(cal, base, folder, args.trials, workers=args.workers, dask=args.dask)
    for path in write_report(folder, lang=args.lang, fmt="html"):
        print(f"wrote {path}")
    print(f"best fit ({folder / 'best.yaml'}):")
    for r in fit.itertuples():
        band = f"accepted {r.accepted_low:.4g}–{r.accepted_high:.4g}" if r.accepted_low == r.accepted_low else "none"
        print(
            f"  {r.metric} ({r.stat}): observed {r.observed:.4g} ± {r.sd:.4g}, model {r.model_best:.4g}"
            f" (z {r.z:+.2f}; {band})"
        )
    return 0
