"""Provenance for the manifest: code version, library versions, command line, scenario files and hashes."""

from __future__ import annotations

import shlex
import subprocess
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LIBRARIES = ("numpy", "pandas", "mesa", "SALib", "dask", "distributed", "pydantic", "scipy", "pyarrow")


def code_version() -> str:
    """``git rev-parse HEAD`` of the repository (``+dirty`` when it has uncommitted changes), else the
    package version."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return f"{head}+dirty" if dirty else head
    except (OSError, subprocess.SubprocessError):
        return f"techfin-sim {_version('techfin-sim')}"


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a result depends on, and Python's."""
    return {name: _version(name) for name in LIBRARIES} | {"python": sys.version.split()[0]}


def command_line(argv: list[str] | None = None) -> str:
    """The command line as a shell would take it."""
    args = sys.argv if argv is None else argv
    prog = "techfin" if args and Path(args[0]).name in ("techfin", "cli.py", "__main__.py") else args[0]
    return shlex.join([prog, *args[1:]]) if args else ""


def scenario_file(ref: str) -> str | None:
    """The file a scenario reference (bundled name or path) was read from, or ``None`` if there is none."""
    from sim.scenario import ScenarioError, resolve_scenario

    try:
        return str(resolve_scenario(ref).resolve())
    except ScenarioError:
        return None


def base_manifest(kind: str, name: str, **fields: Any) -> dict[str, Any]:
    """Manifest fields common to every experiment, then ``fields``."""
    return {
        "kind": kind,
        "name": name,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command_line(),
        "code_version": code_version(),
        "library_versions": library_versions(),
    } | fields


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"
