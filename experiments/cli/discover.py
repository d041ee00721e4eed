"""``techfin discover DIR --outcome EXPR``: under which conditions does the outcome happen (PRIM and CART)?

DIR is a sweep, sensitivity or calibration folder: its runs (or trials) vary parameters, the inputs of the
discovery (``param.<name>`` columns that take more than one value). The outcome is a preset or an expression
(``experiments.analysis.discover_outcomes``); the results go to ``DIR/discover/<outcome>/``
(``experiments.analysis.discover_store``) and into the folder's report (``--report``).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd  # imported inside the command: `techfin --help` stays light

from experiments.cli.options import Command, registrar
from experiments.errors import UserError

COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)

KINDS = ("sweep", "sensitivity", "calibration")


def _unit(text: str) -> float:
    v = float(text)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"{text}: a share strictly between 0 and 1")
    return v


def _count(text: str) -> int:
    v = int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text}: a whole number, 0 or more")
    return v


def _discover_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="a sweep, sensitivity or calibration folder")
    p.add_argument("--outcome", help="preset (pool_depleted, budget_before_october, …) or expression (see --list)")
    p.add_argument("--threshold", type=float, default=None, help="the preset's number, or: cases are runs above it")
    p.add_argument("--below", action="store_true", help="with --threshold on an expression: cases are runs below it")
    p.add_argument("--inputs", choices=("all", "levers", "uncertainties"), default="all", help="which parameters")
    pick = p.add_mutually_exclusive_group()
    pick.add_argument("--min-coverage", type=_unit, default=None, help="keep the densest box with this coverage")
    pick.add_argument("--box", type=_count, default=None, metavar="STEP", help="keep this step of the trajectory")
    p.add_argument("--peel-alpha", type=_unit, default=0.05, help="share of runs peeled per step (default 0.05)")
    p.add_argument("--mass-min", type=_unit, default=0.05, help="smallest box, share of runs (default 0.05)")
    p.add_argument("--resamples", type=_count, default=30, help="bootstrap resamples for stability (default 30)")
    p.add_argument("--seed", type=_count, default=0, help="seed of the resamples (default 0)")
    p.add_argument("--depth", type=int, choices=range(1, 7), default=3, help="CART tree depth (default 3)")
    p.add_argument("--list", action="store_true", help="list the presets and the folder's columns, then stop")
    p.add_argument("--report", action="store_true", help="rewrite report.html in the folder")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the summary and report")


@command("discover", _discover_args)
def discover_cmd(args: argparse.Namespace) -> int:
    """Scenario discovery: the input conditions under which an outcome happens (PRIM box, CART leaves)."""
    from experiments.analysis import discover_store
    from experiments.analysis.discover import Settings, discover
    from experiments.analysis.discover_outcomes import PRESETS, OutcomeError, cases, resolve
    from experiments.report.discover_report import summary_text

    folder = Path(args.folder)
    table, inputs, meta = load_runs(folder, args.inputs)
    if args.list:
        print("presets: " + ", ".join([*PRESETS, "target.<i>.missed"]))
        print("inputs: " + ", ".join(inputs))
        print("columns: " + ", ".join(str(c) for c in table.columns))
        return 0
    if not args.outcome:
        raise UserError("give --outcome (a preset or an expression; --list shows them)")
    try:
        outcome = resolve(args.outcome, args.threshold, args.below)
        is_case, known = cases(outcome, table)
    except OutcomeError as e:
        raise UserError(str(e)) from None
    settings = Settings(
        peel_alpha=args.peel_alpha,
        paste_alpha=args.peel_alpha,
        mass_min=args.mass_min,
        min_coverage=args.min_coverage,
        step=args.box,
        resamples=args.resamples,
        seed=args.seed,
        depth=args.depth,
    )
    x = table.loc[known, inputs].rename(columns=lambda c: c.removeprefix("param."))
    try:
        found = discover(x, is_case[known], settings)
    except ValueError as e:
        raise UserError(f"{folder}: {e}") from None
    summary = found.summary | {
        "outcome": {"key": outcome.key, "expr": outcome.expr, "en": outcome.en, "zh": outcome.zh},
        "unknown": int((~known).sum()),
        "created": datetime.now().isoformat(timespec="seconds"),
        **meta,
    }
    tables = {"trajectory": found.trajectory, "box": found.box, "cart": found.cart}
    path = discover_store.write(folder, outcome.key, tables, summary)
    from experiments.report.entities import naming, of_folder

    with naming(of_folder(folder)):  # pools and products by their names in the scenario, not their keys
        print(summary_text(summary, tables, args.lang))
    print(f"→ {path}/")
    if args.report:
        from experiments.cli.options import maybe_report

        maybe_report(args, folder)
    return 0


def load_runs(folder: Path, which: str = "all") -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """The runs (or trials) of a sweep, sensitivity or calibration folder, the input columns that vary, and
    what the summary records about the folder (kind, inputs with their roles and descriptions).

    Raises:
        UserError: for anything that is not such a folder, or one without varied inputs.
    """
    from experiments.store.results import ResultStore, StoreError

    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    if not (folder / "manifest.json").is_file():
        raise UserError(f"{folder}: not an experiment folder (no manifest.json)")
    try:
        m = ResultStore(folder).manifest
        kind = m.get("kind")
        if kind not in KINDS:
            raise UserError(
                f"{folder}: a {kind} experiment; discover needs runs that vary parameters: a sweep, sensitivity or"
                " calibration folder"
            )
        table = _table(folder, kind)
    except StoreError as e:
        raise UserError(str(e)) from None
    roles = _roles(m)
    params = [c for c in table.columns if str(c).startswith("param.") and table[c].nunique(dropna=True) > 1]
    role = {"levers": "lever", "uncertainties": "uncertainty"}.get(which)
    if role is not None:
        params = [c for c in params if roles.get(c.removeprefix("param."), {}).get("role") == role]
    if not params:
        what = role or "parameter"
        raise UserError(f"{folder}: no {what} takes more than one value in these runs: nothing to discover over")
    info = {c.removeprefix("param."): roles.get(c.removeprefix("param."), {}) for c in params}
    return table, params, {"kind": kind, "name": m.get("name"), "inputs": info}


def _table(folder: Path, kind: str) -> pd.DataFrame:
    from experiments.analysis.tables import successful_runs
    from experiments.store.results import ResultStore

    if kind == "calibration":
        path = folder / "trials.parquet"
        if not path.is_file():
            raise UserError(f"{folder}: calibration folder without trials.parquet (not finished?)")
        return _parquet(path)
    store = ResultStore.open(folder)
    if not store.has("outcomes") or not store.has("runs"):
        store.consolidate()
    try:
        return successful_runs(store)
    except Exception as e:  # pyarrow raises several types for a damaged table
        raise UserError(f"{folder}: runs.parquet / outcomes.parquet not readable ({e.__class__.__name__})") from None


def _parquet(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a damaged file
        raise UserError(f"{path}: not a readable Parquet table ({e.__class__.__name__})") from None


def _roles(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Role (lever / uncertainty) and description of each parameter of the folder's space, by name."""
    out = {}
    for p in (manifest.get("space") or {}).get("parameters") or []:
        if isinstance(p, dict):
            name = p.get("name") or p.get("path")
            out[str(name)] = {"role": str(p.get("role", "")), "description": str(p.get("description", ""))}
    return out
