"""The small scenario the experiment tests run (200 firms × 12 months), its coverage lever, and the command line
as a subprocess."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

SMALL: dict[str, Any] = {
    "name": "small",
    "start": "2018-01",
    "horizon_months": 12,
    "enterprises": {"initial_count": 200, "entry_per_month": 2},
    "banks": [{"name": "bank"}],
    "guarantors": [{"name": "guar", "net_assets_wan": 300}],
    "government": {"annual_budget_wan": 100, "pools": [{"name": "pool", "initial_wan": 400}]},
    "products": [
        {"name": "credit", "banks": ["bank"]},
        {
            "name": "covered",
            "banks": ["bank"],
            "shares": {"pool": 0.5, "bank": 0.5},
            "pool": "pool",
            "interest_subsidy_share": 0.3,
        },
        {
            "name": "guaranteed",
            "banks": ["bank"],
            "shares": {"guarantor": 0.8, "bank": 0.2},
            "guarantor": "guar",
            "guarantee_fee_rate": 0.01,
        },
    ],
    "targets": [
        {"metric": "tech_loan_balance_wan", "date": "2018-06", "threshold": 20000, "label": "balance"},
        {"metric": "borrowers", "date": "2018-12", "threshold": 60, "op": ">="},
    ],
}
#: The covered product's pool share as one lever ``x``, the bank bearing the rest.
COVERAGE: dict[str, Any] = {
    "name": "coverage",
    "role": "lever",
    "paths": {"products.covered.shares.pool": "x", "products.covered.shares.bank": "1 - x"},
    "bounds": [0.2, 0.8],
}


def techfin(*args: object) -> list[str]:
    """The argv that runs ``techfin ARGS`` in a fresh interpreter (for tests that kill or signal it)."""
    return [sys.executable, "-m", "experiments.cli", *map(str, args)]


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    """A small scenario with a pool, a guarantor, a budget and two targets (200 firms × 12 months)."""
    return _write(tmp_path / "small.yaml", SMALL)


@pytest.fixture
def copy_file(tmp_path: Path) -> Path:
    """The small scenario under another name: any paired difference to it must be exactly zero."""
    return _write(tmp_path / "copy.yaml", SMALL | {"name": "small-copy"})


@pytest.fixture
def richer_file(tmp_path: Path) -> Path:
    """The small scenario with a bigger pool and a higher interest subsidy."""
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["name"] = "richer"
    data["government"]["pools"][0]["initial_wan"] = 2000
    data["products"][1]["interest_subsidy_share"] = 0.6
    return _write(tmp_path / "richer.yaml", data)


@pytest.fixture
def write_space(tmp_path: Path):
    """Write a parameter-space mapping as YAML and return its path."""

    def write(data: dict[str, Any], name: str = "space.yaml") -> Path:
        return _write(tmp_path / name, data)

    return write
