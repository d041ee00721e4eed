"""Venture and guidance funds 创业投资基金 / 政府引导基金 as loss-bearing parties (投贷联动; Shanxi 004 §五(一)
"风险补偿金+银行+融资担保或创业投资基金"; Panzhihua 001 §四(三)1 投贷联动试点).

A fund sets money aside to bear its share of the losses on loans to firms it knows — its portfolio (VC-backed
firms) — which lets the bank lend them more, as a guarantor's share does. It screens on a sharper view of
quality than a bank, takes new cover only up to a multiple of the money it holds, and pays claims from that
money (``sim.waterfall`` rations it like any other entity). A public guidance fund's payouts are public money.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.accounts import Account
from sim.schema import VentureFundParams


class VentureFund(mesa.Agent):
    """A fund bearing the ``vc`` share of the products that name it."""

    def __init__(self, model: mesa.Model, params: VentureFundParams, index: int, start: str) -> None:
        super().__init__(model)
        self.p = params
        self.name = params.name
        self.index = index
        self.account = Account(f"vc:{params.name}", params.capital_wan)
        self.start = params.start or start
        self.covered_wan = 0.0
        self.claims_month_wan = self.claims_total_wan = 0.0

    @property
    def balance_wan(self) -> float:
        """Money held to bear claims."""
        return self.account.balance

    def open_for_business(self, label: str) -> bool:
        """Takes new cover from its start month while it holds money."""
        return label >= self.start and self.balance_wan > 0

    def headroom_wan(self) -> float:
        """Covered balance it can still add: m × money held − covered balance (no limit without a multiple)."""
        if self.p.leverage_multiple is None:
            return float("inf")
        return max(self.p.leverage_multiple * self.account.available() - self.covered_wan, 0.0)

    def screens(self, pd_hat: np.ndarray, vc_backed: np.ndarray, label: str) -> np.ndarray:
        """Covers firms within its PD appetite (only its portfolio when ``portfolio_only``), once open."""
        ok = pd_hat <= self.p.max_pd
        if self.p.portfolio_only:
            ok &= vc_backed
        return ok & self.open_for_business(label)

    def book_cover(self, amount_wan: float) -> None:
        """New covered loans (its share of them) add to the covered balance."""
        self.covered_wan += amount_wan

    def pay_claims(self, amount_wan: float) -> None:
        """Its share of defaulted loans' losses (rationed to its money by the waterfall)."""
        self.account.pay(amount_wan, "claim")
        self.claims_month_wan += amount_wan
        self.claims_total_wan += amount_wan

    def close_month(self, covered_wan: float) -> None:
        """True up the covered balance from the book."""
        self.covered_wan = covered_wan

    def start_month(self) -> None:
        """Reset monthly counters."""
        self.claims_month_wan = 0.0

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table."""
        return {
            "balance_wan": self.balance_wan,
            "covered_balance_wan": self.covered_wan,
            "claims_wan": self.claims_month_wan,
        }
