"""Provenance: code version, library versions, command line, scenario files and hashes, recorded in an
experiment's manifest and a run folder's ``provenance.json``, and read back by the report (the one place that
says which libraries matter and how the code version is found)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
LIBRARIES = ("numpy", "pandas", "mesa", "SALib", "dask", "distributed", "pydantic", "scipy", "pyarrow", "matplotlib")


def code_version() -> str:
    """``git describe --always --dirty`` of the repository (a tag or commit, ``-dirty`` when it has uncommitted
    changes), else the installed package version: never empty."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        if described:
            return described
    except (OSError, subprocess.SubprocessError):
        pass
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


def run_provenance(digest: str) -> dict[str, Any]:
    """What a run folder (``techfin run``) records in ``provenance.json``: when, the command, the code and library
    versions, and the scenario's digest."""
    return {
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command_line(),
        "code_version": code_version(),
        "library_versions": library_versions(),
        "scenario_digest": digest,
    }


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"
