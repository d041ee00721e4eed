"""Base types of the scenario schema: the strict block, bounded numbers, months, per-stage values and bilingual
names."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sim.calendar import YearMonth

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Money = Annotated[float, Field(ge=0.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]

SEP = " — "
"""Separates the Chinese and the English half of a bilingual text: "中文 — English"."""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _bilingual(v: str) -> str:
    zh, sep, en = v.partition(SEP)
    text = v.strip()
    if sep and (not CJK.search(zh) or not en.strip()):
        raise ValueError(f"{text!r}: write it as '中文 — English', the Chinese before ' — ' and the English after it")
    return text


Bilingual = Annotated[str, AfterValidator(_bilingual)]
"""A text for reports in both languages, written "中文 — English" (as a scenario's ``title``): Chinese reports show
the part before " — ", English ones the part after. A text without " — " serves both languages; a Chinese report
shows it only if it has Chinese."""


def label_field(what: str, example: str) -> Any:
    """The ``label`` field of a named block (bank, guarantor, insurer, pool, product, fund)."""
    return Field(
        None,
        description=f'Name of the {what} in reports, "中文 — English" (e.g. "{example}"). Without it a Chinese report'
        f" names it by kind and position, never by ``name``, which is the key other fields refer to.",
    )


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
