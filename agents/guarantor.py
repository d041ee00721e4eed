"""Financing guarantors 融资担保 and the provincial re-guarantor 再担保."""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from sim.accounts import Account
from sim.schema import GuarantorParams


@njit(cache=True, nogil=True, error_model="numpy")
def takes(pd_hat, assets_wan, liability_wan, max_pd, single_limit_wan, counter_guarantee, open_):
    """The guarantor's screen of one application (scalars in the compiled matching, ``sim.offers``; arrays from
    ``Guarantor.screens``): estimated PD within appetite, the liability within the single-borrower limit and, if
    it asks for a counter-guarantee 反担保, covered by the firm's assets; only while open for business."""
    ok = (pd_hat <= max_pd) & (liability_wan <= single_limit_wan)
    if counter_guarantee:
        ok = ok & (assets_wan >= liability_wan)
    return ok & open_


class Guarantor(mesa.Agent):
    """A guarantor with net assets, a leverage cap, screening and a monthly profit and loss."""

    def __init__(self, model: mesa.Model, params: GuarantorParams, index: int) -> None:
        super().__init__(model)
        self.p = params
        self.name = params.name
        self.index = index
        self.account = Account(f"guarantor:{params.name}", params.net_assets_wan)
        self.balance_wan = 0.0
        self.claims_month_wan = self.fees_month_wan = self.injected_month_wan = 0.0
        self.claims_total_wan = 0.0
        self.injections = dict(params.injections)
        self.paid_in_wan = params.net_assets_wan  # capital put in: the initial net assets plus injections
        self.insolvent_month: str | None = None

    @property
    def net_assets_wan(self) -> float:
        """Net assets: what it holds to pay claims, in both its roles."""
        return self.account.balance

    def open_for_business(self) -> bool:
        """New guarantees only while solvent and above the floor."""
        return self.net_assets_wan > max(self.p.floor_wan, 0.0)

    def screens(self, pd_hat: np.ndarray, assets_wan: np.ndarray, liability_wan: np.ndarray) -> np.ndarray:
        """Accept by estimated PD, counter-guarantee 反担保 and the single-borrower limit (``takes``)."""
        return takes(pd_hat, assets_wan, liability_wan, *self.terms())

    def terms(self) -> tuple[float, float, bool, bool]:
        """This month's terms of its screen (``takes``): appetite, single-borrower limit, counter-guarantee, open."""
        p = self.p
        return p.max_pd, p.single_borrower_share * self.net_assets_wan, p.counter_guarantee, self.open_for_business()

    def headroom_wan(self) -> float:
        """Guarantee balance it still writes: up to its target leverage, never beyond the regulatory cap."""
        limit = min(self.p.leverage_cap, self.p.target_leverage or self.p.leverage_cap)
        return max(limit * max(self.net_assets_wan, 0.0) - self.balance_wan, 0.0)

    def book_guarantees(self, liability_wan: float) -> None:
        """Add new guarantees to the balance."""
        self.balance_wan += liability_wan

    def collect_fees(self, amount_wan: float, kind: str = "fee") -> None:
        """Guarantee fees (``kind="fee"``) or re-guarantee fees (``"reguarantee_fee"``) received."""
        self.account.receive(amount_wan, kind)
        self.fees_month_wan += amount_wan

    def pay_fees(self, amount_wan: float) -> None:
        """Re-guarantee fees paid to the re-guarantor."""
        self.account.pay(amount_wan, "reguarantee_fee")
        self.fees_month_wan -= amount_wan

    def pay_claims(self, amount_wan: float) -> None:
        """Compensation paid to banks on defaults, in either role (the waterfall rations it to net assets)."""
        self.account.pay(amount_wan, "claim")
        self.claims_month_wan += amount_wan
        self.claims_total_wan += amount_wan

    def close_month(self, balance_wan: float, month_label: str) -> float:
        """Investment income less opex, scheduled injections; returns the injection (public money)."""
        self.balance_wan = balance_wan
        if self.net_assets_wan > 0:
            base = self.net_assets_wan
            self.account.receive(base * self.p.investment_rate / 12.0, "investment")
            self.account.pay(base * self.p.opex_rate / 12.0, "opex")
        injected = self.injections.get(month_label, 0.0)
        self.account.receive(injected, "injection")
        self.injected_month_wan = injected
        self.paid_in_wan += injected
        if self.net_assets_wan <= 1e-6 and self.insolvent_month is None:
            self.insolvent_month = month_label
        return injected

    def leverage(self) -> float:
        """Guarantee balance ÷ net assets (inf when insolvent with business outstanding)."""
        if self.net_assets_wan <= 0:
            return float("inf") if self.balance_wan > 0 else 0.0
        return self.balance_wan / self.net_assets_wan

    def start_month(self, month: int) -> None:
        """Reset monthly counters."""
        self.claims_month_wan = self.fees_month_wan = self.injected_month_wan = 0.0

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table."""
        return {
            "net_assets_wan": self.net_assets_wan,
            "guarantee_balance_wan": self.balance_wan,
            "leverage": self.leverage(),
            "claims_wan": self.claims_month_wan,
            "fee_income_wan": self.fees_month_wan,
            "injection_wan": self.injected_month_wan,
        }
