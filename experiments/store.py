"""The results store: one folder per experiment, written as runs finish and safe against a kill.

Layout of an experiment folder:

- ``manifest.json``: what was run and with what (see ``experiments.provenance``);
- ``plan.parquet``: every planned run (run_id, scenario, replicate, seed, months, ``param.<name>`` columns and
  the run's overrides as JSON), written before the first run starts, so ``--resume`` knows what is missing;
- ``scenarios.json``: the validated content of each scenario, so a resumed run uses exactly the same inputs;
- ``parts/``: one record per finished run, ``<index>.json`` (status, error, wall time, outcomes) and, when
  series are kept, ``<index>.series.arrow`` (Arrow IPC) written before it. Each file is written to a temporary name and
  moved into place with ``os.replace``, so a kill -9 leaves either a whole record or none; a record's JSON is
  the marker that the run is done;
- ``runs.parquet``, ``outcomes.parquet``, ``series.parquet``: the parts consolidated (at the end, on resume,
  or by ``ResultStore.consolidate``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.worker import RunOutput

SERIES_ROWS_PER_GROUP = 200_000


class StoreError(Exception):
    """A folder that is not an experiment folder, or one that cannot be created."""


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def atomic_write_json(path: Path, obj: Any) -> None:
    """JSON (UTF-8, readable) written atomically."""
    text = json.dumps(obj, ensure_ascii=False, indent=1, default=str)
    atomic_write_bytes(path, text.encode("utf-8"))


class ResultStore:
    """An experiment folder: plan, scenarios, manifest, run parts and the consolidated tables."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"

    # ---- creating and opening --------------------------------------------------------------------------
    @classmethod
    def create(
        cls, folder: Path | str, manifest: dict[str, Any], plan: pd.DataFrame, scenarios: dict[str, Any]
    ) -> ResultStore:
        """Make a new experiment folder (it must be absent or empty) with its plan, scenarios and manifest."""
        from experiments.output import output_problem

        store = cls(folder)
        problem = output_problem(store.folder)
        if problem:
            hint = " (use --resume to continue it)" if problem.endswith("not empty") else ""
            raise StoreError(problem + hint)
        store.parts.mkdir(parents=True, exist_ok=True)
        atomic_write_json(store.folder / "scenarios.json", scenarios)
        tmp = store.folder / "plan.parquet.tmp"
        plan.to_parquet(tmp, index=False)
        os.replace(tmp, store.folder / "plan.parquet")
        atomic_write_json(store.folder / "manifest.json", manifest)
        return store

    @classmethod
    def open(cls, folder: Path | str) -> ResultStore:
        """Open an existing experiment folder; remove temporary files a kill may have left."""
        store = cls(folder)
        if not (store.folder / "manifest.json").exists() or not (store.folder / "plan.parquet").exists():
            raise StoreError(f"{store.folder}: not an experiment folder (no manifest.json / plan.parquet)")
        store.parts.mkdir(exist_ok=True)
        for tmp in store.parts.glob("*.tmp-*"):
            tmp.unlink(missing_ok=True)
        return store

    def check_integrity(self) -> None:
        """Before a resume: the stored scenarios are the ones the manifest recorded (by digest), and a function
        model named by the manifest is one this project allows (``worker.resolve_model``).

        Raises:
            StoreError: naming what was changed.
        """
        from experiments.worker import resolve_model
        from sim.scenario import ScenarioError, validate

        m = self.manifest
        for key, content in self.scenarios().items():
            want = ((m.get("scenarios") or {}).get(key) or {}).get("digest")
            try:
                got = validate(content, f"{self.folder}/scenarios.json").digest()
            except ScenarioError as e:
                raise StoreError(f"{self.folder}: scenarios.json: {key}: {e.problems[0][1]}") from None
            if want is not None and got != want:
                raise StoreError(
                    f"{self.folder}: scenarios.json: {key} differs from the scenario the experiment started with"
                    " (edited after the start?); resuming would mix two experiments"
                )
        model = (m.get("run") or {}).get("model")
        if model:
            try:
                resolve_model(model)
            except (ValueError, ImportError) as e:
                raise StoreError(f"{self.folder}: manifest.json: {e}") from None

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as stored.

        Raises:
            StoreError: when it is not readable JSON or not a mapping.
        """
        return read_mapping(self.folder / "manifest.json")

    def update_manifest(self, **fields: Any) -> None:
        """Add or replace manifest fields."""
        atomic_write_json(self.folder / "manifest.json", self.manifest | fields)

    def plan(self) -> pd.DataFrame:
        """The planned runs."""
        return pd.read_parquet(self.folder / "plan.parquet")

    def scenarios(self) -> dict[str, Any]:
        """Validated content of each scenario, by key."""
        return json.loads((self.folder / "scenarios.json").read_text(encoding="utf-8"))

    # ---- parts ---------------------------------------------------------------------------------------------
    def write(self, out: RunOutput) -> None:
        """Record one finished run (series first, then the JSON record that marks it done)."""
        if out.series is not None:
            atomic_write_bytes(self.parts / f"{out.index:07d}.series.arrow", out.series)
        record = {
            "index": out.index,
            "run_id": out.run_id,
            "status": out.status,
            "error": out.error,
            "wall_s": out.wall_s,
            "outcomes": out.outcomes,
        }
        atomic_write_bytes(self.parts / f"{out.index:07d}.json", json.dumps(record).encode("utf-8"))

    def records(self) -> list[dict[str, Any]]:
        """Every finished run's record, in plan order."""
        paths = sorted(self.parts.glob("*.json"))
        return [json.loads(p.read_text(encoding="utf-8")) for p in paths]

    def done(self, retry_failed: bool = False) -> set[int]:
        """Plan indices already recorded (without the failed ones when ``retry_failed``)."""
        if not retry_failed:
            return {int(p.name.split(".")[0]) for p in self.parts.glob("*.json")}
        return {r["index"] for r in self.records() if r["status"] == "ok"}

    # ---- consolidation -------------------------------------------------------------------------------------
    def consolidate(self) -> dict[str, int]:
        """Write runs.parquet, outcomes.parquet and (if parts have series) series.parquet from the parts."""
        plan = self.plan().set_index("index", drop=False)
        records = self.records()
        idx = [r["index"] for r in records]
        runs = plan.loc[idx].drop(columns=["index", "overrides", "months"]).reset_index(drop=True)
        runs["status"] = [r["status"] for r in records]
        runs["error"] = [r["error"] for r in records]
        runs["wall_s"] = [float(r["wall_s"]) for r in records]
        write_parquet(runs, self.folder / "runs.parquet")
        ok = [r for r in records if r["status"] == "ok"]
        outcomes = pd.DataFrame.from_records([r["outcomes"] for r in ok])
        outcomes = _tidy_dtypes(outcomes)
        outcomes.insert(0, "run_id", [r["run_id"] for r in ok])
        write_parquet(outcomes, self.folder / "outcomes.parquet")
        n_series = self._consolidate_series(plan, [r["index"] for r in ok])
        return {"runs": len(runs), "ok": len(ok), "failed": len(runs) - len(ok), "series_runs": n_series}

    def _consolidate_series(self, plan: pd.DataFrame, indices: list[int]) -> int:
        paths = [(i, self.parts / f"{i:07d}.series.arrow") for i in indices]
        paths = [(i, p) for i, p in paths if p.exists()]
        if not paths:
            return 0
        final = self.folder / "series.parquet"
        tmp = final.with_name("series.parquet.tmp")
        writer, batch, rows = None, [], 0
        for i, path in paths:
            with pa.memory_map(str(path)) as source:
                t = pa.ipc.open_file(source).read_all()
            row = plan.loc[i]
            n = t.num_rows
            t = t.add_column(0, "replicate", pa.array(np.full(n, int(row["replicate"]), dtype=np.int64)))
            t = t.add_column(0, "scenario", pa.array([str(row["scenario"])] * n, pa.string()))
            t = t.add_column(0, "run_id", pa.array([str(row["run_id"])] * n, pa.string()))
            batch.append(t)
            rows += n
            if rows >= SERIES_ROWS_PER_GROUP:
                writer = _flush(writer, batch, tmp)
                batch, rows = [], 0
        writer = _flush(writer, batch, tmp)
        writer.close()
        os.replace(tmp, final)
        return len(paths)

    # ---- reading -------------------------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """A consolidated table (``runs``, ``outcomes``, ``series``) or an analysis table by stem."""
        return pd.read_parquet(self.folder / f"{name}.parquet")

    def has(self, name: str) -> bool:
        """Whether ``<name>.parquet`` exists."""
        return (self.folder / f"{name}.parquet").exists()


def _flush(writer: pq.ParquetWriter | None, batch: list[pa.Table], path: Path) -> pq.ParquetWriter:
    if not batch:
        return writer if writer is not None else pq.ParquetWriter(path, pa.schema([]))
    table = pa.concat_tables(batch, promote_options="default")
    if writer is None:
        writer = pq.ParquetWriter(path, table.schema)
    writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
    return writer


def _tidy_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans missing in some rows (a target only one scenario has) become nullable booleans."""
    for col in df.columns:
        if df[col].dtype == object:
            present = df[col].dropna()
            if len(present) and all(isinstance(v, (bool, np.bool_)) for v in present):
                df[col] = df[col].astype("boolean")
            else:
                df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def read_mapping(path: Path) -> dict[str, Any]:
    """A JSON file holding a mapping (a manifest, a summary).

    Raises:
        StoreError: naming the file when it cannot be read, is not JSON or is not a mapping.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StoreError(f"{path}: not readable JSON ({e.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path}: expected a mapping")
    return data


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a table atomically (a temporary file moved into place)."""
    tmp = path.with_name(f"{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
