"""Scenarios: the validated top-level model, loading (with ``extends``) and dotted-path overrides.

``load_scenario("jiaxing-2017")`` loads a bundled file from ``scenarios/``; any other string is a path.
A file may say ``extends: other-name`` and give only what differs: mappings merge key by key, lists of named
items (banks, products, pools, ...) merge item by item on ``name``, and any other value replaces the base's.

This module is the entry point; the parts live beside it: ``sim.scenario_files`` (resolving names, reading
files, ``extends``, dotted overrides), ``sim.scenario_errors`` (``ScenarioError`` and the formatter of pydantic
errors), ``sim.scenario_checks`` (cross-field checks and warnings) and ``sim.counterfactual`` (the no-policy and
no-fiscal scenarios). The names most callers need are importable from here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.calendar import YearMonth
from sim.scenario_checks import cross_problems, scenario_warnings
from sim.scenario_errors import ScenarioError, pack_problems, validation_problems
from sim.scenario_files import SCENARIO_DIR, bundled_names, read_raw, resolve_file, resolve_scenario, set_dotted
from sim.schema import (
    BankParams,
    EnterpriseParams,
    FixedMode,
    GovernmentParams,
    GuarantorParams,
    InsurerParams,
    MacroParams,
    Platforms,
    ProductParams,
    Strict,
    Target,
    VentureFundParams,
)

__all__ = [
    "SCENARIO_DIR",
    "Scenario",
    "ScenarioError",
    "bundled_names",
    "load_scenario",
    "resolve_file",
    "resolve_scenario",
    "scenario_warnings",
    "set_dotted",
    "validate",
    "validation_problems",
]


class Scenario(Strict):
    """A complete, validated scenario: the region's ecosystem and its policies."""

    name: str = Field(description="Short identifier, e.g. jiaxing-2017.")
    title: str = Field("", description="Human-readable title.")
    source: str = Field("", description="The plan document the scenario encodes.")
    start: str = Field("2018-01", description="First simulated month, YYYY-MM.")
    horizon_months: int = Field(36, ge=1, le=600, description="Months simulated.")
    burn_in_months: int = Field(
        24,
        ge=0,
        le=240,
        description="Months of the region without policy run before the start and not reported, so the first month"
        " is the steady state (docs/model.md §8): borrower share, loan ages, prices and NPL history.",
    )
    enterprises: EnterpriseParams = Field(EnterpriseParams())
    banks: list[BankParams] = Field([BankParams(name="bank")], min_length=1)
    guarantors: list[GuarantorParams] = Field([])
    insurers: list[InsurerParams] = Field([])
    vc_funds: list[VentureFundParams] = Field(
        [], description="Venture and guidance funds that bear a share of loan losses (投贷联动)."
    )
    government: GovernmentParams = Field(GovernmentParams())
    products: list[ProductParams] = Field([ProductParams(name="credit", banks=["bank"])], min_length=1)
    macro: MacroParams = Field(MacroParams())
    platforms: Platforms = Field(Platforms())
    fixed: FixedMode = Field(FixedMode())
    targets: list[Target] = Field([])

    @field_validator("start", mode="before")
    @classmethod
    def _start_month(cls, v: Any) -> str:
        return str(YearMonth.parse(str(v)))

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        problems = cross_problems(self)
        if problems:
            raise ValueError(pack_problems(problems))
        return self

    @property
    def start_month(self) -> YearMonth:
        """The first simulated month."""
        return YearMonth.parse(self.start)

    @property
    def end_month(self) -> YearMonth:
        """The last simulated month."""
        return self.start_month.plus(self.horizon_months - 1)

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A new validated Scenario with ``{"dotted.path": value}`` applied (list items by index or name)."""
        data = self.model_dump(mode="json")
        for key, value in overrides.items():
            set_dotted(data, key, value, source)
        return validate(data, source)

    def digest(self) -> str:
        """SHA-256 of the validated content (what the run actually used)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Validate a mapping as a Scenario, raising ScenarioError naming each field and reason."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(source, validation_problems(e, Scenario)) from None


def load_scenario(name_or_path: str | Path | Scenario, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a bundled scenario by name or a YAML file by path, validate it and apply overrides."""
    if isinstance(name_or_path, Scenario):
        return name_or_path.with_overrides(overrides) if overrides else name_or_path
    data, path = read_raw(name_or_path)
    scenario = validate(data, str(path))
    return scenario.with_overrides(overrides, source=str(path)) if overrides else scenario
