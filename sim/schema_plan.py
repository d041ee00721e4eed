"""Schema of the setting a plan works in and what it aims at: the LPR path and downturns (``macro``), the
information platforms, and the plan's numeric targets."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.calendar import DEFAULT_LPR_PATH
from sim.schema_base import Bilingual, Rate, Share, Strict, _month
from sim.schema_instruments import RedList, month_or_none


class Shock(Strict):
    """A downturn window."""

    start: str
    months: int = Field(ge=1)
    factor_shift: float = Field(
        0.0,
        ge=0.0,
        description="Downturn: the systematic default factor moves this many standard deviations toward default in"
        " the window (1.0: a one-in-six year; 2.0: about one in forty).",
    )
    pd_multiplier: float = Field(1.0, ge=0.0, description="Further multiplier of the default hazard in the window.")
    revenue_hit_rate: float = Field(
        0.0, ge=0.0, description="Annual log-revenue drift lost in the window; investment returns fall as much."
    )
    deferral: bool = Field(
        False, description="延期还本付息: borrowers whose loan matures in the window may postpone its principal."
    )
    deferral_take_up_share: Share = Field(
        0.5,
        description="Share of maturing borrowers who ask for deferral. PBoC: 7.3万亿 of loans deferred in 2020 against"
        " ≈15万亿 of inclusive small-business loans, about half.",
    )
    deferral_spread_months: int = Field(
        6, ge=1, le=36, description="New principal dates spread evenly over this many months after the window."
    )

    @field_validator("start")
    @classmethod
    def _month(cls, v: str) -> str:
        return _month(v)


class MacroParams(Strict):
    """LPR path and shocks."""

    lpr_path: list[tuple[str, Rate]] = Field(list(DEFAULT_LPR_PATH), description="1-year LPR from each month.")
    shocks: list[Shock] = Field([], description="Downturn windows.")

    @field_validator("lpr_path")
    @classmethod
    def _months(cls, v: list[tuple[str, float]]) -> list[tuple[str, float]]:
        if not v:
            raise ValueError("lpr_path needs at least one (YYYY-MM, rate) entry")
        return [(_month(d), r) for d, r in v]


class Platforms(Strict):
    """Information and matching platforms."""

    matching_extra_applications: int = Field(0, ge=0, description="Extra applications a month (平台抢单).")
    matching_visibility_share: Share | None = Field(None, description="Visibility of applications with the platform.")
    credit_info_noise_factor: float = Field(
        1.0, gt=0.0, description="Multiplies every lender's screening noise (credit sharing < 1)."
    )
    red_list: RedList = Field(RedList(), description="守信红名单: rate preference for firms with a clean record.")
    start: str | None = Field(
        None, description="First month the platforms work (default: the scenario start); before it, none."
    )

    @field_validator("start")
    @classmethod
    def _start(cls, v: str | None) -> str | None:
        return month_or_none(v)


class Target(Strict):
    """A numeric plan target: ``metric`` at ``date`` compared with ``threshold``.

    The verdict has four states: met, missed, not reached (the run ended before ``date``) and out of scope
    (``out_of_scope`` says why the model cannot score it: bonds, M&A, an institution the scenario sets up …).
    """

    metric: str | None = Field(
        None, description="A column of the monthly table (see the list below); may be omitted when out of scope."
    )
    date: str = Field(description="YYYY-MM at whose end the target is checked.")
    threshold: float = Field(description="The plan's figure, in the metric's unit (万元 for amounts).")
    op: Literal[">=", "<=", ">", "<"] = ">="
    label: Bilingual = Field(
        "",
        description='The target in words, "中文 — English" (the plan\'s own wording before " — ", a faithful English'
        " translation after): Chinese reports show the first part, English ones the second; without a label a report"
        " names the target by its condition.",
    )
    clause: str = Field("", description="The plan clause that sets the target, e.g. '002 §二(二)8'.")
    window_months: int | None = Field(
        None, ge=1, description="Sum the metric over the last N months to the date (e.g. 12: a yearly flow)."
    )
    window_stat: Literal["sum", "mean"] = Field(
        "sum", description="Over ``window_months``: 'sum' for flows, 'mean' for levels such as rates."
    )
    base_date: str | None = Field(
        None, description="Compare the change since this month ('start': the set-up state) with the threshold."
    )
    offset: float = Field(
        0.0, description="Added to the model value: a count or amount reached before the start (plan totals)."
    )
    out_of_scope: Bilingual | None = Field(
        None,
        description='Why the model cannot score this target (it lacks what the target measures), "中文 — English";'
        " the verdict is 'out of scope' and the metric, if given, is shown for information only.",
    )

    @field_validator("date")
    @classmethod
    def _month(cls, v: str) -> str:
        return _month(v)

    @field_validator("base_date")
    @classmethod
    def _base(cls, v: str | None) -> str | None:
        return v if v in (None, "start") else _month(v)

    @field_validator("out_of_scope")
    @classmethod
    def _reason(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("give the reason the model cannot score the target (or leave out_of_scope out)")
        return v

    @model_validator(mode="after")
    def _metric_needed(self) -> Target:
        if self.metric is None and self.out_of_scope is None:
            raise ValueError("a target needs a metric (or out_of_scope: the reason it cannot be scored)")
        return self
