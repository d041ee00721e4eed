"""Part files of an experiment folder: what one batch of runs wrote into ``parts/``.

- ``<name>.runs.parquet``: one row per run of the batch: ``index``, ``run_id``, ``status``, ``error``,
  ``wall_s``, then one ``outcome:<name>`` column per outcome (``experiments.analysis.outcomes``; booleans stay
  booleans, a value a run does not have is NaN or null);
- ``<name>.series.parquet`` (when monthly series are kept): the batch's successful runs' series, one row per run
  and month: ``index``, ``run_id``, ``scenario``, ``replicate``, ``month``, ``date`` and the metrics.

``<name>`` is ``<first index:07d>-<session>``: the plan index of the batch's first run and the session (the
start time of the run or resume, in hex) that ran it. The worker that ran a batch writes its files (or, when it
cannot reach the folder, sends them back and the experiment's process writes them), the series first, each
through a temporary name and ``os.replace``: a kill -9 leaves whole files or none, and a runs part is the marker
that its batch is done. ``parts/.study`` holds the folder's token; a worker writes only where it finds it.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

OUTCOME = "outcome:"
RUNS = ".runs.parquet"
SERIES = ".series.parquet"
TOKEN_FILE = ".study"


def part_name(first_index: int, session: str) -> str:
    """The stem of a batch's part files."""
    return f"{first_index:07d}-{session}"


def encode(outputs: Sequence[Any], tasks: Sequence[Any]) -> tuple[bytes, bytes | None]:
    """The Parquet bytes of a batch's runs part and (if any run kept series) its series part.

    Args:
        outputs: The batch's ``RunOutput`` s, in plan order.
        tasks: The batch's ``RunTask`` s (scenario and replicate of each run), same order.
    """
    cols: dict[str, pa.Array] = {
        "index": pa.array([o.index for o in outputs], pa.int64()),
        "run_id": pa.array([o.run_id for o in outputs], pa.string()),
        "status": pa.array([o.status for o in outputs], pa.string()),
        "error": pa.array([o.error for o in outputs], pa.string()),
        "wall_s": pa.array([float(o.wall_s) for o in outputs], pa.float64()),
    }
    for key in dict.fromkeys(k for o in outputs for k in o.outcomes):  # first appearance, in plan order
        values = [o.outcomes.get(key) for o in outputs]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, bool) for v in present):
            cols[OUTCOME + key] = pa.array(values, pa.bool_())
        else:
            cols[OUTCOME + key] = pa.array([math.nan if v is None else float(v) for v in values], pa.float64())
    series = [_series(o, t) for o, t in zip(outputs, tasks, strict=True) if o.series is not None]
    return to_bytes(pa.table(cols)), to_bytes(pa.concat_tables(series)) if series else None


def _series(out: Any, task: Any) -> pa.Table:
    n = len(out.series["month"])
    head = {
        "index": pa.array([out.index] * n, pa.int64()),
        "run_id": pa.array([out.run_id] * n, pa.string()),
        "scenario": pa.array([task.scenario] * n, pa.string()),
        "replicate": pa.array([task.replicate] * n, pa.int64()),
    }
    return pa.table(head | {k: pa.array(v) for k, v in out.series.items()})


def to_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def can_write(folder: str | None, token: str) -> bool:
    """Whether this process sees the experiment folder holding ``token`` (shared filesystem or same machine)."""
    if not folder or not token:
        return False
    try:
        return (Path(folder) / "parts" / TOKEN_FILE).read_text(encoding="utf-8").strip() == token
    except (OSError, UnicodeDecodeError):
        return False


def write(parts: Path, name: str, runs: bytes, series: bytes | None) -> None:
    """Write a batch's part files: the series first, the runs part (the marker) last."""
    if series is not None:
        atomic_write_bytes(parts / f"{name}{SERIES}", series)
    atomic_write_bytes(parts / f"{name}{RUNS}", runs)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def names(parts: Path) -> list[str]:
    """Stems of the finished batches (those with a runs part), in plan order of their first run."""
    return sorted(p.name.removesuffix(RUNS) for p in parts.glob(f"*{RUNS}"))


def first_index(name: str) -> int:
    """Plan index of the first run of the batch ``name``."""
    return int(name.split("-", 1)[0])


def session(name: str) -> str:
    """The session that ran the batch ``name`` (later sessions sort after earlier ones)."""
    return name.split("-", 1)[1]


def clean(parts: Path) -> None:
    """Remove what a kill may have left: temporary files, and series parts whose batch has no runs part."""
    for tmp in parts.glob("*.tmp-*"):
        tmp.unlink(missing_ok=True)
    done = set(names(parts))
    for series in parts.glob(f"*{SERIES}"):
        if series.name.removesuffix(SERIES) not in done:
            series.unlink(missing_ok=True)


def read(path: Path) -> pa.Table:
    """A part file as a table: read as one Parquet file, on this thread (half the CPU of ``pq.read_table``, which
    goes through the dataset layer and a thread pool: a part is one batch, and the consolidation spreads whole
    files over threads where it reads many)."""
    with pq.ParquetFile(path) as f:
        return f.read(use_threads=False)


def read_status(parts: Path, name: str) -> pa.Table:
    """``index`` and ``status`` of a batch's runs."""
    return pq.read_table(parts / f"{name}{RUNS}", columns=["index", "status"])
