"""A run's summary as one flat row of numbers, and its monthly series as arrays.

The outcomes row holds every numeric or boolean figure of the run summary (``sim.result.summarise``) under
its own name, plus (each in the metric registry, ``sim.metrics``, as kind ``outcome`` or a pattern):

- ``year_end_balance_wan.<YYYY>``, ``budget_exhausted_years``;
- ``budget.<YYYY>.exhausted_month``, ``budget.<YYYY>.stopped_share``, ``budget_exhausted_month_earliest``,
  ``budget_stopped_share``: when the special fund's budget ran out each year (``experiments.analysis.budget``);
- ``pool.<name>.depleted``, ``pool.<name>.months_to_depletion`` (NaN if not depleted),
  ``pool.<name>.months_to_depletion_censored`` (horizon + 1 if not depleted), ``pool.<name>.balance_end_wan``,
  ``pool.<name>.payouts_wan``; ``pool_months_to_depletion_censored`` for the first pool to run out;
- ``target.<i>.met``, ``target.<i>.value`` for each plan target i;
- ``product.<name>.<step>`` for each product: firm-months at each step of the funnel (``eligible``, ``open``,
  ``worth``, ``accepted``, ``cheapest``, ``written``), ``written_wan``, ``share_of_lending``,
  ``little_business`` and ``reason_code`` (index in ``sim.funnel.REASON_CODES``; NaN with business);
- ``guarantor_depleted`` / ``guarantor_months_to_depletion``: the first month the guarantors' summed net assets
  (``guarantor_net_assets_wan``) are at or below zero, and ``guarantor.<name>.depleted`` /
  ``guarantor.<name>.months_to_depletion`` for each guarantor (re-guarantors excluded).

Booleans stay booleans; every other value is a float, with None as NaN, so rows of different runs stack.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.budget import budget_outcomes
from sim import metrics
from sim.funnel import REASON_CODES

#: Monthly series drawn as fan charts (the registry's ``fan`` place, ``sim.metrics``).
FAN_METRICS: tuple[str, ...] = metrics.shown_in("fan")

STRING_KEYS = frozenset({"scenario", "title", "start", "end", "pool_depletion_month", "seed"})


def known_outcome(name: str) -> bool:
    """Whether ``name`` is an outcome column a run can produce (a metric named in a space or report): a run-level
    figure of the registry, one that exists only in the outcomes row, or one of its name patterns."""
    m = metrics.lookup(name)
    return (m is not None and m.kind in ("run", "outcome")) or name in metrics.scalars()


EMPTY_WAN = 1e-6  # net assets or a pool balance at or below this count as exhausted


def flatten_outcomes(
    summary: dict[str, Any], monthly: pd.DataFrame, institutions: pd.DataFrame | None = None
) -> dict[str, float | bool]:
    """The flat outcomes row of one run (see the module docstring for the names)."""
    months = int(summary["months"])
    out: dict[str, float | bool] = {}
    for key, value in summary.items():
        if key in STRING_KEYS or key in (
            "pools",
            "targets",
            "year_end_balance_wan",
            "budget_exhausted_months",
            "products",
        ):
            continue
        if value is None or isinstance(value, (bool, int, float, np.number, np.bool_)):
            out[key] = _value(value)
    for year, value in summary.get("year_end_balance_wan", {}).items():
        out[f"year_end_balance_wan.{year}"] = _value(value)
    out["budget_exhausted_years"] = float(len(summary.get("budget_exhausted_months") or ()))
    out.update(budget_outcomes(summary))
    first = summary.get("pool_months_to_depletion")
    out["pool_months_to_depletion_censored"] = float(first) if first is not None else float(months + 1)
    for name, pool in summary.get("pools", {}).items():
        for key, value in pool.items():
            if key != "depletion_month":
                out[f"pool.{name}.{key}"] = _value(value)
        mtd = pool.get("months_to_depletion")
        out[f"pool.{name}.months_to_depletion_censored"] = float(mtd) if mtd is not None else float(months + 1)
    for name, row in summary.get("products", {}).items():
        for key, value in row.items():
            if key not in ("reason", "beaten_by"):
                out[f"product.{name}.{key}"] = _value(value)
        reason = row.get("reason")
        out[f"product.{name}.reason_code"] = float(REASON_CODES.index(reason)) if reason in REASON_CODES else math.nan
    for i, t in enumerate(summary.get("targets", [])):
        out[f"target.{i}.met"] = bool(t["met"])
        out[f"target.{i}.value"] = _value(t["value"])
    has_guarantors = summary.get("guarantor_net_assets_end_wan") is not None
    out.update(guarantor_depletion(monthly, institutions if has_guarantors else None, has_guarantors))
    return out


def guarantor_depletion(
    monthly: pd.DataFrame, institutions: pd.DataFrame | None, has_guarantors: bool
) -> dict[str, float | bool]:
    """First month (1-based) that guarantor net assets are exhausted, in total and per guarantor."""
    out: dict[str, float | bool] = {}
    total = monthly["guarantor_net_assets_wan"].to_numpy(dtype=float) if has_guarantors else np.zeros(0)
    out["guarantor_depleted"], out["guarantor_months_to_depletion"] = _first_empty(total, monthly["month"].to_numpy())
    if institutions is not None and not institutions.empty and "net_assets_wan" in institutions.columns:
        # numpy rather than a pandas groupby: this runs once per run of a study (same order: by name, then rows)
        guarantor = (institutions["kind"] == "guarantor").to_numpy(dtype=bool, na_value=False)
        names = institutions["name"].to_numpy()[guarantor]
        assets = institutions["net_assets_wan"].to_numpy(dtype=float)[guarantor]
        months = institutions["month"].to_numpy()[guarantor]
        for name in sorted({n for n in names if isinstance(n, str)}):
            rows = names == name
            hit, month = _first_empty(assets[rows], months[rows])
            out[f"guarantor.{name}.depleted"] = hit
            out[f"guarantor.{name}.months_to_depletion"] = month
    return out


def series_arrays(monthly: pd.DataFrame, which: str | tuple[str, ...] | None) -> dict[str, np.ndarray] | None:
    """The monthly series to keep as ``{"month": ints, "date": datetime64, metric: floats}``, or None."""
    if which is None:
        return None
    skip = {"month", "date", "month_label"}
    if which == "all":
        keep = [
            i for i, (c, t) in enumerate(monthly.dtypes.items()) if c not in skip and pd.api.types.is_numeric_dtype(t)
        ]
    else:
        keep = [monthly.columns.get_loc(c) for c in which if c in monthly.columns]
    cols = list(monthly.columns[keep])
    values = monthly.iloc[:, keep].to_numpy(dtype=np.float64)  # by position: a third of the cost of by name
    out = {
        "month": monthly["month"].to_numpy(dtype=np.int64),
        "date": monthly["date"].to_numpy(dtype="datetime64[ms]"),
    }
    out.update({c: values[:, i] for i, c in enumerate(cols)})
    return out


def series_ipc(monthly: pd.DataFrame, which: str | tuple[str, ...] | None) -> bytes | None:
    """``series_arrays`` as the bytes of an Arrow IPC file, or None."""
    import pyarrow as pa

    arrays = series_arrays(monthly, which)
    if arrays is None:
        return None
    table = pa.table({k: pa.array(v) for k, v in arrays.items()})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _first_empty(values: np.ndarray, month: np.ndarray) -> tuple[bool, float]:
    hits = np.flatnonzero(values <= EMPTY_WAN)
    if hits.size == 0:
        return False, float("nan")
    return True, float(month[hits[0]])


def _value(v: Any) -> float | bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if v is None:
        return float("nan")
    v = float(v)
    return v if math.isfinite(v) else float("nan")
