"""The calibration file: which behavioural parameters to fit, within which bounds, to which observed figures.

```yaml
name: china-tech-sme
base: baseline                  # a bundled scenario name, or a path relative to this file
overrides: {}                   # fixed dotted overrides applied to the base first
months: 36                      # months simulated per candidate (default: the base's horizon)
replicates: 4                   # seeds per candidate; every candidate runs the same seeds
parameters:
  - path: enterprises.return_rate.startup
    bounds: [0.06, 0.12]        # uniform prior between the bounds (log: true for log-uniform)
    role: behaviour
targets:
  - metric: borrower_share      # a monthly series (or a derived one) with `stat`, or a run summary figure
    stat: mean                  # mean over the months from `from_month` (default 1), or `end`
    observed: 0.488
    sd: 0.02                    # the observation's uncertainty (standard deviation)
    date: 2023–2025
    source: PBoC, 科技型中小企业获贷率 46.8% (2023), 46.9% (2024), 50.2% (2025)
```

Every problem is reported as ``file: field.path: reason``; parameters are checked against the scenario schema
at both bounds, metric names against the model's metrics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim import metrics
from sim.scenario import Scenario, ScenarioError, load_scenario, validation_problems

#: Monthly series derived from the monthly table, available as calibration targets (kind ``derived`` in the metric
#: registry, ``sim.metrics``): ``borrower_share`` borrowers ÷ firms alive, ``balance_per_borrower_wan`` tech-loan
#: balance ÷ borrowers, 万元.
DERIVED: tuple[str, ...] = metrics.of_kind("derived")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Parameter(_Strict):
    """A behavioural parameter to fit."""

    path: str = Field(description="Dotted scenario path (list items by name), e.g. banks.bank-a.spread_rate.")
    bounds: tuple[float, float] = Field(description="Lower and upper bound (uniform prior between them).")
    log: bool = Field(False, description="Log-uniform prior (bounds must be positive).")
    role: str = Field("behaviour", description="What the parameter is (documentation only).")

    @model_validator(mode="after")
    def _ordered(self) -> Parameter:
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"bounds [{lo}, {hi}]: the lower bound must be below the upper")
        if self.log and lo <= 0:
            raise ValueError("log: true needs positive bounds")
        return self


class Target(_Strict):
    """An observed figure the model should reproduce."""

    metric: str
    stat: Literal["mean", "end"] = "mean"
    from_month: int = Field(1, ge=1, description="First month averaged (stat: mean).")
    observed: float
    sd: float = Field(gt=0, description="Uncertainty of the observation (standard deviation, same unit).")
    date: str = ""
    source: str = ""

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        known = {*metrics.monthly(), *DERIVED, *metrics.scalars()}
        if v not in known:
            raise ValueError(f"unknown metric {v!r}: a monthly metric, one of {sorted(DERIVED)}, or a run figure")
        return v


class Calibration(_Strict):
    """A calibration: base scenario, parameters, targets, run control."""

    name: str
    title: str = ""
    base: str
    overrides: dict[str, Any] = {}
    months: int | None = Field(None, ge=1, le=600)
    replicates: int = Field(4, ge=1, le=200)
    seed: int = Field(2017, ge=0)
    accept_quantile: float = Field(
        0.95,
        gt=0.0,
        lt=1.0,
        description="A candidate is consistent with the data (accepted) when its χ² is within this quantile of"
        " χ² with one degree of freedom per target.",
    )
    parameters: list[Parameter] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Calibration:
        paths = [p.path for p in self.parameters]
        if len(set(paths)) < len(paths):
            raise ValueError("a parameter path is listed twice")
        return self


def load_calibration(path: str | Path) -> tuple[Calibration, Scenario]:
    """Read and validate a calibration file and its base scenario (with the overrides and both bounds of every
    parameter applied, so a path the schema does not know or a bound it refuses is reported now)."""
    path = Path(path)
    src = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(src, [("file", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(src, [("file", f"cannot be read as UTF-8 text ({e.__class__.__name__})")]) from None
    except yaml.YAMLError as e:
        raise ScenarioError(src, [("file", f"not valid YAML: {e}")]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(src, [("file", "must be a mapping of fields")])
    try:
        cal = Calibration.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(src, validation_problems(e, Calibration, "file")) from None
    base_ref = cal.base
    if base_ref.endswith((".yaml", ".yml")) and not Path(base_ref).is_absolute():
        base_ref = str((path.parent / base_ref).resolve())
    cal = cal.model_copy(update={"base": base_ref})  # a file base is kept as an absolute path (folders move)
    try:
        base = load_scenario(base_ref, cal.overrides or None)
    except ScenarioError as e:
        raise ScenarioError(src, [(f"base ({e.source})", reason) for _, reason in e.problems]) from None
    problems = []
    for i, p in enumerate(cal.parameters):
        for bound in p.bounds:
            try:
                base.with_overrides({p.path: bound}, source=src)
            except ScenarioError as e:
                problems += [(f"parameters.{i}.bounds", f"{p.path} = {bound}: {reason}") for _, reason in e.problems]
    if problems:
        raise ScenarioError(src, problems)
    return cal, base
