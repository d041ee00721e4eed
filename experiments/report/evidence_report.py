"""The evidence section of a report: the checks' table, one panel per check, and the response curves.

Reads ``evidence.parquet`` (one row per check), ``evidence_values.parquet`` (one value per check and seed) and
``evidence_curves.parquet`` written by ``experiments.evidence.run``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.special import ndtri

from experiments.report.doc import Fig, Heading, Table
from experiments.report.i18n import t
from experiments.report.style import GREY, PALETTE, grid, new_figure, safe, style

SCALE = {"share": (100.0, "%"), "pp": (100.0, "pp"), "ratio": (1.0, ""), "x": (1.0, "×")}


def _num(v: float | None, unit: str) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    factor, suffix = SCALE.get(unit, (1.0, ""))
    x = float(v) * factor
    return f"{x:+.2f}{suffix}" if unit == "pp" else f"{x:.3g}{suffix}" if unit == "ratio" else f"{x:.2f}{suffix}"


def _range(low: float | None, high: float | None, unit: str) -> str:
    lo = None if low is None or (isinstance(low, float) and math.isnan(low)) else low
    hi = None if high is None or (isinstance(high, float) and math.isnan(high)) else high
    if lo is not None and hi is not None:
        return f"{_num(lo, unit)} … {_num(hi, unit)}"
    return f"≥ {_num(lo, unit)}" if lo is not None else f"≤ {_num(hi, unit)}"


def evidence_table(summary: pd.DataFrame, lang: str) -> Table:
    """Check, what is known, source, the range, the model's mean [95% CI] and the verdict."""
    rows = []
    for r in summary.itertuples():
        claim = r.claim_zh if lang == "zh" else r.claim
        model = f"{_num(r.mean, r.unit)} [{_num(r.ci_low, r.unit)}, {_num(r.ci_high, r.unit)}]"
        rows.append([r.check, claim, r.source, _range(r.low, r.high, r.unit), model, t(f"ev.{bool(r.passed)}", lang)])
    header = [t(f"ev.col.{c}", lang) for c in ("check", "claim", "source", "range", "model", "verdict")]
    rule = ", ".join(sorted(set(summary["rule"])))
    return Table("tab-evidence", t("ev.table", lang), header, rows, note=t("ev.rule", lang, rule=rule))


def checks_figure(summary: pd.DataFrame, values: pd.DataFrame, lang: str) -> Figure:
    """One panel per check: each seed's value, the mean with its 95% interval, and the range to land in."""
    with style(lang):
        fig, axes = grid(len(summary), ncols=4, width=12.0, row_height=1.9)
        for ax, r in zip(axes, summary.itertuples(), strict=True):
            factor = SCALE.get(r.unit, (1.0, ""))[0]
            v = values.loc[values["check"] == r.check, "value"].to_numpy(dtype=float) * factor
            lo = -np.inf if r.low is None or pd.isna(r.low) else r.low * factor
            hi = np.inf if r.high is None or pd.isna(r.high) else r.high * factor
            span = [x for x in (lo, hi, *v, r.ci_low * factor, r.ci_high * factor) if np.isfinite(x)]
            pad = 0.15 * (max(span) - min(span) or 1.0)
            left, right = min(span) - pad, max(span) + pad
            ax.axvspan(max(lo, left), min(hi, right), color="#2ca02c", alpha=0.15, lw=0)
            ax.scatter(v, np.zeros_like(v) + 0.3, s=14, color=GREY, zorder=3)
            colour = PALETTE[0] if r.passed else PALETTE[1]
            m = r.mean * factor
            ax.errorbar(
                [m],
                [0.0],
                xerr=[[m - r.ci_low * factor], [r.ci_high * factor - m]],
                fmt="o",
                color=colour,
                capsize=4,
                ms=6,
            )
            ax.set_xlim(left, right)
            ax.set_ylim(-0.6, 0.9)
            ax.set_yticks([])
            ax.set_title(f"{r.check}  {SCALE.get(r.unit, (1.0, ''))[1]}".rstrip(), loc="left", fontsize=9)
        fig.suptitle(safe(t("ev.fig.checks", lang)), fontsize=11)
    return fig


def _curve(curves: pd.DataFrame, name: str) -> pd.DataFrame:
    d = curves[curves["curve"] == name]
    return d.groupby(["series", "x"])["value"].agg(["mean", "min", "max"]).reset_index()


