"""Discovery results in an experiment folder: ``discover/<outcome key>/`` per outcome, swapped in whole.

Each outcome's folder holds ``trajectory.parquet`` (step, phase, coverage, density, mass, res_dim, chosen),
``box.parquet`` (parameter, lower, upper, data_min, data_max, restricted, lower_restricted, upper_restricted,
qp, reproduce_coverage, reproduce_density, resample_lower, resample_upper, resamples), ``cart.parquet`` (leaf,
conditions, runs, cases, density, coverage) and ``summary.json`` (the outcome, counts, the chosen box's
coverage and density, settings). It is written as a whole under a temporary name and moved into place: a kill
leaves the previous result or the new one, never a mix (a kill between the two moves leaves the previous one
under ``.<key>.old-<pid>``, put back by the next read or write).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.store.results import atomic_write_json, read_mapping

TABLES = ("trajectory", "box", "cart")


def _recover(root: Path) -> None:
    for path in sorted(root.glob(".*.old-*")):
        final = root / path.name[1:].rsplit(".old-", 1)[0]
        if final.exists():
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.replace(path, final)
    for path in root.glob(".*.tmp-*"):
        shutil.rmtree(path, ignore_errors=True)


def write(folder: Path, key: str, tables: dict[str, pd.DataFrame], summary: dict[str, Any]) -> Path:
    """Write one outcome's tables and summary into ``folder/discover/<key>/``, replacing an earlier result."""
    root = Path(folder) / "discover"
    root.mkdir(exist_ok=True)
    _recover(root)
    final, tmp, old = root / key, root / f".{key}.tmp-{os.getpid()}", root / f".{key}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in TABLES:
        tables[name].to_parquet(tmp / f"{name}.parquet", index=False)
    atomic_write_json(tmp / "summary.json", summary)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def read_all(folder: Path) -> list[tuple[dict[str, Any], dict[str, pd.DataFrame]]]:
    """Every outcome discovered in ``folder``: ``(summary, tables)``, oldest first; damaged ones are skipped."""
    root = Path(folder) / "discover"
    if not root.is_dir():
        return []
    if os.access(root, os.W_OK):
        _recover(root)
    out = []
    for path in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            summary = read_mapping(path / "summary.json")
            tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
        except Exception:  # a damaged result is left out of the report, not a reason to fail it
            continue
        out.append((summary, tables))
    return sorted(out, key=lambda item: str(item[0].get("created", "")))
