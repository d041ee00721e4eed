"""Read a run folder or an experiment folder into one object, as the folder schema (``experiments.store.folder``) lays
it out; absent optional files are simply absent, a file that lacks a column of the schema is refused.

A run folder (``techfin run``) has ``monthly.parquet``, ``summary.json``, ``scenario.json`` and
``provenance.json`` and no manifest; an experiment folder has ``manifest.json`` (its ``kind``) and the tables of
its kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.store import folder as schema
from sim import metrics

FAN_METRICS: tuple[str, ...] = metrics.shown_in("fan")
"""The monthly series the report draws as fan charts (the registry's ``fan`` place)."""
HEADLINE: tuple[str, ...] = metrics.shown_in("headline")
"""Outcomes a report shows when the manifest does not name its ``metrics`` (experiments record dozens)."""


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
    provenance: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    """Scenario key → its name in the report's language (``experiments.report.names.localise``)."""
    params: dict[str, str] = field(default_factory=dict)
    """``param.<name>`` column → the parameter's label in the report's language."""
    title: str = ""
    """What the report is about, in the report's language (set by ``localise``)."""

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
        """The baseline scenario of a comparison, if any (by its label once localised)."""
        b = self.manifest.get("baseline")
        return self.labels.get(str(b), str(b)) if b else None

    def report_metrics(self, available: list[str]) -> list[str]:
        """The metrics to show: the manifest's ``metrics``, else the headline outcomes, among ``available``."""
        named = [str(m) for m in self.manifest.get("metrics") or [] if str(m) in available]
        return named or [m for m in HEADLINE if m in available] or available[:8]

    @cached_property
    def stored_scenarios(self) -> dict[str, Any]:
        """The validated scenarios an experiment ran (``scenarios.json``), by key."""
        return _json(self.folder / schema.SCENARIOS) if self.kind != "run" else {}

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


KINDS = schema.KINDS


def _json(path: Path) -> dict[str, Any]:
    from experiments.store.results import StoreError, read_mapping

    if not path.is_file():
        return {}
    try:
        return read_mapping(path)
    except StoreError as e:
        raise ReportInputError(str(e)) from None


def _read(spec: schema.TableSpec, folder: Path) -> pd.DataFrame:
    try:
        return spec.read(folder)
    except schema.FolderError as e:
        raise ReportInputError(str(e)) from None


def load_folder(folder: Path | str) -> ReportData:
    """Read ``folder``.

    Raises:
        ReportInputError: if the folder has neither ``manifest.json`` nor ``monthly.parquet``.
    """
    folder = Path(folder)
    manifest = _json(folder / schema.MANIFEST)
    if not manifest and not (folder / schema.MONTHLY.file).is_file():
        raise ReportInputError(f"{folder}: not a run folder (monthly.parquet) or an experiment folder (manifest.json)")
    kind = str(manifest.get("kind") or "run")
    if kind not in KINDS:
        raise ReportInputError(f"{folder / schema.MANIFEST}: kind {kind!r} is not one of {', '.join(KINDS)}")
    specs = [schema.TABLES[name] for name in schema.KIND_TABLES[kind]]
    tables = {t.stem: _read(t, folder) for t in specs if (folder / t.file).is_file()}
    data = ReportData(
        folder=folder,
        kind=kind,
        manifest=manifest,
        tables=tables,
        summary=_json(folder / schema.SUMMARY),
        scenario=_json(folder / schema.SCENARIO),
        horizon={str(k): int(v) for k, v in _json(folder / schema.HORIZON).items() if v is not None},
        provenance=_json(folder / schema.PROVENANCE),
    )
    data.starts = _starts(data)
    return data


def _starts(data: ReportData) -> dict[str, str]:
    """First simulated month ('YYYY-MM') of each scenario: the run's summary, or the experiment's stored scenarios."""
    if data.kind == "run":
        start = data.summary.get("start") or data.scenario.get("start")
        return {data.name: str(start)[:7]} if start else {}
    return {str(k): str(v["start"])[:7] for k, v in data.stored_scenarios.items() if v.get("start")}


def run_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: runs, completed, failed, and the seeds used."""
    df = runs.assign(_ok=runs["status"] == schema.STATUS_OK)
    g = df.groupby("scenario", sort=False)
    return pd.DataFrame(
        {
            "runs": g.size(),
            "ok": g["_ok"].sum().astype(int),
            "failed": g.size() - g["_ok"].sum().astype(int),
            "seeds": g["seed"].apply(lambda s: sorted(pd.unique(s).tolist())),
        }
    ).reset_index()
