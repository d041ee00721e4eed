"""Time to depletion: Kaplan–Meier survival of each pool and of guarantor capital, censored at the horizon.

For each scenario and entity (``pool:<name>``, ``guarantor`` for the guarantors' summed net assets,
``guarantor:<name>`` for each guarantor), a run contributes the 1-based month the money ran out, or a right-
censored time at the horizon when it did not. ``scipy.stats.ecdf`` on ``CensoredData`` gives the survival
function and its pointwise 95% interval (log-log method; where the interval is undefined — survival 0 or 1 —
it collapses to the estimate). Survival at month t is P(T > t).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def entities(content: dict[str, Any]) -> list[tuple[str, str]]:
    """``(entity, outcome column)`` of every pool and guarantor the scenario has."""
    out = [(f"pool:{p['name']}", f"pool.{p['name']}.months_to_depletion") for p in content["government"]["pools"]]
    guarantors = [g["name"] for g in content.get("guarantors", []) if not g.get("reguarantor")]
    if guarantors:
        out.append(("guarantor", "guarantor_months_to_depletion"))
        out += [(f"guarantor:{g}", f"guarantor.{g}.months_to_depletion") for g in guarantors]
    return out


def km_curve(times: np.ndarray, horizon: int) -> tuple[pd.DataFrame, Any]:
    """Survival, interval, at-risk and events at months 0..horizon; ``times`` has NaN for censored runs."""
    times = np.asarray(times, dtype=float)
    event = ~np.isnan(times)
    months = np.arange(horizon + 1)
    at_risk = np.array([(np.where(event, times, horizon + 0.5) >= t).sum() for t in months])
    events = np.array([(times[event] == t).sum() for t in months])
    if not event.any():
        ones = np.ones(months.size)
        curve = pd.DataFrame({"month": months, "survival": ones, "ci_low": ones, "ci_high": ones})
        return curve.assign(at_risk=at_risk, events=events), None
    data = stats.CensoredData(uncensored=times[event], right=np.full(int((~event).sum()), float(horizon)))
    res = stats.ecdf(data)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # undefined where survival is 0 or 1: filled below
        ci = res.sf.confidence_interval(0.95, method="log-log")
        surv = res.sf.evaluate(months)
        low, high = ci.low.evaluate(months), ci.high.evaluate(months)
    low = np.where(np.isnan(low), surv, low)
    high = np.where(np.isnan(high), surv, high)
    curve = pd.DataFrame({"month": months, "survival": surv, "ci_low": low, "ci_high": high})
    return curve.assign(at_risk=at_risk, events=events), res


def first_at_or_below(month: np.ndarray, values: np.ndarray, level: float = 0.5) -> float:
    """The first month at which a step curve is at or below ``level`` (NaN if never)."""
    hit = np.flatnonzero(values <= level)
    return float(month[hit[0]]) if hit.size else float("nan")


def depletion_tables(
    ok: pd.DataFrame, scenarios: dict[str, Any], horizons: dict[str, int], start: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """``survival``, ``depletion_by_year`` and ``depletion_median`` tables for every scenario and entity.

    Args:
        ok: Successful runs with ``scenario`` and outcome columns.
        scenarios: Validated content of each scenario by key.
        horizons: Months simulated per scenario key.
        start: First simulated month (``YYYY-MM``) per scenario key.
    """
    surv, years, medians = [], [], []
    for key, content in scenarios.items():
        rows = ok[ok["scenario"] == key]
        horizon = int(horizons[key])
        for entity, col in entities(content):
            times = rows[col].to_numpy(dtype=float) if col in rows.columns else np.full(len(rows), np.nan)
            curve, _ = km_curve(times, horizon)
            surv.append(curve.assign(scenario=key, entity=entity))
            years += _by_year(curve, key, entity, start[key], horizon)
            m = curve["month"].to_numpy()
            medians.append(
                {
                    "scenario": key,
                    "entity": entity,
                    "median_month": first_at_or_below(m, curve["survival"].to_numpy()),
                    "ci_low": first_at_or_below(m, curve["ci_low"].to_numpy()),
                    "ci_high": first_at_or_below(m, curve["ci_high"].to_numpy()),
                    "n": len(times),
                    "events": int((~np.isnan(times)).sum()),
                }
            )
    cols = ["scenario", "entity", "month", "survival", "ci_low", "ci_high", "at_risk", "events"]
    survival = pd.concat(surv, ignore_index=True)[cols] if surv else pd.DataFrame(columns=cols)
    return {
        "survival": survival,
        "depletion_by_year": pd.DataFrame(years, columns=["scenario", "entity", "year", "prob"]),
        "depletion_median": pd.DataFrame(
            medians, columns=["scenario", "entity", "median_month", "ci_low", "ci_high", "n", "events"]
        ),
    }


def _by_year(curve: pd.DataFrame, key: str, entity: str, start: str, horizon: int) -> list[dict[str, Any]]:
    """P(depleted by the end of each calendar year the run covers) = 1 − S(month of that December or the
    horizon, whichever is first)."""
    y0, m0 = (int(v) for v in start.split("-"))
    surv = curve.set_index("month")["survival"]
    out = []
    for year in range(y0, y0 + (m0 - 1 + horizon - 1) // 12 + 1):
        t = min((year - y0) * 12 + (12 - m0) + 1, horizon)
        out.append({"scenario": key, "entity": entity, "year": year, "prob": float(1.0 - surv.loc[t])})
    return out
