"""The command line starts light: heavy libraries are imported inside the commands that need them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pyarrow", "numpy", "pydantic", "scipy", "mesa")
STUDY_ONLY = {"matplotlib", "optuna", "SALib", "dask", "distributed", "pandera"}


def _loaded_after(argv: list[str]) -> tuple[int, list[str]]:
    code = (
        "import json, sys\n"
        "from experiments.cli import main\n"
        f"rc = main({argv!r})\n"
        f"print(json.dumps([rc, [m for m in {(*HEAVY, *sorted(STUDY_ONLY))!r} if m in sys.modules]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    rc, loaded = json.loads(out.strip().splitlines()[-1])
    return rc, loaded


def test_help_imports_no_heavy_library():
    rc, loaded = _loaded_after(["--help"])
    assert rc == 0 and loaded == []
    rc, loaded = _loaded_after(["compare", "--help"])
    assert rc == 0 and loaded == []


def test_validate_imports_no_study_library():
    rc, loaded = _loaded_after(["validate", "xianning-2021"])
    assert rc == 0
    assert "pydantic" in loaded  # it did validate
    assert not STUDY_ONLY & set(loaded)
