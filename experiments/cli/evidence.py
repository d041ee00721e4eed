"""``techfin evidence``: run every evidence check and write a folder with its table and report."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cli.options import Command, registrar
from experiments.errors import UserError
from experiments.output import default_out, output_problem

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def _evidence_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quick",
        action="store_true",
        help="2,000 firms, every plan but Jiaxing, 6 seeds; a check passes when its 95%% interval reaches its range "
        "(default: 4,000 firms, all five plans, 16 seeds, the mean must lie in the range)",
    )
    p.add_argument("--seeds", type=int, default=None, help="paired seeds per check (default 6 quick, 16 full)")
    p.add_argument("--check", action="append", metavar="ID", help="run only this check (repeatable), e.g. E1")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--out", default=None, help="output folder (default: results/<timestamp>_evidence)")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="report language (default en)")


@command("evidence", _evidence_args)
def evidence(args: argparse.Namespace) -> int:
    """Check the model against the published evidence and closed-form answers; exit 1 if a check fails."""
    from experiments.evidence import BY_ID, run_evidence
    from experiments.report import write_report

    if args.seeds is not None and args.seeds < 2:
        raise UserError(f"--seeds {args.seeds}: at least 2 (a confidence interval needs two values)")
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: at least 1")
    unknown = sorted(set(args.check or ()) - set(BY_ID))
    if unknown:
        raise UserError(f"--check {', '.join(unknown)}: unknown; checks are {', '.join(BY_ID)}")
    out = Path(args.out) if args.out else default_out("evidence")
    problem = output_problem(out, empty=False) or (f"--out {out}: already exists" if out.exists() else None)
    if problem:
        raise UserError(problem)
    folder, summary = run_evidence(out, quick=args.quick, seeds=args.seeds, workers=args.workers, ids=args.check)
    for path in write_report(folder, lang=args.lang, fmt="html"):
        print(f"wrote {path}")
    width = max(len(c) for c in summary["check"])
    for r in summary.itertuples():
        verdict = "holds" if r.passed else "DOES NOT HOLD"
        print(f"  {r.check:<{width}}  {r.mean:10.4g}  [{r.ci_low:.4g}, {r.ci_high:.4g}]  {verdict}  {r.claim}")
    held = int(summary["passed"].sum())
    mode = "quick" if args.quick else "full"
    print(f"evidence: {held} of {len(summary)} checks hold ({mode}, {int(summary['n'].max())} seeds) — {folder}")
    return 0 if held == len(summary) else 1
