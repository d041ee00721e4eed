"""Read a run folder or an experiment folder into one object; absent optional files are simply absent.

A run folder (``techfin run``) has ``monthly.parquet``, ``summary.json`` and ``scenario.json`` and no manifest;
an experiment folder has ``manifest.json`` (its ``kind``), ``runs.parquet``, ``outcomes.parquet`` and the tables
of its kind. Fan-chart bands are computed from ``series.parquet`` when ``bands.parquet`` is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from experiments.report.sweep import normalise_points
from sim import metrics

TABLES = (
    "runs",
    "outcomes",
    "series",
    "stats",
    "paired",
    "bands",
    "survival",
    "depletion_by_year",
    "depletion_median",
    "budget_by_year",
    "budget_months",
    "targets",
    "points",
    "indices",
    "evidence",
    "evidence_values",
    "evidence_curves",
    "fit",
    "trials",
    "candidates",
    "pareto",
    "recommended",
    "convergence",
    "voi",
    "monthly",
    "institutions",
)
FAN_METRICS: tuple[str, ...] = metrics.shown_in("fan")
"""The monthly series the report draws as fan charts (the registry's ``fan`` place)."""
HEADLINE: tuple[str, ...] = metrics.shown_in("headline")
"""Outcomes a report shows when the manifest does not name its ``metrics`` (experiments record dozens)."""
OK_STATUS = frozenset({"ok", "done", "success", "succeeded", "completed", "complete"})


class ReportInputError(ValueError):
    """The folder is neither a run folder nor an experiment folder."""


@dataclass
class ReportData:
    """Everything a report reads from one folder."""

    folder: Path
    kind: str
    manifest: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    scenario: dict[str, Any] = field(default_factory=dict)
    horizon: dict[str, int] = field(default_factory=dict)
    starts: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` if the folder has it and it has rows."""
        df = self.tables.get(name)
        return df if df is not None and len(df) else None

    @property
    def name(self) -> str:
        """The experiment's name, or the run's scenario."""
        return str(self.manifest.get("name") or self.summary.get("scenario") or self.folder.name)

    @property
    def baseline(self) -> str | None:
        """The baseline scenario of a comparison, if any."""
        b = self.manifest.get("baseline")
        return str(b) if b else None

    def report_metrics(self, available: list[str]) -> list[str]:
        """The metrics to show: the manifest's ``metrics``, else the headline outcomes, among ``available``."""
        named = [str(m) for m in self.manifest.get("metrics") or [] if str(m) in available]
        return named or [m for m in HEADLINE if m in available] or available[:8]

    @cached_property
    def scenarios(self) -> list[str]:
        """Scenario names in the manifest's order, then any others found in the tables."""
        names = [str(s) for s in self.manifest.get("scenarios") or {}]
        if self.kind == "run" and self.summary.get("scenario"):
            names.append(str(self.summary["scenario"]))
        for df in self.tables.values():
            if "scenario" in df.columns:
                names += [str(s) for s in pd.unique(df["scenario"].dropna()) if str(s) not in names]
        return list(dict.fromkeys(names))


KINDS = ("run", "compare", "sweep", "sensitivity", "depletion", "targets", "evidence", "calibration", "design")


def _json(path: Path) -> dict[str, Any]:
    from experiments.store import StoreError, read_mapping

    if not path.is_file():
        return {}
    try:
        return read_mapping(path)
    except StoreError as e:
        raise ReportInputError(str(e)) from None


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as e:  # pyarrow raises several types for a damaged file
        raise ReportInputError(f"{path}: not a readable Parquet table ({e.__class__.__name__})") from None


def load_folder(folder: Path | str) -> ReportData:
    """Read ``folder``.

    Raises:
        ReportInputError: if the folder has neither ``manifest.json`` nor ``monthly.parquet``.
    """
    folder = Path(folder)
    manifest = _json(folder / "manifest.json")
    if not manifest and not (folder / "monthly.parquet").is_file():
        raise ReportInputError(f"{folder}: not a run folder (monthly.parquet) or an experiment folder (manifest.json)")
    kind = str(manifest.get("kind") or "run")
    if kind not in KINDS:
        raise ReportInputError(f"{folder / 'manifest.json'}: kind {kind!r} is not one of {', '.join(KINDS)}")
    tables = {name: _parquet(p) for name in TABLES if (p := folder / f"{name}.parquet").is_file()}
    data = ReportData(
        folder=folder,
        kind=kind,
        manifest=manifest,
        tables=tables,
        summary=_json(folder / "summary.json"),
        scenario=_json(folder / "scenario.json"),
        horizon={str(k): int(v) for k, v in _json(folder / "horizon.json").items() if v is not None},
    )
    if "points" in tables:
        tables["points"] = normalise_points(tables["points"])
    if "bands" not in tables and "series" in tables:
        tables["bands"] = bands_from_series(tables["series"])
    data.starts = _starts(data)
    return data


def bands_from_series(series: pd.DataFrame, metrics: tuple[str, ...] = FAN_METRICS) -> pd.DataFrame:
    """Median and 10–90% band per scenario and month of each metric in ``series`` (the bands.parquet layout)."""
    present = [m for m in metrics if m in series.columns]
    if not present or "scenario" not in series.columns:
        return pd.DataFrame(columns=["scenario", "month", "date", "metric", "median", "p10", "p90"])
    long = series.melt(id_vars=["scenario", "month", "date"], value_vars=present, var_name="metric")
    g = long.groupby(["scenario", "month", "date", "metric"], sort=False)["value"]
    out = pd.concat({"median": g.median(), "p10": g.quantile(0.1), "p90": g.quantile(0.9)}, axis=1)
    return out.reset_index()


def _starts(data: ReportData) -> dict[str, str]:
    """First simulated month ('YYYY-MM') of each scenario, from dated tables or scenario files."""
    if data.kind == "run":
        start = data.summary.get("start") or data.scenario.get("start")
        return {data.name: str(start)[:7]} if start else {}
    out: dict[str, str] = {}
    dated = data.table("bands") if data.table("bands") is not None else data.table("series")
    if dated is not None and {"scenario", "month", "date"} <= set(dated.columns):
        first = dated.sort_values("month").drop_duplicates("scenario")
        for s, month, date in zip(first["scenario"], first["month"], first["date"], strict=True):
            start = pd.Timestamp(date).to_period("M") - (int(month) - 1)
            out[str(s)] = str(start)
    for name, entry in (data.manifest.get("scenarios") or {}).items():
        if name not in out and isinstance(entry, dict) and entry.get("file"):
            start = _scenario_start(data.folder, str(entry["file"]))
            if start:
                out[str(name)] = start
    return out


def _scenario_start(folder: Path, file: str) -> str | None:
    """The ``start`` of a scenario file (YAML or JSON) named in a manifest, resolving ``extends`` if needed."""
    path = Path(file) if Path(file).is_absolute() else folder / file
    if not path.is_file():
        path = Path(file)
    if not path.is_file():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if raw.get("start"):
            return str(raw["start"])[:7]
        from sim.scenario import load_scenario

        return str(load_scenario(path).start)[:7]
    except Exception:  # a start month is a nicety: any failure just leaves it out
        return None


def run_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: runs, completed, failed, and the seeds used."""
    ok = runs["status"].astype(str).str.lower().isin(OK_STATUS) if "status" in runs else True
    df = runs.assign(_ok=ok)
    g = df.groupby("scenario", sort=False)
    return pd.DataFrame(
        {
            "runs": g.size(),
            "ok": g["_ok"].sum().astype(int),
            "failed": g.size() - g["_ok"].sum().astype(int),
            "seeds": g["seed"].apply(lambda s: sorted(pd.unique(s).tolist())) if "seed" in df else None,
        }
    ).reset_index()
