"""Findings of designed experiments (sweeps, sensitivity analyses) that claim no more than the numbers show.

- A sweep names the point where a metric is highest only when that point is higher than every other point beyond
  noise: its 95% interval lies wholly above every other point's. With one run per point there is no interval,
  so no point is named; a metric equal at every point is said to be so.
- A sensitivity analysis ranks parameters only when the leading index is separated from the next beyond its
  confidence interval (index − half-width above the next one's index + half-width); a metric that took one
  value in every run is influenced by nothing, whatever the indices' noise says.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.report.fmt import param_name, plain, scale_for
from experiments.report.i18n import metric_name, t
from experiments.report.sweep import sweep_metrics, sweep_params
from experiments.store.folder import STATS, stat_column
from sim import metrics

PRIORITY: tuple[str, ...] = metrics.shown_in("findings")


def _pick(names: Sequence[str], k: int) -> list[str]:
    chosen = [m for m in PRIORITY if m in names][:k]
    return chosen or list(names)[:k]


def constant_metrics(outcomes: pd.DataFrame | None) -> set[str]:
    """Outcome columns that took a single value in every run."""
    if outcomes is None:
        return set()
    return {str(c) for c in outcomes.columns if c != "run_id" and outcomes[c].dropna().nunique() <= 1}


def _floats(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def sweep_findings(points: pd.DataFrame, lang: str) -> list[str]:
    """For the headline metrics of a sweep: their range over the points and, when one point is higher than all the
    others beyond noise, that point."""
    params = sweep_params(points)
    if not params:
        return []
    out = []
    for metric in _pick(sweep_metrics(points), 3):
        mean, low, high = (_floats(points[stat_column(metric, s)]) for s in STATS)
        ok = np.isfinite(mean)
        if not ok.any():
            continue
        scale = scale_for(metric, mean[ok])
        name = metric_name(metric, lang)
        lo_text, hi_text = scale.text(mean[ok].min(), lang), scale.text(mean[ok].max(), lang)
        if mean[ok].min() == mean[ok].max():
            out.append(t("f.sweep_const", lang, metric=name, value=lo_text))
            continue
        best = int(np.nanargmax(mean))
        others = np.delete(np.arange(len(mean)), best)
        if not np.isfinite(low[best]) or not np.isfinite(high[others]).all():
            out.append(t("f.sweep_one", lang, metric=name, low=lo_text, high=hi_text))
        elif low[best] > np.max(high[others], initial=-np.inf):
            sep = "，" if lang == "zh" else ", "
            at = sep.join(f"{param_name(p)} = {plain(points[p].iloc[best])}" for p in params)
            ci = f"{scale.text(low[best], lang)} – {scale.text(high[best], lang)}"
            out.append(
                t("f.sweep", lang, metric=name, low=lo_text, high=hi_text, at=at, value=scale.text(mean[best], lang))
                + t("f.sweep_ci", lang, ci=ci)
            )
        else:
            out.append(t("f.sweep_flat", lang, metric=name, low=lo_text, high=hi_text))
    return out


def _separated(values: np.ndarray, half: np.ndarray, i: int) -> bool:
    """Whether index ``i`` (of values sorted high to low) is above index ``i + 1`` beyond both intervals."""
    if i + 1 >= len(values):
        return True
    return bool(values[i] - half[i] > values[i + 1] + half[i + 1])


def sensitivity_findings(indices: pd.DataFrame, lang: str, constant: set[str] = frozenset()) -> list[str]:
    """For each metric: nothing influences it (constant), no parameter stands out (intervals overlap), or the most
    influential parameter (and the next, when it too stands out from the rest)."""
    out = []
    for (method, metric), g in indices.groupby(["method", "metric"], sort=False):
        key = "ST" if method == "sobol" else "mu_star"
        name, kind = metric_name(str(metric), lang), t(f"method.{method}", lang)
        if str(metric) in constant:
            out.append(t("f.sens_const", lang, metric=name))
            continue
        g = g[g[key].notna()].sort_values(key, ascending=False)
        if g.empty:
            continue
        values, half = _floats(g[key]), np.nan_to_num(_floats(g[f"{key}_conf"]), nan=np.inf)
        names = [param_name(str(p)) for p in g["parameter"]]
        shown = "ST" if key == "ST" else "μ*"
        if not _separated(values, half, 0):
            top = "、".join(names[:3]) if lang == "zh" else ", ".join(names[:3])
            out.append(t("f.sens_flat", lang, metric=name, method=kind, index=shown, names=top))
            continue
        then = t("f.sens_then", lang, names=names[1]) if len(names) > 1 and _separated(values, half, 1) else ""
        out.append(
            t(
                "f.sens", lang, metric=name, method=kind, first=names[0], index=shown,
                value=f"{values[0]:.3g} ± {half[0]:.2g}", then=then,
            )
        )  # fmt: skip
    return out
