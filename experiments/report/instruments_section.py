"""The report section "instruments with little or no business": for every product that wrote less than 1% of a
run's new lending, where the funnel from need to loan loses its firms and why (``sim.funnel``)."""

from __future__ import annotations

from typing import Any

from experiments.report.doc import Table
from experiments.report.fmt import scale_for, with_unit
from experiments.report.i18n import t


def little_business(products: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The products of a run summary that had little or no business."""
    return {name: row for name, row in (products or {}).items() if row.get("little_business")}


def why(row: dict[str, Any], lang: str) -> str:
    """The sentence explaining one product's lack of business."""
    fields = {k: float(row.get(k) or 0.0) for k in ("eligible", "open", "worth", "accepted", "cheapest")}
    return t(f"why.{row['reason']}", lang, rival=row.get("beaten_by") or "—", **fields)


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
        [name, f"{r.get('written', 0):,.0f}", scale.num(r.get("written_wan")), why(r, lang)] for name, r in rows.items()
    ]
    return Table("tab-no-business", t("h.no_business", lang), header, body, note=t("n.no_business", lang))
