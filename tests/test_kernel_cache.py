"""A compiled kernel that calls rules from other modules recompiles when they change (``sim.kernels.cache``).

numba's on-disk cache checks only the kernel's own file: without the digest of its dependencies, the kernel
would keep running a rule after the rule was edited (as ``sim.offers`` runs the agents' rules).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

RULE = "from numba import njit\n\n\n@njit(cache=True)\ndef rule(x):\n    return x + {add}\n"
KERNEL = """
from numba import njit

import rule
{refresh_import}


@njit(cache=True)
def kernel(x):
    return rule.rule(x) * 10.0

{refresh}
"""


def run(folder: Path) -> float:
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{Path.cwd()}", "NUMBA_CACHE_DIR": ""}
    code = "import kernel; print(kernel.kernel(1.0))"
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def test_an_edited_rule_reaches_the_cached_kernel(tmp_path):
    (tmp_path / "rule.py").write_text(RULE.format(add="1.0"))
    (tmp_path / "kernel.py").write_text(
        textwrap.dedent(
            KERNEL.format(
                refresh_import="from sim.kernels.cache import refresh_when_changed",
                refresh="refresh_when_changed(kernel, rule)",
            )
        )
    )
    assert run(tmp_path) == 20.0
    assert run(tmp_path) == 20.0  # from the cache
    (tmp_path / "rule.py").write_text(RULE.format(add="2.0"))  # the kernel's own file is untouched
    # numba alone would load the stale machine code (20.0); the digest of the dependencies empties the cache
    assert run(tmp_path) == 30.0
