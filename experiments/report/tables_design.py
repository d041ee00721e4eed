"""Tables of designed experiments: sweep points and sensitivity indices."""

from __future__ import annotations

import pandas as pd

from experiments.report.doc import Table
from experiments.report.fmt import Scale, ci, param_name, plain, scale_for, with_unit
from experiments.report.i18n import metric_name, t
from experiments.report.sweep import sweep_metrics, sweep_params
from experiments.report.tables import MAX_ROWS, by_metric
from experiments.store.folder import STATS, stat_column

INDEX = Scale("", 1.0, 3)
"""Sobol indices are shares of variance: three decimals, no unit."""


def points_table(points: pd.DataFrame, lang: str) -> Table:
    """One row per design point: its parameter levels and each metric's mean with its 95% CI."""
    params = sweep_params(points)
    metrics = sweep_metrics(points)
    scales = {m: scale_for(m, points[[stat_column(m, "mean")]].to_numpy().ravel()) for m in metrics}
    header = [t("col.point", lang), *(param_name(p) for p in params)]
    header += [
        with_unit(f"{metric_name(m, lang)} {t('col.mean', lang)} {t('col.ci', lang)}", scales[m], lang) for m in metrics
    ]
    rows = []
    for _, r in points.head(MAX_ROWS).iterrows():
        row = [plain(r["point"]) if "point" in points else "", *(plain(r[p]) for p in params)]
        for m in metrics:
            s = scales[m]
            mean, low, high = (r[stat_column(m, k)] for k in STATS)
            row.append(f"{s.num(mean)} {ci(s, low, high)}")
        rows.append(row)
    note = t("rows.capped", lang, shown=MAX_ROWS, total=len(points)) if len(points) > MAX_ROWS else ""
    return Table("tab-points", t("h.sweep", lang), header, rows, note)


def indices_tables(indices: pd.DataFrame, lang: str) -> list[Table]:
    """One table per method: Sobol S1/ST with confidence half-widths, or Morris μ*, its CI and σ."""
    tables = []
    for method, g in indices.groupby("method", sort=False):
        sobol = method == "sobol"
        key = "sobol" if sobol else "morris"
        rows = [_sobol_rows(m, d, lang) if sobol else _morris_rows(m, d, lang) for m, d in by_metric(g)]
        header = [t("col.metric", lang), t("col.parameter", lang)]
        header += ["S1", "S1 ±", "ST", "ST ±"] if sobol else ["μ*", "μ* ±", "σ"]
        tables.append(
            Table(
                f"tab-indices-{key}",
                f"{t('h.sensitivity', lang)} · {t('method.' + key, lang)}",
                header,
                [r for block in rows for r in block],
            )
        )
    return tables


def _sobol_rows(metric: str, g: pd.DataFrame, lang: str) -> list[list[str]]:
    name = metric_name(metric, lang)
    g = g.sort_values("ST", ascending=False)
    return [
        [
            name,
            param_name(str(r.parameter)),
            INDEX.num(r.S1),
            INDEX.num(r.S1_conf),
            INDEX.num(r.ST),
            INDEX.num(r.ST_conf),
        ]
        for r in g.itertuples(index=False)
    ]


def _morris_rows(metric: str, g: pd.DataFrame, lang: str) -> list[list[str]]:
    scale = scale_for(metric, g[["mu_star", "sigma"]].to_numpy().ravel(), diff=True)
    if scale.unit in ("", "x", "months"):
        scale = Scale(scale.unit, scale.factor, max(scale.decimals, 3))
    name = with_unit(metric_name(metric, lang), scale, lang)
    g = g.sort_values("mu_star", ascending=False)
    return [
        [name, param_name(str(r.parameter)), scale.num(r.mu_star), scale.num(r.mu_star_conf), scale.num(r.sigma)]
        for r in g.itertuples(index=False)
    ]
