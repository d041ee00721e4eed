"""Output folders: where a command writes (``default_out``), whether it may (``output_problem``), and writing
them whole or not at all (``staged_dir``, ``write_table``, ``write_json``). The run summary's text is
``experiments.cli.run_summary``."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


RESULTS = Path(__file__).resolve().parent.parent / "results"


def default_out(name: str) -> Path:
    """``results/<timestamp>_<name>``."""
    return RESULTS / f"{datetime.now():%Y%m%d-%H%M%S}_{name}"


def output_problem(folder: Path, empty: bool = True) -> str | None:
    """Why ``folder`` cannot become a new output folder (None: it can). Checked before any work starts.

    Args:
        folder: The folder to create (or an existing empty one).
        empty: An existing folder must be empty.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return f"--out {folder}: exists and is a file, not a folder"
    if folder.is_dir() and empty and any(folder.iterdir()):
        return f"--out {folder}: folder exists and is not empty"
    parent = folder if folder.is_dir() else folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"--out {folder}: {parent} is a file, so no folder can be made under it"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {folder}: {parent} is not writable (read-only or no permission)"
    return None


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Write into a temporary sibling folder and move it into place only if the block succeeds."""
    final = Path(final)
    problem = output_problem(final)
    if problem:
        from experiments.errors import UserError

        raise UserError(problem)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if final.exists():
        final.rmdir()
    tmp.rename(final)


def write_table(df: pd.DataFrame, folder: Path, stem: str) -> None:
    """Write a table as Parquet and CSV."""
    df.to_parquet(folder / f"{stem}.parquet", index=False)
    df.to_csv(folder / f"{stem}.csv", index=False)


def write_json(obj: Any, path: Path) -> None:
    """JSON with UTF-8 text kept readable."""
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