def response_figure(curves: pd.DataFrame, lang: str) -> Figure:
    """The demand response to a subsidy, additionality against cover, default curves with and without cover,
    and one-year default rates against the Vasicek distribution."""
    with style(lang):
        fig = new_figure(12.0, 6.4)
        axes = fig.subplots(2, 2).ravel()
        d = _curve(curves, "subsidy")
        axes[0].plot(d["x"] * 100, d["mean"] * 100, "o-", color=PALETTE[0])
        axes[0].fill_between(d["x"] * 100, d["min"] * 100, d["max"] * 100, color=PALETTE[0], alpha=0.15)
        axes[0].set_xlabel(safe(t("ev.x.subsidy", lang)))
        axes[0].set_ylabel(safe(t("ev.y.balance", lang)))
        axes[0].set_title(safe(t("ev.t.subsidy", lang)), loc="left", fontsize=10)
        d = _curve(curves, "coverage")
        axes[1].plot(d["x"] * 100, d["mean"], "o-", color=PALETTE[0])
        axes[1].fill_between(d["x"] * 100, d["min"], d["max"], color=PALETTE[0], alpha=0.15)
        axes[1].axhspan(0.3, 1.0, color="#2ca02c", alpha=0.1, lw=0)
        axes[1].axhline(0.65, color=GREY, lw=1, ls="--")
        axes[1].set_xlabel(safe(t("ev.x.cover", lang)))
        axes[1].set_ylabel(safe(t("ev.y.add", lang)))
        axes[1].set_title(safe(t("ev.t.cover", lang)), loc="left", fontsize=10)
        d = _curve(curves, "vintage")
        for i, series in enumerate(("covered", "without")):
            s = d[d["series"] == series]
            axes[2].plot(s["x"], s["mean"] * 100, "-", color=PALETTE[i], label=safe(t(f"ev.s.{series}", lang)))
        axes[2].set_xlabel(safe(t("ev.x.months", lang)))
        axes[2].set_ylabel(safe(t("ev.y.default", lang)))
        axes[2].legend(frameon=False, fontsize=8)
        axes[2].set_title(safe(t("ev.t.vintage", lang)), loc="left", fontsize=10)
        rates = curves.loc[curves["curve"] == "vasicek", "value"].to_numpy(dtype=float) * 100
        axes[3].hist(rates, bins=12, density=True, color=PALETTE[0], alpha=0.5, label=safe(t("ev.s.model", lang)))
        grid_x = np.linspace(max(rates.min() * 0.5, 0.01), rates.max() * 1.3 if rates.size else 10, 200)
        axes[3].plot(
            grid_x, vasicek_pdf(grid_x / 100, 0.03, 0.12) / 100, color=PALETTE[1], label=safe(t("ev.s.vasicek", lang))
        )
        axes[3].set_xlabel(safe(t("ev.x.rate", lang)))
        axes[3].legend(frameon=False, fontsize=8)
        axes[3].set_title(safe(t("ev.t.vasicek", lang)), loc="left", fontsize=10)
    return fig


def vasicek_pdf(x: np.ndarray, pd_: float, rho: float) -> np.ndarray:
    """Density of the one-year default rate of an infinite pool (Vasicek)."""
    k, inv = ndtri(pd_), ndtri(np.clip(x, 1e-12, 1 - 1e-12))
    return np.sqrt((1 - rho) / rho) * np.exp(0.5 * inv**2 - (np.sqrt(1 - rho) * inv - k) ** 2 / (2 * rho))


def evidence_findings(summary: pd.DataFrame, lang: str) -> list[str]:
    """How many checks hold, and each that does not with its value and range."""
    held = int(summary["passed"].sum())
    out = [t("ev.f.count", lang, held=held, total=len(summary))]
    for r in summary[~summary["passed"]].itertuples():
        out.append(t("ev.f.fail", lang, check=r.check, value=_num(r.mean, r.unit), range=_range(r.low, r.high, r.unit)))
    return out


def evidence_section(
    summary: pd.DataFrame, values: pd.DataFrame | None, curves: pd.DataFrame | None, lang: str, flang: str
) -> list:
    """Heading, the checks' table, the per-check panels and the response curves (those present)."""
    out: list = [Heading(t("h.evidence", lang), "sec-evidence"), evidence_table(summary, lang)]
    if values is not None and not values.empty:
        out.append(Fig("fig-evidence", t("ev.cap.checks", lang), checks_figure(summary, values, flang)))
    if (
        curves is not None
        and not curves.empty
        and {"subsidy", "coverage", "vintage", "vasicek"} <= set(curves["curve"])
    ):
        out.append(Fig("fig-responses", t("ev.cap.responses", lang), response_figure(curves, flang)))
    return out


__all__ = ["evidence_findings", "evidence_section", "evidence_table", "vasicek_pdf"]
