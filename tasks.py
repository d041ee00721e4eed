#!/usr/bin/env python3
"""Set up and run techfin-sim with nothing but Python ≥ 3.11.

    python3 tasks.py demo    # create .venv if absent, install, run the bundled default scenario
    python3 tasks.py test    # create .venv if absent, install, run the test suite (installs Debian's chromium and
                             # fonts-noto-cjk first when missing and apt-get is usable)
    python3 tasks.py setup   # only the set-up
    python3 tasks.py test-newest   # the suite again on the newest Python ≥ 3.12 found (pyenv or PATH) with the
                                   # newest Mesa 3.x, in .venv-newest; says so and exits 0 when there is none

The virtual environment is (re)installed when it is missing or pyproject.toml has changed; an install ends by
compiling the model's loops once (``python -m sim.warmup``, about half a minute).
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
STAMP = VENV / ".installed"
DEMO_SCENARIO = "jiaxing-2017"
NEWEST = ROOT / ".venv-newest"


def sh(*cmd: str | Path) -> None:
    """Run a command in the repository, exiting with its code if it fails."""
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code:
        sys.exit(code)


def system_packages() -> None:
    """Debian's Chromium (the dashboard's browser test) and a CJK font (Chinese reports), when missing.

    Installed with apt-get through .ci/install-browser.sh when this machine has apt-get and root or sudo;
    otherwise a note says what the tests will miss.
    """
    if Path("/usr/bin/chromium").exists() and list(Path("/usr/share/fonts").rglob("*CJK*")):
        return
    can_root = hasattr(os, "geteuid") and (os.geteuid() == 0 or shutil.which("sudo"))
    if shutil.which("apt-get") and can_root:
        sh("bash", ROOT / ".ci" / "install-browser.sh")
    else:
        print(
            "note: /usr/bin/chromium or a CJK font is missing and cannot be installed here; the browser and "
            "Chinese-report tests will fail (on Debian: sudo apt-get install chromium fonts-noto-cjk)",
            flush=True,
        )


def setup() -> None:
    """Create .venv when absent and install the project with its dev extras."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs before the project is installed
        sys.exit(f"techfin-sim needs Python ≥ 3.11; this is {sys.version.split()[0]}")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    if not STAMP.exists() or STAMP.read_text() != want:
        print("installing techfin-sim and its dependencies into .venv ...", flush=True)
        sh(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
        sh(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[dev]")
        sh(BIN / "python", "-m", "sim.warmup")  # the compiled loops, once: not during a first run or page
        STAMP.write_text(want)


def python_version(exe: str) -> tuple[int, int] | None:
    """(major, minor) of a Python interpreter that runs and can make a venv, else None."""
    try:
        out = subprocess.run(
            [exe, "-c", "import sys, venv; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.fullmatch(r"(\d+) (\d+)\s*", out.stdout)
    return (int(m.group(1)), int(m.group(2))) if out.returncode == 0 and m else None


def newest_python() -> tuple[str, tuple[int, int]] | None:
    """The newest Python 3.12+ on this machine: pyenv's versions, then python3.N on PATH."""
    roots = {os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")} - {""}
    found = [p for r in roots for p in glob.glob(f"{r}/versions/3.*/bin/python3")]
    found += [w for n in range(12, 20) if (w := shutil.which(f"python3.{n}"))]
    versions = [(v, exe) for exe in found if (v := python_version(exe)) and v >= (3, 12)]
    if not versions:
        return None
    v, exe = max(versions)
    return exe, v


def test_newest(rest: list[str]) -> None:
    """The suite on the newest Python ≥ 3.12 with the newest Mesa 3.x, in a venv of its own."""
    found = newest_python()
    if found is None:
        print("test-newest: no Python 3.12 or newer on this machine; this leg is skipped", flush=True)
        return
    exe, (major, minor) = found
    bin_ = NEWEST / "bin"
    if NEWEST.exists() and python_version(str(bin_ / "python")) != (major, minor):
        shutil.rmtree(NEWEST)
    if not (bin_ / "python").exists():
        sh(exe, "-m", "venv", NEWEST)
    print(f"test-newest: Python {major}.{minor} ({exe}) in {NEWEST.name}", flush=True)
    sh(bin_ / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    sh(bin_ / "python", "-m", "pip", "install", "-q", "--upgrade", "-e", ".[dev]", "mesa[rec]>=3.3,<4")
    sh(bin_ / "python", "-c", "import mesa, sys; print('test-newest: Mesa', mesa.__version__, 'on', sys.version)")
    sh(bin_ / "python", "-m", "sim.warmup")  # this Python's own cache of the compiled loops
    sh(bin_ / "python", "-m", "pytest", *rest)


def main(argv: list[str]) -> None:
    """Dispatch ``setup``, ``demo``, ``test``, ``test-newest`` or ``lint``."""
    task, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if task not in ("setup", "demo", "test", "test-newest", "lint"):
        sys.exit(__doc__)
    if task == "test-newest":
        system_packages()
        test_newest(rest)
        return
    setup()
    if task == "test":
        system_packages()
    if task == "demo":
        sh(BIN / "techfin", "run", DEMO_SCENARIO, *rest)
    elif task == "test":
        sh(BIN / "python", "-m", "pytest", *rest)
    elif task == "lint":
        sh(BIN / "ruff", "check", ".")


if __name__ == "__main__":
    main(sys.argv[1:])
