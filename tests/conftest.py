from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a scenario file into tmp_path: a mapping is dumped as YAML, a string is written as is."""

    def write(name: str, content: dict[str, Any] | str) -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_scenario_data() -> dict[str, Any]:
    """A small valid scenario (200 firms, 12 months) as a mapping, for files written by tests."""
    return {
        "name": "small",
        "title": "small test region",
        "start": "2018-01",
        "horizon_months": 12,
        "enterprises": {"initial_count": 200, "entry_per_month": 2},
        "banks": [{"name": "bank"}],
        "products": [{"name": "credit", "banks": ["bank"]}],
    }
