"""Numbers as a planner reads them: money in 亿元 or 万元, shares in %, months, multiples.

A metric's format comes from the metric registry (``sim.metrics``): ``money`` in 亿元 or 万元, ``pct`` shares in %
(differences in percentage points), ``months``, ``times`` multiples, ``count`` and ``number``. This is the one
formatter of the project: reports, the command line and the run summary all use it. One :class:`Scale` is chosen
per metric for a whole table or figure, so a column never mixes 亿 and 万 and its heading can carry the unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.report.i18n import t
from sim.metrics import describe

YI = 1e4  # 万元 per 亿元


def kind_of(metric: str) -> str:
    """The metric's format in the registry (``money``, ``pct``, ``months``, ``times``, ``count``, ``number``)."""
    return describe(metric).fmt


@dataclass(frozen=True)
class Scale:
    """How to show one metric: multiply by ``factor``, round to ``decimals``, label with ``unit``."""

    unit: str
    factor: float = 1.0
    decimals: int = 0

    def num(self, v: float | None) -> str:
        """The scaled number without its unit ("12.30"), or "—" for a missing value."""
        if v is None or pd.isna(v) or not math.isfinite(float(v)):
            return "—"
        return f"{float(v) * self.factor:,.{self.decimals}f}"

    def compact(self, v: float | None) -> str:
        """Like :meth:`num` without trailing zeros after the decimal point ("800" rather than "800.00")."""
        s = self.num(v)
        return s.rstrip("0").rstrip(".") if "." in s else s

    def text(self, v: float | None, lang: str, compact: bool = False) -> str:
        """The number with its unit, for sentences ("12.30亿元", "3.10 pp")."""
        s = self.compact(v) if compact else self.num(v)
        if s == "—" or not self.unit:
            return s
        gap = " " if lang == "en" and self.unit in ("pp", "months") else ""
        return f"{s}{gap}{t('unit.' + self.unit, lang)}"

    def heading(self, lang: str) -> str:
        """The unit for a table heading ("亿元"), or "" for plain numbers."""
        return t("unit." + self.unit, lang) if self.unit else ""

    def figure_text(self, v: float | None, lang: str) -> str:
        """The number with a unit every font can draw when ``lang`` is "en" ("800.00 (100 million yuan)")."""
        s = self.compact(v)
        if not self.unit or self.unit in ("pct", "x"):
            return self.text(v, lang, compact=True)
        return f"{s}{self.axis(lang)}" if lang == "zh" else f"{s} ({self.axis(lang)})"

    def axis(self, lang: str) -> str:
        """The unit for a figure axis, in glyphs every font has when ``lang`` is "en"."""
        return t("ax." + self.unit, lang) if self.unit else ""


def _finite(values: Iterable[float | None]) -> np.ndarray:
    a = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    return a[np.isfinite(a)]


def scale_for(metric: str, values: Iterable[float | None] = (), diff: bool = False) -> Scale:
    """The scale for ``metric`` given the values it will show (``diff``: differences, shares in pp)."""
    return scale_of(kind_of(metric), values, diff)


def scale_of(fmt: str, values: Iterable[float | None] = (), diff: bool = False) -> Scale:
    """The scale for a format of the registry (``money``, ``pct`` …) given the values it will show."""
    a = _finite(values)
    top = float(np.abs(a).max()) if a.size else 0.0
    if fmt == "money":
        if top >= YI:
            return Scale("yi", 1 / YI, 2)
        return Scale("wan", 1.0, 0 if top >= 100 else 2)
    if fmt == "pct":
        return Scale("pp" if diff else "pct", 100.0, 2)
    if fmt == "months":
        return Scale("months", 1.0, 1)
    if fmt == "times":
        return Scale("x", 1.0, 1)
    integral = a.size > 0 and bool(np.all(a == np.round(a)))
    if integral or top >= 100:
        return Scale("", 1.0, 0 if integral else 1)
    return Scale("", 1.0, 2 if top >= 1 else 3)


def metric_text(metric: str, value: float | None, lang: str = "en") -> str:
    """One value of ``metric`` with its unit ("12.30亿元", "3.10%", "1.2×")."""
    return scale_for(metric, [value]).text(value, lang)


PROB = Scale("pct", 100.0, 1)
"""Probabilities (of depletion, of meeting a target) in percent with one decimal."""


def ci(scale: Scale, low: float | None, high: float | None) -> str:
    """A confidence interval cell: ``[10.10, 14.60]``."""
    return f"[{scale.num(low)}, {scale.num(high)}]"


def with_unit(label: str, scale: Scale, lang: str) -> str:
    """A heading or row label with its unit in brackets: "New credit (亿元)"."""
    unit = scale.heading(lang)
    if not unit:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


def month_label(value: object) -> str:
    """A Timestamp, date or 'YYYY-MM...' string as 'YYYY-MM'."""
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m")
    return str(value)[:7]


def calendar_month(start: str | None, month: float | None) -> str | None:
    """Simulated month ``month`` (1 = the start month) as 'YYYY-MM', or None when unknown or missing."""
    if start is None or month is None or pd.isna(month):
        return None
    y, m = (int(x) for x in start[:7].split("-"))
    k = (y * 12 + m - 1) + math.ceil(float(month)) - 1
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def param_name(column: str) -> str:
    """``"param.government.pools.0.coverage_share"`` → ``"government.pools.0.coverage_share"``."""
    return column.removeprefix("param.")


def plain(v: object) -> str:
    """A parameter level or other loose value: numbers compactly, anything else as text."""
    if isinstance(v, bool | np.bool_):
        return str(bool(v)).lower()
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return "—" if not math.isfinite(v) else f"{float(v):,.6g}"
    return str(v)
