"""The experiment-folder schema: every file a run or experiment folder holds, each table's columns, and which kind
of experiment has which. The store writes these files, the analyses read and write them, the report reads them;
nothing else guesses a folder's layout.

A table is a :class:`TableSpec`: its fixed columns in order, and what other columns may follow (``param.<path>``
parameter columns, metric columns named in the metric registry ``sim.metrics``, or a sweep point's
``<metric>.mean`` / ``.ci_low`` / ``.ci_high``). :meth:`TableSpec.frame` builds a table in that order and
:meth:`TableSpec.read` reads one back, refusing a file that lacks a column with one clear message.

A run's status is ``ok`` or ``failed``; nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATS = ("mean", "ci_low", "ci_high")
"""A sweep point's statistics of each metric: ``<metric>.mean``, ``<metric>.ci_low``, ``<metric>.ci_high``."""
PARAM = "param."
"""Prefix of a parameter column: ``param.<dotted path or parameter name>``."""

MANIFEST = "manifest.json"
SCENARIOS = "scenarios.json"
HORIZON = "horizon.json"
SUMMARY = "summary.json"
SCENARIO = "scenario.json"
PROVENANCE = "provenance.json"


class FolderError(ValueError):
    """A folder's file does not have the layout the schema gives it."""


@dataclass(frozen=True)
class TableSpec:
    """One Parquet table: ``stem`` (the file is ``<stem>.parquet``), its fixed ``columns`` in order, and
    ``extra``: what other columns may follow (``""`` none, ``"param"`` parameter columns, ``"metrics"`` metric
    columns, ``"points"`` parameter and ``<metric>.<stat>`` columns, ``"any"`` a table another module defines)."""

    stem: str
    columns: tuple[str, ...]
    extra: str = ""
    doc: str = ""

    @property
    def file(self) -> str:
        """The file name."""
        return f"{self.stem}.parquet"

    def frame(self, rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
        """Rows as this table, checked to hold every fixed column (no rows at all: the fixed columns only).

        Raises:
            FolderError: a fixed column is missing (a writer and the schema disagree).
        """
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
        if df.empty and not len(df.columns):
            return pd.DataFrame(columns=list(self.columns))
        self.check(df, self.file)
        return df

    def check(self, df: pd.DataFrame, where: str) -> None:
        """Raise :class:`FolderError` naming ``where`` and the missing columns, if any."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise FolderError(f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")

    def read(self, folder: Path) -> pd.DataFrame:
        """The table in ``folder``, checked against the schema.

        Raises:
            FolderError: the file is not readable Parquet or lacks a fixed column.
        """
        path = Path(folder) / self.file
        try:
            df = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises several types for a damaged file
            raise FolderError(f"{path}: not a readable Parquet table ({e.__class__.__name__})") from None
        self.check(df, str(path))
        return df


def stat_column(metric: str, stat: str) -> str:
    """A sweep point's column: ``credit_cagr.mean``."""
    return f"{metric}.{stat}"


def point_metrics(points: pd.DataFrame) -> list[str]:
    """The metrics of a ``points`` table, in column order."""
    return [str(c).removesuffix(".mean") for c in points.columns if str(c).endswith(".mean")]


def param_columns(df: pd.DataFrame) -> list[str]:
    """The ``param.<path>`` columns of a table."""
    return [str(c) for c in df.columns if str(c).startswith(PARAM)]


ID = ("run_id", "scenario", "replicate", "seed")
PLAN = TableSpec("plan", ("index", *ID, "months", "overrides"), "param", "every planned run, written first")
RUNS = TableSpec("runs", (*ID, "status", "error", "wall_s"), "param", "every finished run and how it ended")
OUTCOMES = TableSpec("outcomes", ("run_id",), "metrics", "the outcomes row of each run that ended ok")
SERIES = TableSpec("series", ("run_id", "scenario", "replicate", "month", "date"), "metrics", "monthly series")
STATS_TABLE = TableSpec("stats", ("scenario", "metric", "mean", "ci_low", "ci_high", "sd", "n"))
PAIRED = TableSpec("paired", ("scenario", "baseline", "metric", "mean_diff", "ci_low", "ci_high", "n"))
BANDS = TableSpec("bands", ("scenario", "month", "date", "metric", "median", "p10", "p90"))
SURVIVAL = TableSpec("survival", ("scenario", "entity", "month", "survival", "ci_low", "ci_high", "at_risk", "events"))
DEPLETION_BY_YEAR = TableSpec("depletion_by_year", ("scenario", "entity", "year", "prob"))
DEPLETION_MEDIAN = TableSpec(
    "depletion_median", ("scenario", "entity", "median_month", "ci_low", "ci_high", "n", "events")
)
BUDGET_BY_YEAR = TableSpec(
    "budget_by_year",
    (
        "scenario",
        "year",
        "months",
        "runs",
        "exhausted",
        "prob",
        "ci_low",
        "ci_high",
        "median_month",
        "stopped_share_mean",
    ),
    doc="the special fund's budget each year (experiments.analysis.budget)",
)
BUDGET_MONTHS = TableSpec("budget_months", ("scenario", "year", "month", "exhausted_share"))
TARGET = (
    "scenario", "index", "metric", "date", "op", "threshold", "label", "clause", "window_months", "base_date", "offset",
    "state", "reason",
)  # fmt: skip
TARGETS = TableSpec(
    "targets",
    (*TARGET, "successes", "n", "prob", "ci_low", "ci_high", "value_median", "value_p10", "value_p90"),
    "",
    "per plan target: its definition, verdict state (scored, not_reached, out_of_scope), chance met, achieved value",
)
POINTS = TableSpec("points", ("point", "n"), "points", "per design point: parameters, runs, metric mean and CI")
INDICES = TableSpec("indices", ("method", "metric", "parameter"), "any", "S1, S1_conf, ST, ST_conf or mu_star …")
EVIDENCE = TableSpec("evidence", ("check", "claim", "claim_zh", "source", "low", "high", "mean", "passed"), "any")
EVIDENCE_VALUES = TableSpec("evidence_values", ("check", "seed", "value"), "any")
EVIDENCE_CURVES = TableSpec("evidence_curves", ("curve", "series", "x", "value"), "any")
FIT = TableSpec("fit", ("metric", "stat", "observed", "sd", "model_best", "z"), "any")
TRIALS = TableSpec("trials", ("trial", "chi2", "accepted"), "any")
DESIGN_DOC = "a design search's table; its columns are experiments.design's (not fixed here)"
CANDIDATES = TableSpec("candidates", (), "any", DESIGN_DOC)
PARETO = TableSpec("pareto", (), "any", DESIGN_DOC)
RECOMMENDED = TableSpec("recommended", (), "any", DESIGN_DOC)
CONVERGENCE = TableSpec("convergence", (), "any", DESIGN_DOC)
VOI = TableSpec("voi", (), "any", DESIGN_DOC)
MONTHLY = TableSpec("monthly", ("month", "date", "month_label"), "metrics", "a single run's monthly table")
INSTITUTIONS = TableSpec("institutions", (), "any", "a single run's rows per month and institution")

TABLES: dict[str, TableSpec] = {
    t.stem: t
    for t in (
        PLAN, RUNS, OUTCOMES, SERIES, STATS_TABLE, PAIRED, BANDS, SURVIVAL, DEPLETION_BY_YEAR, DEPLETION_MEDIAN,
        BUDGET_BY_YEAR, BUDGET_MONTHS, TARGETS, POINTS, INDICES, EVIDENCE, EVIDENCE_VALUES, EVIDENCE_CURVES, FIT,
        TRIALS, CANDIDATES, PARETO, RECOMMENDED, CONVERGENCE, VOI, MONTHLY, INSTITUTIONS,
    )
}  # fmt: skip

REPLICATED = ("runs", "outcomes", "series", "bands")
#: The tables each kind of folder may hold (a table missing from a folder is simply absent: ``series`` and
#: ``bands`` are kept only when small or asked for, an experiment stopped early has no analyses yet).
KIND_TABLES: dict[str, tuple[str, ...]] = {
    "run": ("monthly", "institutions"),
    "compare": (*REPLICATED, "stats", "paired"),
    "depletion": (*REPLICATED, "survival", "depletion_by_year", "depletion_median", "budget_by_year", "budget_months"),
    "targets": (*REPLICATED, "targets"),
    "sweep": ("runs", "outcomes", "series", "points"),
    "sensitivity": ("runs", "outcomes", "series", "indices"),
    "evidence": ("evidence", "evidence_values", "evidence_curves"),
    "calibration": ("fit", "trials"),
    "design": ("candidates", "pareto", "recommended", "convergence", "voi"),
}
KINDS = tuple(KIND_TABLES)
