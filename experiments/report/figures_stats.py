"""Figures of experiment statistics: paired differences, sweep heat maps, sensitivity indices, target odds.

Each function takes the experiment folder's table and returns a ``Figure``; ``lang`` is the language the figure
can be drawn in (see :func:`experiments.report.style.figure_lang`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.report.fmt import month_label, plain, scale_for
from experiments.report.i18n import metric_name, t
from experiments.report.style import GREY, colours, grid, new_figure, safe, style
from experiments.report.sweep import heat_table, sweep_axes, sweep_metrics
from experiments.report.tables import condition


def _ordered(values: Sequence[str], order: Sequence[str] | None) -> list[str]:
    order = [s for s in (order or []) if s in set(values)]
    return order + [v for v in values if v not in order]


def paired_chart(paired: pd.DataFrame, lang: str, order: Sequence[str] | None = None) -> Figure:
    """Each scenario's mean difference from the baseline with its 95% CI; one panel per metric.

    Args:
        paired: rows of ``scenario, baseline, metric, mean_diff, ci_low, ci_high, n``.
        lang: "en" or "zh".
        order: scenario order for colours and rows.
    """
    metrics = [str(m) for m in pd.unique(paired["metric"])]
    names = _ordered([str(s) for s in pd.unique(paired["scenario"])], order)
    col = colours(names, None)
    rows = len(names)
    with style(lang):
        fig, axes = grid(len(metrics), ncols=3, width=10.5, row_height=0.45 * rows + 1.6)
        for ax, metric in zip(axes, metrics, strict=True):
            d = paired[paired["metric"] == metric].set_index("scenario").reindex(names)
            scale = scale_for(metric, d[["mean_diff", "ci_low", "ci_high"]].to_numpy().ravel(), diff=True)
            for y, (s, r) in enumerate(d.iterrows()):
                m, lo, hi = (r[c] * scale.factor for c in ("mean_diff", "ci_low", "ci_high"))
                ax.errorbar([m], [y], xerr=[[m - lo], [hi - m]], fmt="o", color=col[s], capsize=4, ms=6)
            ax.axvline(0, color=GREY, lw=1)
            ax.set_yticks(range(rows), labels=[safe(s) for s in names])
            ax.set_ylim(rows - 0.5, -0.5)
            ax.set_title(metric_name(metric, lang), loc="left", fontsize=10)
            ax.set_xlabel(scale.axis(lang))
        base = str(paired["baseline"].iloc[0]) if "baseline" in paired else ""
        fig.suptitle(safe(t("fig.diff", lang, baseline=base)), fontsize=11)
    return fig


def sweep_heatmaps(points: pd.DataFrame, lang: str, metrics: Sequence[str] | None = None) -> Figure:
    """Mean outcome over two swept parameters (the two whose levels vary most), one panel per metric.

    Args:
        points: rows of ``point, param.<path>..., n, <metric>.mean, <metric>.ci_low, <metric>.ci_high``.
        lang: "en" or "zh".
        metrics: metrics to draw (default: every ``<metric>.mean`` column).
    """
    metrics = list(metrics or sweep_metrics(points))
    x, y = sweep_axes(points)
    with style(lang):
        fig, axes = grid(len(metrics), ncols=2, width=10.5, row_height=3.6)
        for ax, metric in zip(axes, metrics, strict=True):
            table = heat_table(points, metric, x, y)
            _heat(fig, ax, table, metric, lang)
            ax.set_xlabel(x.removeprefix("param."))
            ax.set_ylabel(y.removeprefix("param.") if y else "")
    return fig


def _heat(fig: Figure, ax: Axes, table: pd.DataFrame, metric: str, lang: str) -> None:
    scale = scale_for(metric, table.to_numpy().ravel())
    values = table.to_numpy(dtype=float) * scale.factor
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(table.shape[1]), labels=[plain(v) for v in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), labels=[plain(v) for v in table.index])
    ax.grid(False)
    finite = values[np.isfinite(values)]
    mid = (finite.max() + finite.min()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            text = f"{v:,.{scale.decimals}f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if v < mid else "black")
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(scale.axis(lang))
    ax.set_title(t("fig.mean_of", lang, metric=metric_name(metric, lang)), loc="left", fontsize=10)


def sensitivity_chart(indices: pd.DataFrame, lang: str) -> Figure:
    """First- and total-order Sobol indices (or Morris μ* and σ) with CI whiskers, largest at the top.

    Args:
        indices: rows of ``method, metric, parameter`` and ``S1, S1_conf, ST, ST_conf`` (Sobol) or
            ``mu_star, mu_star_conf, sigma`` (Morris).
        lang: "en" or "zh".
    """
    panels = list(indices.groupby(["method", "metric"], sort=False))
    longest = max(len(g) for _, g in panels)
    with style(lang):
        fig, axes = grid(len(panels), ncols=2, width=10.5, row_height=0.42 * longest + 1.8)
        for ax, ((method, metric), g) in zip(axes, panels, strict=True):
            sobol = method == "sobol"
            keys = ("S1", "ST") if sobol else ("mu_star", "sigma")
            g = g.sort_values(keys[1] if sobol else keys[0], ascending=False)
            ypos = np.arange(len(g))
            for k, (key, shift) in enumerate(zip(keys, (-0.2, 0.2), strict=True)):
                err = g.get(f"{key}_conf")
                ax.barh(
                    ypos + shift,
                    g[key],
                    height=0.38,
                    xerr=err,
                    capsize=3,
                    color=("#4c72b0", "#dd8452")[k],
                    label=t(f"fig.{key}", lang),
                )
            ax.set_yticks(ypos, labels=[safe(str(p).removeprefix("param.")) for p in g["parameter"]])
            ax.set_ylim(len(g) - 0.5, -0.5)
            ax.axvline(0, color=GREY, lw=0.8)
            ax.set_xlabel(t("fig.index", lang))
            ax.set_title(
                f"{metric_name(str(metric), lang)} · {t('method.' + str(method), lang)}",
                loc="left",
                fontsize=10,
            )
            ax.legend(fontsize=8)
    return fig


def target_label(target: dict, lang: str) -> str:
    """A target as drawn in a figure: "Tech-loan balance ≥ 800 (100 million yuan) · 2018-12"."""
    return f"{condition(target, lang, figure=True)} · {month_label(target['date'])}"


def target_chart(targets: pd.DataFrame, lang: str, order: Sequence[str] | None = None) -> Figure:
    """Probability of meeting each target by its date, with its Wilson 95% interval, one row per target.

    Args:
        targets: rows of ``scenario, index, metric, date, op, threshold, label, successes, n, prob, ci_low,
            ci_high`` (optionally ``window_months``, ``base_date``).
        lang: "en" or "zh".
        order: scenario order for colours.
    """
    if "state" in targets:  # out-of-scope targets have no probability to draw
        targets = targets[targets["state"] != "out_of_scope"]
    d = targets.assign(_label=[safe(target_label(r, lang)) for r in targets.to_dict("records")])
    keys = list(pd.unique(d["_label"]))
    names = _ordered([str(s) for s in pd.unique(d["scenario"])], order)
    col = colours(names, None)
    step = 0.7 / max(len(names), 1)
    with style(lang):
        fig = new_figure(8.5, 0.55 * len(keys) * max(1, len(names) / 2) + 1.6)
        ax = fig.add_subplot()
        for k, s in enumerate(names):
            g = d[d["scenario"] == s]
            ys = [keys.index(key) + (k - (len(names) - 1) / 2) * step for key in g["_label"]]
            p, lo, hi = (100 * g[c].to_numpy(dtype=float) for c in ("prob", "ci_low", "ci_high"))
            ax.errorbar(p, ys, xerr=[p - lo, hi - p], fmt="o", color=col[s], capsize=3, label=safe(s))
        ax.set_yticks(range(len(keys)), labels=keys)
        ax.set_ylim(len(keys) - 0.5, -0.5)
        ax.set_xlim(-2, 102)
        ax.axvline(50, color=GREY, lw=0.8, ls=":")
        ax.set_xlabel(t("fig.prob", lang) + " (%)")
        ax.legend(fontsize=8, loc="lower right")
    return fig
