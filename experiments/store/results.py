"""The results store: one folder per experiment, written as runs finish and safe against a kill.

Layout of an experiment folder:

- ``manifest.json``: what was run and with what (see ``experiments.store.provenance``);
- ``plan.parquet``: every planned run (run_id, scenario, replicate, seed, months, ``param.<name>`` columns and
  the run's overrides as JSON), written before the first run starts, so ``--resume`` knows what is missing;
- ``scenarios.json``: the validated content of each scenario, so a resumed run uses exactly the same inputs;
- ``parts/``: what each batch of runs wrote (``experiments.store.parts``): ``<name>.runs.parquet`` (status, error, wall
  time and outcomes of each run) and, when series are kept, ``<name>.series.parquet`` written before it, by the
  worker that ran the batch; each file is written to a temporary name and moved into place with ``os.replace``,
  so a kill -9 leaves whole files or none; a runs part marks its batch done. ``parts/.study`` holds the folder's
  token (a worker writes only into a folder holding it);
- ``runs.parquet``, ``outcomes.parquet``, ``series.parquet``: the parts consolidated (``experiments.store.consolidate``:
  as batches finish, on resume, or by ``ResultStore.consolidate``).

Every file name and table layout is in the folder schema, ``experiments.store.folder``.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.store import folder as schema
from experiments.store import parts


class StoreError(Exception):
    """A folder that is not an experiment folder, or one that cannot be created."""


atomic_write_bytes = parts.atomic_write_bytes


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
        store.token  # noqa: B018 - written now, before any worker looks for it
        atomic_write_json(store.folder / schema.SCENARIOS, scenarios)
        tmp = store.folder / "plan.parquet.tmp"
        plan.to_parquet(tmp, index=False)
        os.replace(tmp, store.folder / schema.PLAN.file)
        atomic_write_json(store.folder / schema.MANIFEST, manifest)
        return store

    @classmethod
    def open(cls, folder: Path | str) -> ResultStore:
        """Open an existing experiment folder; remove temporary files a kill may have left."""
        store = cls(folder)
        if not (store.folder / schema.MANIFEST).exists() or not (store.folder / schema.PLAN.file).exists():
            raise StoreError(f"{store.folder}: not an experiment folder (no manifest.json / plan.parquet)")
        store.parts.mkdir(exist_ok=True)
        parts.clean(store.parts)
        return store

    def check_integrity(self) -> None:
        """Before a resume: the stored scenarios are the ones the manifest recorded (by digest). (The runner also
        checks that a function model the manifest names is one this project allows.)

        Raises:
            StoreError: naming what was changed.
        """
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

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as stored.

        Raises:
            StoreError: when it is not readable JSON or not a mapping.
        """
        return read_mapping(self.folder / schema.MANIFEST)

    def update_manifest(self, **fields: Any) -> None:
        """Add or replace manifest fields."""
        atomic_write_json(self.folder / schema.MANIFEST, self.manifest | fields)

    def plan(self) -> pd.DataFrame:
        """The planned runs."""
        return schema.PLAN.read(self.folder)

    def scenarios(self) -> dict[str, Any]:
        """Validated content of each scenario, by key."""
        return json.loads((self.folder / schema.SCENARIOS).read_text(encoding="utf-8"))

    @property
    def token(self) -> str:
        """The folder's token (``parts/.study``), made on first use: workers write their parts only into a
        folder holding the token of the study they run."""
        path = self.parts / parts.TOKEN_FILE
        if not path.exists():
            atomic_write_bytes(path, uuid.uuid4().hex.encode())
        return path.read_text(encoding="utf-8").strip()

    # ---- parts ---------------------------------------------------------------------------------------------
    def batches(self) -> list[str]:
        """Names of the finished batches in ``parts/``."""
        return parts.names(self.parts)

    def done(self, retry_failed: bool = False) -> set[int]:
        """Plan indices already recorded (without the failed ones when ``retry_failed``)."""
        out: set[int] = set()
        for name in self.batches():
            t = parts.read_status(self.parts, name).to_pydict()
            out.update(i for i, s in zip(t["index"], t["status"], strict=True) if s == "ok" or not retry_failed)
        return out

    def consolidate(self) -> dict[str, int]:
        """Write runs.parquet, outcomes.parquet and (if parts have series) series.parquet from the parts."""
        from experiments.store.consolidate import Consolidator

        return Consolidator(self, self.batches()).finish()

    # ---- reading -------------------------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """A consolidated table (``runs``, ``outcomes``, ``series``) or an analysis table by stem, checked against
        the folder schema."""
        return schema.TABLES[name].read(self.folder)

    def has(self, name: str) -> bool:
        """Whether ``<name>.parquet`` exists."""
        return (self.folder / f"{name}.parquet").exists()


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
