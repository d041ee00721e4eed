"""Base types of the scenario schema: the strict block, bounded numbers, months and per-stage values."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sim.calendar import YearMonth

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Money = Annotated[float, Field(ge=0.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    """Base of every schema block: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)


def _month(v: str) -> str:
    return str(YearMonth.parse(v))


class ByStage(Strict):
    """One value for each lifecycle stage (研发 seed, 中试 start-up, 生产 growth, mature)."""

    seed: float = Field(ge=0.0)
    startup: float = Field(ge=0.0)
    growth: float = Field(ge=0.0)
    mature: float = Field(ge=0.0)

    def values(self) -> tuple[float, float, float, float]:
        """The four values in stage order."""
        return (self.seed, self.startup, self.growth, self.mature)
