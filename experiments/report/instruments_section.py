"""The report section "instruments with little or no business": for every product that wrote less than 1% of a
run's new lending, where the funnel from need to loan loses its firms and why (``sim.funnel``)."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from experiments.report.doc import Table
from experiments.report.entities import entity
from experiments.report.fmt import scale_for, with_unit
from experiments.report.i18n import t
from sim.funnel import REASON_CODES


def little_business(products: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The products of a run summary that had little or no business."""
    return {name: row for name, row in (products or {}).items() if row.get("little_business")}


def why(row: dict[str, Any], lang: str) -> str:
    """The sentence explaining one product's lack of business."""
    fields = {k: float(row.get(k) or 0.0) for k in ("eligible", "open", "worth", "accepted", "cheapest")}
    rival = entity("product", str(row["beaten_by"]), lang) if row.get("beaten_by") else "—"
    return t(f"why.{row['reason']}", lang, rival=rival, **fields)


def no_business_table(products: dict[str, dict[str, Any]], lang: str) -> Table | None:
    """The section's table, or None when every product did business."""
    rows = little_business(products)
    if not rows:
        return None
    scale = scale_for("new_loans_wan", [r.get("written_wan") for r in rows.values()])
    header = [
        t("col.product", lang),
        t("col.loans_written", lang),
        with_unit(t("col.written_amount", lang), scale, lang),
        t("col.why", lang),
    ]
    body = [
        [entity("product", name, lang), f"{r.get('written', 0):,.0f}", scale.num(r.get("written_wan")), why(r, lang)]
        for name, r in rows.items()
    ]
    return Table("tab-no-business", t("h.no_business", lang), header, body, note=t("n.no_business", lang))


def no_business_across_runs(outcomes: pd.DataFrame, runs: pd.DataFrame | None, lang: str) -> Table | None:
    """Across the runs of an experiment: per scenario and product with little business in at least one run, in
    how many runs, the mean loans written and the most common reason (``product.<name>.*`` outcomes)."""
    if "scenario" not in outcomes.columns and runs is not None and {"run_id", "scenario"} <= set(runs.columns):
        outcomes = outcomes.merge(runs[["run_id", "scenario"]], on="run_id")
    if "scenario" not in outcomes.columns:
        return None
    names = sorted({m.group(1) for c in outcomes.columns if (m := re.fullmatch(r"product\.(.+)\.little_business", c))})
    rows = []
    for scen, g in outcomes.groupby("scenario", sort=False):
        for name in names:
            little = g[f"product.{name}.little_business"].dropna()
            if little.empty or not little.astype(bool).any():
                continue
            codes = g.get(f"product.{name}.reason_code", pd.Series(dtype=float)).dropna()
            reason = REASON_CODES[int(codes.mode().iloc[0])] if not codes.empty else None
            written = g[f"product.{name}.written"].mean()
            rows.append(
                [
                    str(scen),
                    entity("product", name, lang),
                    f"{int(little.astype(bool).sum())} / {little.size}",
                    f"{written:,.0f}",
                    t(f"reason.{reason}", lang) if reason else "—",
                ]
            )
    if not rows:
        return None
    header = [t(k, lang) for k in ("col.scenario", "col.product", "col.runs_little", "col.loans_mean", "col.why")]
    return Table("tab-no-business-runs", t("h.no_business", lang), header, rows, note=t("n.no_business", lang))
