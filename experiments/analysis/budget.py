"""The special fund's annual budget as a finite fund: in which month of each year it runs out, and for how much of
the year subsidies stop.

The government (``agents.government``) receives the year's appropriation each January (the whole of it in the
first month simulated, even mid-year); subsidies, rewards, the budget's loss share and insurer stop-loss are
paid from it while it lasts, pro rata in the month it runs short. The model notes the first month of each year
whose close finds nothing left (``budget_exhausted_months`` in the run summary, ``YYYY-MM``). From the next month
to December no budget item is paid: those months count as *stopped*; the month it ran out is paid in part and
does not.

Per run (outcome columns, ``budget_outcomes``), for each calendar year the run covers:

- ``budget.<YYYY>.exhausted_month``: calendar month (1–12) the budget ran out, NaN if it lasted;
- ``budget.<YYYY>.stopped_share``: stopped months ÷ months of that year simulated;

and over the run ``budget_exhausted_month_earliest`` (the earliest calendar month, any year; NaN if never) and
``budget_stopped_share`` (stopped months ÷ months simulated).

Per scenario and year (``budget_tables``, written by a depletion experiment):

- ``budget_by_year.parquet``: scenario, year, months (simulated that year), runs, exhausted (runs), prob with a
  Wilson 95% interval (ci_low, ci_high), median_month (calendar month by whose end half the runs had run out;
  NaN if fewer than half did), stopped_share_mean;
- ``budget_months.parquet``: scenario, year, month (calendar), exhausted_share (runs out by the end of it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def year_months(start: str, months: int) -> dict[int, list[int]]:
    """Calendar months simulated in each year: ``("2021-07", 18)`` → ``{2021: [7..12], 2022: [1..12]}``."""
    y0, m0 = (int(v) for v in str(start)[:7].split("-"))
    out: dict[int, list[int]] = {}
    for k in range(int(months)):
        i = y0 * 12 + m0 - 1 + k
        out.setdefault(i // 12, []).append(i % 12 + 1)
    return out


def budget_outcomes(summary: dict[str, Any]) -> dict[str, float]:
    """The budget columns of a run's outcomes row (see the module docstring)."""
    covered = year_months(str(summary["start"]), int(summary["months"]))
    ran_out = {int(label[:4]): int(label[5:7]) for label in summary.get("budget_exhausted_months") or ()}
    out: dict[str, float] = {}
    stopped_total = 0
    for year, months in covered.items():
        month = ran_out.get(year)
        stopped = sum(m > month for m in months) if month is not None else 0
        stopped_total += stopped
        out[f"budget.{year}.exhausted_month"] = float(month) if month is not None else float("nan")
        out[f"budget.{year}.stopped_share"] = stopped / len(months)
    out["budget_exhausted_month_earliest"] = float(min(ran_out.values())) if ran_out else float("nan")
    out["budget_stopped_share"] = stopped_total / max(int(summary["months"]), 1)
    return out


def budget_tables(
    ok: pd.DataFrame, scenarios: dict[str, Any], horizons: dict[str, int], start: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """``budget_by_year`` and ``budget_months`` for every scenario with a budget (see the module docstring)."""
    years, curves = [], []
    for key, content in scenarios.items():
        if float((content.get("government") or {}).get("annual_budget_wan") or 0) <= 0:
            continue
        rows = ok[ok["scenario"] == key]
        for year, months in year_months(start[key], int(horizons[key])).items():
            col = f"budget.{year}.exhausted_month"
            if col not in rows.columns or rows.empty:
                continue
            month = pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=float)
            share = pd.to_numeric(rows[f"budget.{year}.stopped_share"], errors="coerce").to_numpy(dtype=float)
            by_end = [float(np.mean(month <= m)) for m in months]  # NaN (lasted) compares false
            curves += [
                {"scenario": key, "year": year, "month": m, "exhausted_share": s}
                for m, s in zip(months, by_end, strict=True)
            ]
            years.append(_year_row(key, year, months, month, share, by_end))
    cols = ["scenario", "year", "months", "runs", "exhausted", "prob", "ci_low", "ci_high", "median_month"]
    return {
        "budget_by_year": pd.DataFrame(years, columns=[*cols, "stopped_share_mean"]),
        "budget_months": pd.DataFrame(curves, columns=["scenario", "year", "month", "exhausted_share"]),
    }


def _year_row(
    key: str, year: int, months: list[int], month: np.ndarray, share: np.ndarray, by_end: list[float]
) -> dict[str, Any]:
    n, k = int(month.size), int(np.sum(~np.isnan(month)))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    half = next((m for m, s in zip(months, by_end, strict=True) if s >= 0.5), None)
    return {
        "scenario": key,
        "year": year,
        "months": len(months),
        "runs": n,
        "exhausted": k,
        "prob": k / n,
        "ci_low": float(ci.low),
        "ci_high": float(ci.high),
        "median_month": float(half) if half is not None else float("nan"),
        "stopped_share_mean": float(np.nanmean(share)) if n else float("nan"),
    }
