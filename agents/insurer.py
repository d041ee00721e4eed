"""Insurers: loan guarantee insurance 贷款保证保险 (with repricing and suspension) and tech insurance 科技保险."""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from sim.accounts import Account
from sim.schema import InsurerParams


@njit(cache=True, nogil=True, error_model="numpy")
def underwrites(pd_hat, max_pd, open_):
    """The insurer's screen of one application (scalars in ``sim.offers``, arrays from ``Insurer.screens``):
    estimated PD within appetite, while the line is open."""
    return (pd_hat <= max_pd) & open_


class Insurer(mesa.Agent):
    """An insurer with capital, a repriced premium and the Yunnan-style suspension rule."""

    def __init__(self, model: mesa.Model, params: InsurerParams, index: int) -> None:
        super().__init__(model)
        self.p = params
        self.name = params.name
        self.index = index
        self.account = Account(f"insurer:{params.name}", params.capital_wan)
        self.premium_rate = params.premium_rate
        self.suspended = False
        self.months_written = 0  # months in which the loan line earned premiums
        self.premiums_12m = np.zeros(12)
        self.claims_12m = np.zeros(12)
        self.defaults_12m = np.zeros(12)
        self.balance_wan = 0.0
        self.premium_month_wan = self.claims_month_wan = 0.0
        self.tech_premium_month_wan = self.tech_claims_month_wan = 0.0

    @property
    def capital_wan(self) -> float:
        """Capital: what it holds to pay claims."""
        return self.account.balance

    def screens(self, pd_hat: np.ndarray) -> np.ndarray:
        """Underwrite firms with estimated PD within appetite, unless suspended (``underwrites``)."""
        return underwrites(pd_hat, *self.terms())

    def terms(self) -> tuple[float, bool]:
        """This month's terms of its screen (``underwrites``): appetite, and whether the line is open (not
        suspended, capital left)."""
        return self.p.max_pd, (not self.suspended) and self.capital_wan > 0

    def collect_premiums(self, amount_wan: float, tech: bool = False) -> None:
        """Premium income of the loan-insurance line, or of the tech-insurance line with ``tech``."""
        self.account.receive(amount_wan, "tech_premium" if tech else "premium")
        if tech:
            self.tech_premium_month_wan += amount_wan
        else:
            self.premium_month_wan += amount_wan

    def pay_claims(self, amount_wan: float, defaulted_principal_wan: float = 0.0, tech: bool = False) -> None:
        """Claims paid (never more than capital: see the waterfall). Only the loan line counts toward the
        loss ratio and overdue rate that drive repricing and suspension."""
        self.account.pay(amount_wan, "tech_claim" if tech else "claim")
        if tech:
            self.tech_claims_month_wan += amount_wan
            return
        self.claims_month_wan += amount_wan
        self.defaults_12m[self.model.month % 12] += defaulted_principal_wan

    def loss_ratio(self) -> float:
        """Claims ÷ premiums over the last 12 months."""
        prem = self.premiums_12m.sum()
        return self.claims_12m.sum() / prem if prem > 0 else 0.0

    def overdue_ratio(self) -> float:
        """Insured loans defaulted in 12 months ÷ (insured balance + those)."""
        bad = self.defaults_12m.sum()
        return bad / (self.balance_wan + bad) if bad > 0 else 0.0

    def close_month(self, balance_wan: float, month: int, december: bool) -> float:
        """Roll the 12-month window, suspend or resume, reprice in December; returns the stop-loss claim."""
        self.balance_wan = balance_wan
        self.premiums_12m[month % 12] = self.premium_month_wan
        self.claims_12m[month % 12] = self.claims_month_wan
        lr = self.loss_ratio()
        self.months_written += self.premium_month_wan > 0
        # The loss-ratio rule is on a year's accounts: a line's first claims against a few months of premiums (a
        # product phased in, a book still ramping up) do not stop it; the overdue rule applies from the start.
        full_year = self.months_written >= 12
        self.suspended = (full_year and lr >= self.p.suspend_loss_ratio) or (
            self.overdue_ratio() >= self.p.suspend_overdue_share
        )
        if not december:
            return 0.0
        if self.premiums_12m.sum() > 0:
            step = self.p.reprice_step_share
            factor = np.clip(lr / self.p.target_loss_ratio, 1 - step, 1 + step)
            self.premium_rate = float(
                np.clip(self.premium_rate * factor, self.p.premium_floor_rate, self.p.premium_cap_rate)
            )
        excess = max(self.claims_12m.sum() - self.p.stoploss_ratio * self.premiums_12m.sum(), 0.0)
        return excess * self.p.stoploss_share

    def receive_stoploss(self, amount_wan: float) -> None:
        """Government stop-loss reimbursement."""
        self.account.receive(amount_wan, "stoploss")

    def start_month(self, month: int) -> None:
        """Reset monthly counters; drop the month leaving the 12-month overdue window."""
        self.defaults_12m[month % 12] = 0.0
        self.premium_month_wan = self.claims_month_wan = 0.0
        self.tech_premium_month_wan = self.tech_claims_month_wan = 0.0

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table."""
        return {
            "capital_wan": self.capital_wan,
            "premium_rate": self.premium_rate,
            "premiums_wan": self.premium_month_wan,
            "claims_wan": self.claims_month_wan,
            "loss_ratio": self.loss_ratio(),
            "suspended": float(self.suspended),
            "tech_premiums_wan": self.tech_premium_month_wan,
            "tech_claims_wan": self.tech_claims_month_wan,
            "insured_balance_wan": self.balance_wan,
        }
