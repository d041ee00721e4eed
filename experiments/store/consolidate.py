"""Consolidation of an experiment's part files into ``runs.parquet``, ``outcomes.parquet`` and ``series.parquet``.

Incremental: while the study runs, the experiment's process folds each finished batch in as it arrives: its runs
part is read into memory, and its series are appended to ``series.parquet`` as soon as every batch before it in
plan order has arrived, so at the end only the last batches and two small tables remain to write. The workers
did the heavy part in parallel already (each encoded its own batch as Parquet); parts from an earlier session
(a resume) are read on a thread pool.

A run recorded twice (re-run with ``--retry-failed``, or a batch a Dask worker ran again) counts once: its ok
record, else the one of the latest session. Rows are in plan order; after a resume, each batch's rows follow the
batches before it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.store import parts
from experiments.store.results import write_parquet

if TYPE_CHECKING:
    from experiments.store.results import ResultStore

SERIES_ROWS_PER_GROUP = 200_000
READ_THREADS = min(8, os.cpu_count() or 1)


class Consolidator:
    """Folds finished batches into the experiment's tables.

    Args:
        store: The experiment folder.
        expected: Names of every batch that will be in the folder (those already there and those about to run).
    """

    def __init__(self, store: ResultStore, expected: Iterable[str]) -> None:
        self.store = store
        self.order = sorted(set(expected))
        self.runs: dict[str, pa.Table] = {}
        self.next = 0
        self.written: set[int] = set()
        self.series_runs = 0
        self._writer: pq.ParquetWriter | None = None
        self._batch: list[pa.Table] = []
        self._rows = 0
        self._tmp = store.folder / "series.parquet.tmp"

    def add(self, name: str) -> None:
        """A batch has finished (its part files are in the folder): read it, and stream what is now in order."""
        self.runs[name] = parts.read(self.store.parts / f"{name}{parts.RUNS}")
        self._advance()

    def finish(self) -> dict[str, int]:
        """Write the tables from every batch in ``parts/`` and return the counts of runs, ok, failed and series."""
        present = parts.names(self.store.parts)
        missing = [n for n in present if n not in self.runs]
        with ThreadPoolExecutor(READ_THREADS) as pool:
            tables = pool.map(lambda n: parts.read(self.store.parts / f"{n}{parts.RUNS}"), missing)
            self.runs.update(zip(missing, tables, strict=True))
        self.order = sorted(set(self.order) | set(present))
        self._advance(all_arrived=True)
        self._close_series()
        runs, outcomes = self._tables([n for n in self.order if n in self.runs])
        write_parquet(runs, self.store.folder / "runs.parquet")
        write_parquet(outcomes, self.store.folder / "outcomes.parquet")
        ok = int((runs["status"] == "ok").sum())
        return {"runs": len(runs), "ok": ok, "failed": len(runs) - ok, "series_runs": self.series_runs}

    # ---- runs and outcomes ---------------------------------------------------------------------------------
    def _tables(self, order: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        if not order:
            empty = pd.DataFrame({"index": pd.Series(dtype="int64"), "status": pd.Series(dtype="str")})
            return self._runs_table(empty), pd.DataFrame({"run_id": pd.Series(dtype="str")})
        tables = [
            self.runs[n].append_column("_session", pa.array([parts.session(n)] * len(self.runs[n]))) for n in order
        ]
        df = pa.concat_tables(tables, promote_options="default").to_pandas()
        df["_failed"] = df["status"] != "ok"
        df = df.sort_values(["index", "_failed", "_session"], ascending=[True, True, False], kind="stable")
        df = df.drop_duplicates("index", keep="first").reset_index(drop=True)
        ok = df[~df["_failed"]]
        cols = [c for c in df.columns if c.startswith(parts.OUTCOME)]
        outcomes = _tidy_dtypes(ok[cols].rename(columns=lambda c: c.removeprefix(parts.OUTCOME)).copy())
        outcomes.insert(0, "run_id", ok["run_id"].to_numpy())
        return self._runs_table(df), outcomes.reset_index(drop=True)

    def _runs_table(self, df: pd.DataFrame) -> pd.DataFrame:
        plan = self.store.plan().set_index("index", drop=False)
        runs = plan.loc[df["index"].to_numpy()].drop(columns=["index", "overrides", "months"]).reset_index(drop=True)
        for col in ("status", "error"):
            runs[col] = df[col].to_numpy() if col in df else pd.Series(dtype="str")
        runs["wall_s"] = df["wall_s"].to_numpy(dtype=float) if "wall_s" in df else pd.Series(dtype="float64")
        return runs

    # ---- series --------------------------------------------------------------------------------------------
    def _advance(self, all_arrived: bool = False) -> None:
        while self.next < len(self.order) and (all_arrived or self.order[self.next] in self.runs):
            name = self.order[self.next]
            self.next += 1
            path = self.store.parts / f"{name}{parts.SERIES}"
            if path.exists():
                self._append(parts.read(path))

    def _append(self, table: pa.Table) -> None:
        index = table.column("index").to_numpy()
        fresh = ~np.isin(index, np.fromiter(self.written, np.int64, len(self.written)))
        if not fresh.all():
            table, index = table.filter(pa.array(fresh)), index[fresh]
        self.written.update(np.unique(index).tolist())
        self.series_runs += len(np.unique(index))
        self._batch.append(table.drop_columns(["index"]))
        self._rows += table.num_rows
        if self._rows >= SERIES_ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        table = pa.concat_tables(self._batch, promote_options="default")
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._tmp, table.schema)
        self._writer.write_table(table.cast(self._writer.schema) if table.schema != self._writer.schema else table)
        self._batch, self._rows = [], 0

    def _close_series(self) -> None:
        self._flush()
        if self._writer is None:
            return
        self._writer.close()
        os.replace(self._tmp, self.store.folder / "series.parquet")


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
