"""Plan targets scored on a run: four verdicts, never a plain "missed" for what a run cannot say.

- **met** / **missed**: the metric at the end of the target's month (over ``window_months`` if given, less its
  value at ``base_date``, plus ``offset``) against the threshold;
- **not reached**: the target (or its base) is dated after the run's last month (a run cut short with
  ``--months``), so the run says nothing about it;
- **out of scope**: the model does not represent what the target measures (bonds, M&A, an institution the
  scenario sets up …); ``out_of_scope`` gives the reason, and the metric, if named, is shown for information.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.scale import extensive
from sim.schema import Target

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
STATES = ("met", "missed", "not_reached", "out_of_scope")


def check_targets(
    targets: Sequence[Target], mo: pd.DataFrame, start_row: pd.Series, scale: float = 1.0
) -> list[dict[str, Any]]:
    """Each target's value and verdict (``status`` one of :data:`STATES`; ``met`` is ``status == "met"``).

    ``targets`` are those of the region as simulated; at a ``scale`` below 1 their amount and count thresholds
    are already scaled (``sim.scale``) and ``plan_threshold`` gives back the plan's figure.
    """
    labels = list(mo["month_label"])
    end = labels[-1] if labels else ""
    out = [_check(t, mo, labels, start_row, end) for t in targets]
    for row in out:
        row["plan_threshold"] = row["threshold"] / scale if extensive(row["metric"]) else row["threshold"]
    return out


def count_states(checked: Sequence[dict[str, Any]]) -> dict[str, int]:
    """``targets_met``, ``targets_missed``, ``targets_not_reached``, ``targets_out_of_scope`` and the total."""
    out = {f"targets_{s}": sum(t["status"] == s for t in checked) for s in STATES}
    out["targets_total"] = len(checked)
    return out


def _check(t: Target, mo: pd.DataFrame, labels: list[str], start_row: pd.Series, end: str) -> dict[str, Any]:
    dates = [t.date] + ([t.base_date] if t.base_date not in (None, "start") else [])
    reached = all(d <= end for d in dates)
    value = _value(t, mo, labels, start_row) if reached and t.metric is not None else None
    if t.out_of_scope is not None:
        status = "out_of_scope"
    elif not reached:
        status = "not_reached"
    elif value is not None and math.isfinite(value) and OPS[t.op](value, t.threshold):
        status = "met"
    else:
        status = "missed"
    return {
        "metric": t.metric,
        "date": t.date,
        "op": t.op,
        "threshold": t.threshold,
        "label": t.label,
        "clause": t.clause,
        "window_months": t.window_months,
        "window_stat": t.window_stat,
        "base_date": t.base_date,
        "offset": t.offset,
        "value": value,
        "status": status,
        "met": status == "met",
        "reason": t.out_of_scope,
    }


def _value(t: Target, mo: pd.DataFrame, labels: list[str], start_row: pd.Series) -> float | None:
    assert t.metric is not None
    value = _at(mo, labels, start_row, t.metric, t.date, t.window_months, t.window_stat)
    if value is not None and t.base_date is not None:
        base = _at(mo, labels, start_row, t.metric, t.base_date, t.window_months, t.window_stat)
        value = None if base is None else value - base
    return None if value is None else value + t.offset


def _at(
    mo: pd.DataFrame,
    labels: list[str],
    start_row: pd.Series,
    metric: str,
    date: str,
    window: int | None,
    stat: str,
) -> float | None:
    """The metric at the end of ``date`` ('start': the set-up state), summed (or averaged) over ``window``
    months to it if given; None when the date was not simulated."""
    if date == "start":
        return float(start_row[metric])
    if date not in labels:
        return None
    i = labels.index(date)
    col = mo[metric].to_numpy(dtype=float)
    if not window:
        return float(col[i])
    part = col[max(0, i - window + 1) : i + 1]
    if stat == "mean":
        return float(np.nanmean(part)) if np.isfinite(part).any() else math.nan
    return float(part.sum())
