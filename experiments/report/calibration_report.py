"""The calibration section of a report: the fit table and the fitted parameters' distributions.

Reads ``fit.parquet`` and ``trials.parquet`` written by ``experiments.calibration.run``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.report.doc import Fig, Heading, Table
from experiments.report.i18n import metric_name, t
from experiments.report.style import GREY, PALETTE, grid, safe, style


def _g(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.4g}"


def fit_table(fit: pd.DataFrame, lang: str) -> Table:
    """Target, observed ± sd, the best candidate's value, the accepted sets' range, z, source."""
    rows = [
        [
            f"{metric_name(r.metric, lang)} ({r.stat})",
            f"{_g(r.observed)} ± {_g(r.sd)}",
            _g(r.model_best),
            f"{_g(r.accepted_low)} – {_g(r.accepted_high)}",
            f"{r.z:+.2f}",
            r.source or "—",
        ]
        for r in fit.itertuples()
    ]
    header = [t(f"cal.col.{c}", lang) for c in ("target", "observed", "best", "accepted", "z", "source")]
    return Table("tab-fit", t("cal.table", lang), header, rows)


def parameters_figure(trials: pd.DataFrame, lang: str) -> Figure:
    """Each parameter: the accepted candidates' distribution (posterior sample), all trials, the best; and χ²
    by trial."""
    params = [c for c in trials.columns if c.startswith("param.")]
    best = trials.loc[trials["chi2"].idxmin()]
    acc = trials[trials["accepted"]]
    with style(lang):
        fig, axes = grid(len(params) + 1, ncols=3, width=11.0, row_height=2.6)
        for ax, col in zip(axes, params, strict=False):
            ax.hist(trials[col], bins=20, color=GREY, alpha=0.35, label=safe(t("cal.s.all", lang)))
            if len(acc):
                ax.hist(acc[col], bins=20, color=PALETTE[0], alpha=0.7, label=safe(t("cal.s.accepted", lang)))
            ax.axvline(best[col], color=PALETTE[1], lw=2, label=safe(t("cal.s.best", lang)))
            ax.set_title(col.removeprefix("param."), loc="left", fontsize=9)
        axes[0].legend(frameon=False, fontsize=7)
        ax = axes[-1]
        ax.plot(trials["trial"], np.minimum(trials["chi2"], np.nanpercentile(trials["chi2"], 95)), ".", color=GREY)
        ax.plot(trials["trial"], trials["chi2"].cummin(), "-", color=PALETTE[1])
        ax.set_yscale("log")
        ax.set_xlabel(safe(t("cal.x.trial", lang)))
        ax.set_title("χ²", loc="left", fontsize=9)
    return fig


def calibration_section(fit: pd.DataFrame, trials: pd.DataFrame | None, lang: str, flang: str) -> list:
    """Heading, fit table and the parameters figure."""
    out: list = [Heading(t("h.calibration", lang), "sec-calibration"), fit_table(fit, lang)]
    if trials is not None and not trials.empty:
        out.append(Fig("fig-parameters", t("cal.cap", lang), parameters_figure(trials, flang)))
    return out


def calibration_findings(fit: pd.DataFrame, trials: pd.DataFrame | None, lang: str) -> list[str]:
    """Trials and accepted sets; each target's fit in words."""
    out = []
    if trials is not None and len(trials):
        out.append(
            t(
                "cal.f.trials",
                lang,
                trials=len(trials),
                accepted=int(trials["accepted"].sum()),
                chi2=_g(float(trials["chi2"].min())),
            )
        )
    for r in fit.itertuples():
        out.append(
            t(
                "cal.f.target",
                lang,
                metric=metric_name(r.metric, lang),
                observed=_g(r.observed),
                sd=_g(r.sd),
                model=_g(r.model_best),
                z=f"{r.z:+.2f}",
            )
        )
    return out
