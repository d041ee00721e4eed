"""The metric registry: every figure the simulator produces, defined once.

Each :class:`Metric` has its name (the column or summary key), its unit, its kind, an English and a Chinese
label, the format it is shown in, and the places it is shown. The monthly table (``sim.reporters``), the run
summary (``sim.result.SCALARS``), the outcomes row (``experiments.analysis.outcomes``), the command-line tables, the
report's tables, figures and sentences all read this module instead of keeping lists of their own; the entries
themselves are in ``sim.metrics_monthly`` (monthly series) and ``sim.metrics_run`` (run-level figures and
outcome-name patterns), written with the types of ``sim.metrics_base``.

Kinds:

- ``flow``: summed over the month (``new_loans_wan``); ``cumulative``: a flow summed from the start month
  (``new_loans_cum_wan``, ``of`` names the flow); ``stock``: the state at the month end (``npl_ratio``);
- ``run``: one figure per run in ``summary.json`` (``credit_cagr``); ``outcome``: a run-level figure that
  exists only in the flattened outcomes row of an experiment (``guarantor_depleted``);
- ``derived``: a monthly series computed from the monthly table (calibration targets such as
  ``borrower_share``).

Units (what the number is in) and formats (how it is shown): ``wan`` 万元 → ``money`` (亿元 from 1亿 up, else
万元); ``share`` a fraction of one and ``rate`` a fraction per year → ``pct``; ``flag`` true/false, averaged
over runs a share → ``pct``; ``count`` → ``count``; ``months`` → ``months``; ``multiple`` 万元 per 万元 →
``times``; ``number`` → ``number``.

Places: ``fan`` a monthly series drawn as fan charts (and as lines in a single run's report), ``bands`` a
monthly series whose bands a comparison always keeps, ``headline`` an outcome a report shows when the experiment
names none, ``findings`` an outcome the summary of findings speaks about (in this order), ``cli`` an outcome the
command-line summary of a comparison prints, ``key`` a figure of a single run's key-figure table.

Outcome names with a part that varies (``pool.<name>.depleted``, ``target.<i>.met``,
``year_end_balance_wan.<YYYY>``) are :class:`Pattern` entries.
"""

from __future__ import annotations

import re
from functools import cache

from sim.metrics_base import (
    DEFAULT_FORMAT,
    FORMATS,
    INDEX_COLUMNS,
    KINDS,
    MONTHLY_KINDS,
    PLACES,
    UNITS,
    Metric,
    Pattern,
)
from sim.metrics_monthly import DERIVED, MONTHLY
from sim.metrics_run import PATTERNS, RUN

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "INDEX_COLUMNS",
    "KINDS",
    "METRICS",
    "MONTHLY_KINDS",
    "PATTERNS",
    "PLACES",
    "UNITS",
    "Metric",
    "Pattern",
]

#: Every named metric, in the registry's order: monthly series, run-level figures, derived series.
METRICS: tuple[Metric, ...] = (*MONTHLY, *RUN, *DERIVED)


@cache
def registry() -> dict[str, Metric]:
    """Every named metric, in the registry's order."""
    return {m.name: m for m in METRICS}


def patterns() -> tuple[Pattern, ...]:
    """The outcome-name patterns."""
    return PATTERNS


def lookup(name: str) -> Metric | None:
    """The metric called ``name`` (a named one or one a pattern covers), or None when the registry has none."""
    m = registry().get(name)
    if m is not None:
        return m
    for p in patterns():
        if (hit := p.match(name)) is not None:
            return hit
    return None


def known(name: str) -> bool:
    """Whether ``name`` is a metric in the registry."""
    return lookup(name) is not None


def describe(name: str) -> Metric:
    """The metric called ``name``; a name the registry lacks (an output of a test function run in place of the
    simulator) is shown as a plain number under its own name."""
    return lookup(name) or Metric(name, "number", "outcome", name, name)


def label(name: str, lang: str) -> str:
    """The metric's label in ``lang``."""
    return describe(name).label(lang)


def of_kind(*kinds: str) -> tuple[str, ...]:
    """Names of the metrics of the given kinds, in registry order."""
    return tuple(m.name for m in registry().values() if m.kind in kinds)


def shown_in(place: str) -> tuple[str, ...]:
    """Names of the metrics shown in ``place``, in registry order."""
    if place not in PLACES:
        raise KeyError(place)
    return tuple(m.name for m in registry().values() if place in m.shown)


def monthly() -> tuple[str, ...]:
    """The monthly table's metric columns (flows, cumulatives and stocks), in registry order."""
    return of_kind(*MONTHLY_KINDS)


def cumulative() -> dict[str, str]:
    """Each cumulative column and the flow it sums."""
    return {m.name: m.of for m in registry().values() if m.kind == "cumulative" and m.of}


def scalars() -> tuple[str, ...]:
    """The run summary's single-number figures (run-level, not true/false)."""
    return tuple(m.name for m in registry().values() if (m.kind == "run" and m.unit != "flag") or m.total)


def problems(entries: tuple[Metric | Pattern, ...] | None = None) -> list[str]:
    """What is wrong with registry entries (default: this registry): a missing label, unit or format, an unknown
    kind or place, a Chinese label without Chinese, a cumulative column whose ``of`` is not a flow, a name twice."""
    entries = (*METRICS, *PATTERNS) if entries is None else entries
    out, seen = [], set()
    flows = {m.name for m in entries if isinstance(m, Metric) and m.kind == "flow"}
    for m in entries:
        name = m.name if isinstance(m, Metric) else m.regex
        if not (m.en or "").strip() or not (m.zh or "").strip():
            out.append(f"{name}: no English or no Chinese label")
        elif not re.search(r"[\u4e00-\u9fff]", m.zh):
            out.append(f"{name}: the Chinese label {m.zh!r} has no Chinese")
        if m.unit not in UNITS:
            out.append(f"{name}: unit {m.unit!r} is not one of {', '.join(UNITS)}")
        fmt = m.fmt or DEFAULT_FORMAT.get(m.unit, "")
        if fmt not in FORMATS:
            out.append(f"{name}: no format (or {fmt!r} is not one of {', '.join(FORMATS)})")
        if m.kind not in KINDS:
            out.append(f"{name}: kind {m.kind!r} is not one of {', '.join(KINDS)}")
        out += [f"{name}: place {p!r} is not one of {', '.join(PLACES)}" for p in m.shown if p not in PLACES]
        if isinstance(m, Metric) and m.kind == "cumulative" and m.of not in flows:
            out.append(f"{name}: a cumulative column must name the flow it sums (of={m.of!r})")
        if name in seen:
            out.append(f"{name}: defined twice")
        seen.add(name)
    return out
