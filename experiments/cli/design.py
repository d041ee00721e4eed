"""``techfin design``: the designs that give most for public money while keeping risks acceptable (see
``experiments.design``)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd  # imported inside the command: `techfin --help` stays light

from experiments.cli.options import Command, add_report, maybe_report, parse_sets, registrar, whole
from experiments.errors import UserError

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _design_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("space", nargs="?", help="parameter-space YAML whose levers are searched (bundled name or path)")
    p.add_argument(
        "--objective",
        action="append",
        metavar="EXPR",
        help="`max MEASURE` or `min MEASURE`, e.g. 'max mean(credit_per_public_wan)' (repeatable; default:"
        " credit per public 万, P(pool_depleted), net public cost, share of targets met)",
    )
    p.add_argument(
        "--constraint",
        action="append",
        metavar="EXPR",
        help="chance constraint, e.g. 'P(pool_depleted) <= 0.1' or 'P(targets_met) >= 0.8' (repeatable)",
    )
    p.add_argument(
        "--sampler", choices=("nsga2", "nsga3"), default="nsga2", help="Optuna's NSGA-II (default) or NSGA-III"
    )
    p.add_argument(
        "--population",
        type=whole(4, 10_000, "from 4 to 10,000"),
        default=16,
        help="candidates per generation (default 16)",
    )
    p.add_argument(
        "--generations",
        type=whole(1, 100_000, "at least 1"),
        default=8,
        help="generations the search should have (default 8)",
    )
    p.add_argument(
        "--samples",
        type=whole(1, 10_000, "from 1 to 10,000"),
        default=8,
        help="samples of the uncertainties (default 8)",
    )
    p.add_argument(
        "--replicates",
        type=whole(1, 10_000, "from 1 to 10,000"),
        default=2,
        help="seeds per uncertainty sample (default 2)",
    )
    p.add_argument(
        "--seed",
        type=whole(0, 2**63 - 1, "a seed is a whole number from 0 to 2^63 − 1"),
        default=2017,
        help="master seed (default 2017)",
    )
    p.add_argument(
        "--months",
        type=whole(1, 600, "months run from 1 to 600"),
        default=None,
        help="months simulated (default: the space's or the base's)",
    )
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a base-scenario field (repeatable)")
    p.add_argument("--out", default=None, help="output folder (default: results/<timestamp>_design_<space>)")
    p.add_argument("--resume", default=None, metavar="DIR", help="continue the search in DIR (to --generations)")
    p.add_argument("--workers", type=whole(1, 1024, "at least 1"), default=1, help="local worker processes (default 1)")
    p.add_argument("--dask", default=None, metavar="local|tcp://HOST:PORT", help="run on a Dask cluster")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    add_report(p)


@command("design", _design_args)
def design_cmd(args: argparse.Namespace) -> int:
    """Search the levers of a space for the designs that do most per yuan within chance constraints."""
    from experiments.cli.studies import command_line
    from experiments.design import ExpressionError, build_problem, load_spec, run_design
    from experiments.execution.executors import ExecutorError
    from experiments.output import default_out, output_problem

    if args.resume:
        folder = Path(args.resume)
        if not (folder / "design.json").is_file():
            raise UserError(f"--resume {folder}: not a design folder (no design.json)")
        given = [o for o in ("space", "objective", "constraint", "set", "months") if getattr(args, o)]
        if given:
            raise UserError(
                f"--resume {folder}: the search is stored there; give --resume DIR without {', '.join(given)}"
            )
        spec = load_spec(folder)
    else:
        if not args.space:
            raise UserError("give the parameter-space file whose levers to search (or --resume DIR)")
        spec = _spec(args)
        folder = Path(args.out) if args.out else default_out(f"design_{spec.space.get('name', 'space')}")
        problem_text = output_problem(folder)
        if problem_text:
            raise UserError(
                problem_text + (f" (use --resume {folder} to continue a search)" if folder.exists() else "")
            )
    try:
        problem = build_problem(spec)
    except ExpressionError as e:
        raise UserError(str(e)) from None
    try:
        tables = run_design(
            folder,
            problem,
            args.generations,
            command=command_line(args, "design"),
            workers=args.workers,
            dask=args.dask,
            progress=not args.quiet,
        )
    except ExecutorError as e:
        raise UserError(f"{e}; continue with --resume {folder}") from None
    print(summary(tables, problem, folder))
    maybe_report(args, folder)
    return 0


def _spec(args: argparse.Namespace):
    from experiments.design import DesignSpec
    from experiments.plan.space import load_space

    space, path = load_space(args.space)
    return DesignSpec(
        space=space.model_dump(mode="json"),
        space_file=str(path.resolve()),
        objectives=list(args.objective or []),
        constraints=list(args.constraint or []),
        sampler=args.sampler,
        population=args.population,
        samples=args.samples,
        replicates=args.replicates,
        seed=args.seed,
        months=args.months,
        sets=parse_sets(args.set),
    )


def summary(tables: dict[str, pd.DataFrame], problem, folder: Path) -> str:
    """The Pareto set's size and the recommended designs against the plan, as text."""
    cands, front, rec = tables["candidates"], tables["pareto"], tables["recommended"]
    feasible = int(cands["feasible"].sum()) if len(cands) else 0
    head = f"design {problem.space.name}: {len(cands)} candidates, {feasible} feasible,"
    lines = [f"{head} {len(front)} on the Pareto set → {folder}/"]
    levers = [p.key for p in problem.levers]
    for design, rows in rec.groupby("design", sort=False):
        trial = int(rows["trial"].iloc[0])
        if trial >= 0:
            values = (
                front.set_index("trial").loc[trial]
                if trial in set(front["trial"])
                else cands.set_index("trial").loc[trial]
            )
            lev = ", ".join(f"{k} = {values[f'param.{k}']:.4g}" for k in levers)
        else:
            lev = ", ".join(f"{k} = {problem.plan_levers[k]:.4g}" for k in levers)
        lines.append(f"\n{design} ({lev}):")
        for r in rows.itertuples():
            ci = (
                ""
                if trial < 0 or not math.isfinite(r.ci_low)
                else f"; vs plan {r.diff:+.4g} [{r.ci_low:+.4g}, {r.ci_high:+.4g}]"
            )
            role = r.objective or r.constraint
            lines.append(f"  {r.measure} = {r.value:.4g} ({role}){ci}")
    return "\n".join(lines)
