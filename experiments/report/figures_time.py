"""Figures over time: fan charts across replicates, a single run's monthly lines, depletion survival curves.

Each function takes tidy DataFrames (the experiment folder's layout) and returns a ``Figure``; ``lang`` is the
language the figure can be drawn in (see :func:`experiments.report.style.figure_lang`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.report.fmt import scale_for
from experiments.report.i18n import entity_name, metric_name, t
from experiments.report.style import GREY, colours, grid, new_figure, safe, style


def _dates(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


def _order(names: Sequence[str] | None, present: Sequence[str], baseline: str | None) -> list[str]:
    """Scenarios to draw, the baseline first so that it lies beneath the others."""
    names = [s for s in (names or present) if s in set(present)]
    names += [s for s in present if s not in names]
    return sorted(names, key=lambda s: s != baseline)


def fan_chart(
    bands: pd.DataFrame,
    metric: str,
    lang: str,
    baseline: str | None = None,
    order: Sequence[str] | None = None,
) -> Figure:
    """Median and 10–90% band of ``metric`` per scenario over calendar time; the baseline in grey.

    Args:
        bands: rows of ``scenario, month, date, metric, median, p10, p90``.
        metric: the metric to draw.
        lang: "en" or "zh".
        baseline: the scenario drawn in grey, if any.
        order: scenario order for colours and legend.
    """
    d = bands[bands["metric"] == metric]
    scale = scale_for(metric, d[["median", "p10", "p90"]].to_numpy().ravel())
    names = _order(order, [str(s) for s in pd.unique(d["scenario"])], baseline)
    col = colours(names, baseline)
    with style(lang):
        fig = new_figure(7.0, 3.4)
        ax = fig.add_subplot()
        for s in names:
            g = d[d["scenario"] == s].sort_values("month")
            x = _dates(g["date"])
            ax.fill_between(x, g["p10"] * scale.factor, g["p90"] * scale.factor, color=col[s], alpha=0.18, lw=0)
            ax.plot(x, g["median"] * scale.factor, color=col[s], lw=2.2 if s != baseline else 1.6, label=safe(s))
        _label(ax, metric_name(metric, lang), scale.axis(lang), t("fig.date", lang))
        ax.legend(title=t("fig.band", lang), fontsize=8, title_fontsize=8)
    return fig


def run_chart(monthly: pd.DataFrame, metric: str, lang: str) -> Figure:
    """One run's ``metric`` month by month over calendar time."""
    scale = scale_for(metric, monthly[metric])
    with style(lang):
        fig = new_figure(7.0, 3.0)
        ax = fig.add_subplot()
        ax.plot(_dates(monthly["date"]), monthly[metric] * scale.factor, color="#1f77b4", lw=2)
        _label(ax, metric_name(metric, lang), scale.axis(lang), t("fig.date", lang))
    return fig


def _label(ax: Axes, title: str, ylabel: str, xlabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)


def survival_chart(
    survival: pd.DataFrame,
    lang: str,
    horizon: Mapping[str, int] | None = None,
    baseline: str | None = None,
    order: Sequence[str] | None = None,
) -> Figure:
    """Kaplan–Meier curves of time to depletion, one panel per fund (pool or guarantor capital).

    Steps start at 100% in month 0; the shaded band is the curve's 95% CI; a tick at a curve's end marks the
    runs still solvent there (censored); a dashed vertical line marks each scenario's plan horizon.

    Args:
        survival: rows of ``scenario, entity, month, survival, ci_low, ci_high, at_risk, events``.
        lang: "en" or "zh".
        horizon: plan horizon in months per scenario.
        baseline: the scenario drawn in grey, if any.
        order: scenario order for colours and legend.
    """
    entities = [str(e) for e in pd.unique(survival["entity"])]
    names = _order(order, [str(s) for s in pd.unique(survival["scenario"])], baseline)
    col = colours(names, baseline)
    with style(lang):
        fig, axes = grid(len(entities), ncols=2, width=10.0, row_height=3.4)
        for ax, entity in zip(axes, entities, strict=True):
            for s in names:
                g = survival[(survival["entity"] == entity) & (survival["scenario"] == s)].sort_values("month")
                if len(g):
                    _curve(ax, g, col[s], safe(s))
            _horizons(ax, horizon or {}, names, col, lang)
            ax.set_ylim(-2, 102)
            _label(ax, safe(entity_name(entity, lang)), t("fig.survival", lang) + " (%)", t("fig.month", lang))
        axes[0].legend(fontsize=8)
    return fig


def _curve(ax: Axes, g: pd.DataFrame, colour: str, label: str) -> None:
    x = np.concatenate([[0], g["month"].to_numpy(dtype=float)])
    y = 100 * np.concatenate([[1.0], g["survival"].to_numpy(dtype=float)])
    ax.step(x, y, where="post", color=colour, lw=2, label=label)
    if {"ci_low", "ci_high"} <= set(g.columns):
        lo = 100 * np.concatenate([[1.0], g["ci_low"].to_numpy(dtype=float)])
        hi = 100 * np.concatenate([[1.0], g["ci_high"].to_numpy(dtype=float)])
        ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
    last = g.iloc[-1]
    censored = float(last.get("at_risk", 1) or 0) - float(last.get("events", 0) or 0)
    if censored > 0:
        ax.plot([x[-1]], [y[-1]], marker="|", ms=14, mew=2, color=colour, ls="none")


def _horizons(ax: Axes, horizon: Mapping[str, int], names: Sequence[str], col: Mapping[str, str], lang: str) -> None:
    months = {s: horizon[s] for s in names if s in horizon}
    single = len(set(months.values())) == 1
    for i, (s, h) in enumerate(months.items()):
        if single and i > 0:
            break
        label = t("fig.horizon", lang) + ("" if single else f" ({safe(s)})")
        ax.axvline(h, ls="--", lw=1.2, color=GREY if single else col[s], label=label)
