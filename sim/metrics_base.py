"""The parts of the metric registry (``sim.metrics``) its tables are written in: :class:`Metric`, :class:`Pattern`,
and the units, formats, kinds and places they name (each explained in ``sim.metrics``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UNITS = {
    "wan": ("10,000 yuan", "万元"),
    "share": ("share of one", "比例"),
    "rate": ("share per year", "年化比例"),
    "flag": ("true or false (a share of runs when averaged)", "是/否（多次运行平均为比例）"),
    "count": ("count", "个数"),
    "months": ("months", "月"),
    "multiple": ("万元 per 万元", "倍"),
    "number": ("number", "数值"),
}
FORMATS = ("money", "pct", "count", "months", "times", "number")
KINDS = ("flow", "cumulative", "stock", "run", "outcome", "derived")
MONTHLY_KINDS = ("flow", "cumulative", "stock")
PLACES = ("fan", "bands", "headline", "findings", "cli", "key")
DEFAULT_FORMAT = {
    "wan": "money",
    "share": "pct",
    "rate": "pct",
    "flag": "pct",
    "count": "count",
    "months": "months",
    "multiple": "times",
    "number": "number",
}
#: Columns of the monthly table that index it rather than measure anything.
INDEX_COLUMNS = ("month", "date")


@dataclass(frozen=True)
class Metric:
    """One figure: ``name``, ``unit`` (a key of ``UNITS``), ``kind`` (one of ``KINDS``), English and Chinese
    labels, ``fmt`` (one of ``FORMATS``, default from the unit), ``shown`` (places, see ``PLACES``), for a
    cumulative column ``of``: the flow it sums, and for a flow ``total``: the run summary also holds its sum over
    the run under the same name."""

    name: str
    unit: str
    kind: str
    en: str
    zh: str
    shown: tuple[str, ...] = ()
    of: str | None = None
    fmt: str = ""
    total: bool = False

    def __post_init__(self) -> None:
        if not self.fmt:
            object.__setattr__(self, "fmt", DEFAULT_FORMAT.get(self.unit, ""))

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("en" or "zh")."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Pattern:
    """Outcome names with a varying part: ``regex`` with one named group; labels are templates over it."""

    regex: str
    unit: str
    en: str
    zh: str
    kind: str = "outcome"
    fmt: str = ""
    shown: tuple[str, ...] = field(default=())

    def match(self, name: str) -> Metric | None:
        """The metric ``name`` is, if this pattern covers it."""
        hit = re.fullmatch(self.regex, name)
        if hit is None:
            return None
        part = hit.groupdict()
        return Metric(name, self.unit, self.kind, self.en.format(**part), self.zh.format(**part), fmt=self.fmt)
