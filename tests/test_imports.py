from __future__ import annotations

import importlib
from pathlib import Path

import pytest


@pytest.mark.parametrize("package", ["sim", "agents", "experiments"])
def test_package_is_imported_from_this_repository(package, repo_root):
    assert repo_root == Path(__file__).resolve().parent.parent
    module = importlib.import_module(package)
    location = Path(module.__file__).resolve()
    assert location.is_relative_to(repo_root), f"{package} imported from {location}, not from {repo_root}"
    assert location.parent == repo_root / package


def test_agents_package_is_ours_not_the_pypi_namesake():
    import agents

    for name in ("Bank", "Enterprises", "Government", "CompensationPool", "Guarantor", "Insurer"):
        assert hasattr(agents, name), f"agents.{name} missing: is another 'agents' package shadowing ours?"
