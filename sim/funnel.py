"""Why a product does (or does not) do business: the funnel from a firm's need to a written loan, per product.

Each month, for every firm with a financing need (a firm-month), the market reports which products the firm was
eligible for, which of those were open (within their availability window, lender and risk sharers taking
business with room), which were worth their cost (all-in cost below the firm's investment return), which the
lender and every risk sharer accepted and that fit the room left, and which of the accepted offers was the
firm's cheapest. The loans written come from the book. A product with little business is diagnosed at the step
where it loses most firms (``diagnose``): no eligible firms, not yet available, capacity, priced out, refused,
dominated by a cheaper product (named), or lost at origination (not seen, room taken by earlier firms).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from sim.products import ProductTable

STEPS = ("need", "eligible", "open", "worth", "accepted", "cheapest", "written")
#: Reason codes of ``diagnose``, in funnel order: the step where a product loses most firms.
REASONS = {
    "eligible": "no_eligible_firms",
    "open": "capacity",
    "worth": "priced_out",
    "accepted": "refused",
    "cheapest": "dominated",
    "written": "origination",
}
#: Every reason code, in funnel order (a run's outcomes row stores the index: ``product.<name>.reason_code``).
REASON_CODES = (
    "no_eligible_firms",
    "not_yet_available",
    "capacity",
    "priced_out",
    "refused",
    "dominated",
    "origination",
)
LITTLE_SHARE = 0.01  # a product writing less than this share of the run's new lending has "little business"


class ProductFunnel:
    """Firm-months at each step of the funnel, per product, over a run."""

    def __init__(self, products: ProductTable) -> None:
        self.pr = products
        n = len(products.names)
        self.counts = {s: np.zeros(n) for s in STEPS}
        self.not_yet = np.zeros(n)  # eligible firm-months while the product was outside its window
        self.beaten = np.zeros((n, n))  # [p, q]: accepted for p, q was cheaper
        self.written_wan = np.zeros(n)

    def observe(self, n_firms: int, counts: np.ndarray, beaten: np.ndarray) -> None:
        """One month's matching of ``n_firms`` firms with a need: per product, the firms eligible, eligible while
        outside the product's window, open, worth it, accepted and cheapest (``counts``, (6, products)) and
        ``beaten`` (products, products), as counted by the month's offers (``sim.offers``,
        ``sim.kernels.funnel_add``)."""
        self.counts["need"] += n_firms
        c = self.counts
        totals = (c["eligible"], self.not_yet, c["open"], c["worth"], c["accepted"], c["cheapest"])
        for total, row in zip(totals, counts, strict=True):
            total += row  # in place: the arrays in ``counts`` and ``not_yet``
        self.beaten += beaten

    def written(self, prod: np.ndarray, amount: np.ndarray) -> None:
        """Loans written this month (product, amount)."""
        n = len(self.pr.names)
        self.counts["written"] += np.bincount(prod, minlength=n)
        self.written_wan += np.bincount(prod, weights=amount, minlength=n)

    def diagnose(self, p: int) -> tuple[str, str | None]:
        """(reason code, the product that beat it when the reason is ``dominated``) for product ``p``: the funnel
        step with the smallest pass-through ratio."""
        c = {s: self.counts[s][p] for s in STEPS}
        c["need"] = self.counts["need"].max()
        ratios = {}
        for prev, step in pairwise(STEPS):
            ratios[step] = c[step] / c[prev] if c[prev] > 0 else 0.0
            if c[step] == 0:
                break
        step = min(ratios, key=lambda s: ratios[s])
        reason = REASONS[step]
        if reason == "capacity" and self.not_yet[p] > 0.5 * (c["eligible"] - c["open"]):
            reason = "not_yet_available"
        rival = None
        if reason == "dominated" and self.beaten[p].sum() > 0:
            rival = self.pr.names[int(np.argmax(self.beaten[p]))]
        return reason, rival

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per product (the legacy stock excluded): the funnel counts, loans and amount written, whether it had
        little business (under ``LITTLE_SHARE`` of the run's new lending) and, if so, why."""
        total = float(self.written_wan[:-1].sum())
        out = {}
        for p, name in enumerate(self.pr.names[:-1]):
            row: dict[str, Any] = {s: float(self.counts[s][p]) for s in STEPS if s != "need"}
            row["written_wan"] = float(self.written_wan[p])
            row["share_of_lending"] = row["written_wan"] / total if total > 0 else 0.0
            little = row["share_of_lending"] < LITTLE_SHARE
            row["little_business"] = little
            row["reason"], row["beaten_by"] = self.diagnose(p) if little else (None, None)
            out[name] = row
        return out
