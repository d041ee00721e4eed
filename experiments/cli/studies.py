"""Experiment subcommands of ``techfin``: compare, sweep, sensitivity, depletion, targets.

Each writes an experiment folder (``--out DIR``, default ``results/<YYYYmmdd-HHMMSS>_<kind>_<name>/``) as runs
finish; ``--resume DIR`` continues a stopped one with the settings stored in it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from experiments.cli.options import Command, add_common, add_report, maybe_report, registrar, scenario_sets
from experiments.cli.summary import summary_text
from experiments.errors import UserError

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _execution(p: argparse.ArgumentParser, replicates: int) -> None:
    add_common(p, seed_help="master seed; replicate k of every scenario gets the same seed")
    p.set_defaults(seed=None, default_seed=2017, default_replicates=replicates)  # None: not given (see --resume)
    p.add_argument("--replicates", type=int, default=None, help=f"runs per scenario or point (default {replicates})")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1: serial)")
    p.add_argument(
        "--dask", default=None, metavar="local|tcp://HOST:PORT", help="run on a Dask cluster (docs/cluster.md)"
    )
    p.add_argument("--batch", type=int, default=None, help="runs per task (default: sized from the runs and workers)")
    p.add_argument("--resume", default=None, metavar="DIR", help="continue a stopped experiment folder")
    p.add_argument("--retry-failed", action="store_true", help="with --resume, also re-run failed runs")
    p.add_argument("--series", action="store_true", help="keep every monthly series (kept anyway when small)")
    p.add_argument("--additionality", action="store_true", help="also run each no-policy counterpart (2× time)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    add_report(p)


def _scenarios_args(p: argparse.ArgumentParser, replicates: int) -> None:
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="bundled scenario names or YAML paths")
    _execution(p, replicates)
    p.add_argument(
        "--posterior",
        default=None,
        metavar="FILE",
        help="posterior.yaml of a calibration: replicate k runs accepted parameter set k (cycling), so the bands"
        " carry parameter uncertainty as well as luck",
    )


def _compare_args(p: argparse.ArgumentParser) -> None:
    _scenarios_args(p, 10)
    p.add_argument("--baseline", default=None, help="scenario the others are paired with (default: the first)")
    p.add_argument(
        "--allow-mismatch",
        action="store_true",
        help="compare scenarios of different regions, starts or horizons anyway (warned about in the report)",
    )


def _space_args(p: argparse.ArgumentParser, replicates: int) -> None:
    p.add_argument("space", nargs="?", help="parameter-space YAML (bundled name, e.g. pool-design, or a path)")
    _execution(p, replicates)


def _sweep_args(p: argparse.ArgumentParser) -> None:
    _space_args(p, 1)
    p.add_argument("--design", choices=("grid", "lhs"), default="grid", help="full grid or Latin hypercube")
    p.add_argument("--points", type=int, default=3, help="grid: levels per parameter; lhs: points (default 3)")


def _sensitivity_args(p: argparse.ArgumentParser) -> None:
    _space_args(p, 1)
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol", help="Sobol' indices or Morris")
    p.add_argument("--n", type=int, default=64, help="sobol: base sample N (power of 2); morris: trajectories")
    p.add_argument("--num-levels", type=int, default=4, help="Morris grid levels (default 4)")


@command("compare", _compare_args)
def compare_cmd(args: argparse.Namespace) -> int:
    """Compare scenarios over shared seeds: means, paired differences to a baseline, monthly bands."""
    from experiments import api

    return _run(args, "compare", lambda o: api.compare(_need(args.scenarios), args.replicates, args.baseline, **o))


@command("sweep", _sweep_args)
def sweep_cmd(args: argparse.Namespace) -> int:
    """Run a grid or Latin-hypercube design over a parameter space."""
    from experiments import api

    return _run(args, "sweep", lambda o: api.sweep(_need(args.space), args.design, args.points, args.replicates, **o))


@command("sensitivity", _sensitivity_args)
def sensitivity_cmd(args: argparse.Namespace) -> int:
    """Global sensitivity (Sobol' or Morris) of the space's metrics to its parameters."""
    from experiments import api

    return _run(
        args,
        "sensitivity",
        lambda o: api.sensitivity(
            _need(args.space), args.method, args.n, args.replicates, num_levels=args.num_levels, **o
        ),
    )


@command("depletion", lambda p: _scenarios_args(p, 100))
def depletion_cmd(args: argparse.Namespace) -> int:
    """When do pools, guarantor capital and each year's budget run out? Kaplan–Meier curves, by-year odds."""
    from experiments import api

    return _run(args, "depletion", lambda o: api.depletion(_need(args.scenarios), args.replicates, **o))


@command("targets", lambda p: _scenarios_args(p, 100))
def targets_cmd(args: argparse.Namespace) -> int:
    """Probability of meeting each plan target by its date (Wilson intervals)."""
    from experiments import api

    return _run(args, "targets", lambda o: api.targets(_need(args.scenarios), args.replicates, **o))


def _need(value: Any) -> Any:
    if not value:
        raise UserError("give the scenarios (or space file) to run, or --resume DIR")
    return value


def _run(args: argparse.Namespace, kind: str, launch) -> int:
    from experiments import api
    from experiments.execution.executors import ExecutorError
    from experiments.store.results import StoreError
    from sim.scenario import ScenarioError

    run_opts = {"workers": args.workers, "dask": args.dask, "progress": not args.quiet, "batch": args.batch}
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: must be at least 1")
    if args.batch is not None and args.batch < 1:
        raise UserError(f"--batch {args.batch}: must be at least 1")
    try:
        if args.resume:
            _check_kind(Path(args.resume), kind)
            _check_resume_args(args, Path(args.resume))
            folder = api.resume(args.resume, retry_failed=args.retry_failed, **run_opts)
        else:
            folder = launch(_new_opts(args, kind) | run_opts)
    except ScenarioError:
        raise
    except (ValueError, StoreError) as e:
        raise UserError(str(e)) from None
    except ExecutorError as e:
        print(f"techfin: {e}; continue with --resume", file=sys.stderr)
        return 1
    print(summary_text(folder))
    maybe_report(args, folder)
    return 0


def _new_opts(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    """The options of a new experiment (the defaults of seed and replicates filled in)."""
    args.seed = args.default_seed if args.seed is None else args.seed
    args.replicates = args.default_replicates if args.replicates is None else args.replicates
    if args.months is not None and args.months < 1:
        raise UserError(f"--months {args.months}: must be at least 1")
    return {
        "sets": scenario_sets(args),
        "months": args.months,
        "seed": args.seed,
        "out": args.out,
        "series": args.series,
        "additionality": args.additionality,
        "allow_mismatch": getattr(args, "allow_mismatch", False),
        "posterior": getattr(args, "posterior", None),
        "command": command_line(args, kind),
    }


def _check_resume_args(args: argparse.Namespace, folder: Path) -> None:
    """``--resume DIR`` continues DIR as it was planned: options that would plan something else are refused."""
    m = _manifest(folder)
    problems = []
    if args.set or getattr(args, "scale", None) is not None:
        problems.append("--set/--scale (the stored scenarios are used as they were)")
    if getattr(args, "posterior", None):
        problems.append("--posterior (the stored plan already says each run's parameters)")
    if args.seed is not None and args.seed != m.get("master_seed"):
        problems.append(f"--seed {args.seed} (the folder's master seed is {m.get('master_seed')})")
    if args.replicates is not None and args.replicates != m.get("replicates"):
        problems.append(f"--replicates {args.replicates} (the folder has {m.get('replicates')})")
    horizons = {int(v) for v in (m.get("horizons") or {}).values() if v is not None}
    if args.months is not None and horizons and {args.months} != horizons:
        problems.append(f"--months {args.months} (the folder runs {', '.join(map(str, sorted(horizons)))})")
    given = getattr(args, "scenarios", None) or ([args.space] if getattr(args, "space", None) else [])
    if given:
        from sim.scenario import load_scenario

        names = {load_scenario(g).name for g in given} if getattr(args, "scenarios", None) else set()
        stored = {str(e.get("name", k)) for k, e in (m.get("scenarios") or {}).items()}
        if getattr(args, "space", None) or names - stored:
            runs = ", ".join(sorted(stored)) or "its space"
            problems.append(f"{', '.join(map(str, given))} (the folder runs {runs})")
    if problems:
        raise UserError(f"--resume {folder}: refusing " + "; ".join(problems) + "; give --resume DIR alone")


def command_line(args: argparse.Namespace, kind: str) -> str:
    """The command as typed when run as ``techfin``; otherwise (``main([...])`` from Python) rebuilt from the
    parsed arguments."""
    argv = sys.argv
    if len(argv) > 1 and Path(argv[0]).name in ("techfin", "cli.py", "__main__.py") and argv[1] == kind:
        return shlex.join(["techfin", *argv[1:]])
    words = ["techfin", kind]
    for key, value in vars(args).items():
        if key in ("func", "command") or key.startswith("default_") or value is None or value is False:
            continue
        if key in ("scenarios", "space"):
            words += [str(v) for v in (value if isinstance(value, list) else [value])]
        elif value is True:
            words.append(f"--{key.replace('_', '-')}")
        else:
            for v in value if isinstance(value, list) else [value]:
                words += [f"--{key.replace('_', '-')}", str(v)]
    return shlex.join(words)


def _manifest(folder: Path) -> dict[str, Any]:
    """An experiment folder's manifest, or a clear error."""
    from experiments.store.results import ResultStore, StoreError

    if not (folder / "manifest.json").is_file():
        raise UserError(f"--resume {folder}: not an experiment folder (no manifest.json)")
    try:
        return ResultStore(folder).manifest
    except StoreError as e:
        raise UserError(str(e)) from None


def _check_kind(folder: Path, kind: str) -> None:
    found = _manifest(folder).get("kind")
    if found != kind:
        raise UserError(f"--resume {folder}: it is a {found} experiment; use `techfin {found} --resume {folder}`")
