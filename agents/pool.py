"""Risk compensation pools 风险补偿资金池: cover, caps, NPL corridor, leverage commitment, suspension, top-ups.

What happens when a pool runs dry: its account pays claims pro rata up to its balance (``sim.waterfall``), the
rest falls back to the banks as a shortfall, ``open_for`` refuses new covered lending while the balance is zero,
banks price the pool's share as partly their own (``Bank.trust``, ``sim.pricing.Pricing.retained``), and the
month it emptied is recorded as ``depleted_month``. A January top-up or refill reopens it.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.accounts import Account
from sim.schema import PoolParams


class CompensationPool(mesa.Agent):
    """A compensation pool: caps, NPL corridor, leverage commitment, suspension, top-ups and depletion."""

    def __init__(self, model: mesa.Model, params: PoolParams, index: int, n_banks: int, start: str) -> None:
        super().__init__(model)
        self.p = params
        self.name = params.name
        self.index = index
        self.set_up = params.start is None or params.start <= start
        self.account = Account(f"pool:{params.name}", params.initial_wan if self.set_up else 0.0)
        self.paid_year = np.zeros(n_banks)
        self.defaults_year = np.zeros(n_banks)
        self.covered_start = np.zeros(n_banks)
        self.covered = np.zeros(n_banks)
        self.suspended = np.zeros(n_banks, dtype=bool)
        self.payout_month_wan = self.topup_month_wan = 0.0
        self.depleted_month: str | None = None
        self._funded = self.balance_wan > 0

    @property
    def balance_wan(self) -> float:
        """Money in the pool."""
        return self.account.balance

    def open_for(self, bank: int) -> bool:
        """Whether ``bank`` may still write covered loans (not suspended, pool not empty)."""
        return not self.suspended[bank] and self.balance_wan > 0

    def headroom_wan(self) -> float:
        """Covered balance still allowed by the leverage commitment (covered ≤ m × pool)."""
        if self.p.leverage_multiple is None:
            return float("inf")
        return max(self.p.leverage_multiple * self.balance_wan - self.covered.sum(), 0.0)

    def book_cover(self, bank: np.ndarray, principal: np.ndarray) -> None:
        """Add new covered loans to the covered balance."""
        self.covered += np.bincount(bank, weights=principal, minlength=self.covered.size)

    def admissible(self, claims: np.ndarray, principal: np.ndarray, bank: np.ndarray) -> np.ndarray:
        """Claims the pool's rules allow: per-loan cap, NPL corridor, per-bank-year cap; records defaults."""
        c = claims.copy()
        if self.p.per_loan_cap_wan is not None:
            c = np.minimum(c, self.p.per_loan_cap_wan)
        nb = self.covered.size
        new_bad = np.bincount(bank, weights=principal, minlength=nb)
        if self.p.npl_corridor is not None:
            lo, hi = self.p.npl_corridor
            base = np.maximum(np.maximum(self.covered_start, self.covered), 1e-9)
            r0 = self.defaults_year / base
            r1 = (self.defaults_year + new_bad) / base
            overlap = np.clip(np.minimum(r1, hi) - np.maximum(r0, lo), 0.0, None)
            frac = np.divide(overlap, r1 - r0, out=np.zeros(nb), where=r1 > r0)
            c *= frac[bank]
        if self.p.per_bank_year_cap_wan is not None:
            room = np.maximum(self.p.per_bank_year_cap_wan - self.paid_year, 0.0)
            asked = np.bincount(bank, weights=c, minlength=nb)
            ratio = np.where(asked > room, np.divide(room, asked, out=np.zeros(nb), where=asked > 0), 1.0)
            c *= ratio[bank]
        self.defaults_year += new_bad
        return c

    def pay(self, bank: np.ndarray, paid: np.ndarray) -> float:
        """Debit payouts (already limited to the balance by the waterfall); returns the total."""
        total = min(float(paid.sum()), self.account.available())  # rounding never takes the pool below zero
        self.paid_year += np.bincount(bank, weights=paid, minlength=self.paid_year.size)
        self.account.pay(total, "payout")
        self.payout_month_wan += total
        return total

    def new_year(self) -> None:
        """January: top up (or refill to target) and restart the yearly caps and ratios."""
        before = self.balance_wan
        if self.p.refill_to_wan is not None:
            self.account.receive(max(self.p.refill_to_wan - before, 0.0), "topup")
        self.account.receive(self.p.topup_wan, "topup")
        self.topup_month_wan += self.balance_wan - before
        self._funded |= self.balance_wan > 0
        self.paid_year[:] = 0.0
        self.defaults_year[:] = 0.0
        self.covered_start = self.covered.copy()

    def close_month(self, covered_by_bank: np.ndarray, label: str) -> None:
        """True up the covered balance, suspend banks past the NPL threshold, note depletion."""
        self.covered = covered_by_bank
        if self.p.suspend_npl_ratio is not None:
            base = np.maximum(np.maximum(self.covered_start, self.covered), 1e-9)
            self.suspended = self.defaults_year / base > self.p.suspend_npl_ratio
        if self._funded and self.balance_wan <= 1e-6 and self.depleted_month is None:
            self.depleted_month = label

    def start_month(self, label: str) -> None:
        """Reset monthly counters; a pool set up during the plan is funded in its start month."""
        self.payout_month_wan = self.topup_month_wan = 0.0
        if not self.set_up and label == self.p.start:
            self.set_up = True
            self.account.receive(self.p.initial_wan, "topup")
            self.topup_month_wan = self.p.initial_wan
            self._funded = self.balance_wan > 0

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table."""
        return {
            "balance_wan": self.balance_wan,
            "payouts_wan": self.payout_month_wan,
            "covered_balance_wan": float(self.covered.sum()),
            "topup_wan": self.topup_month_wan,
            "depleted": float(self.depleted_month is not None),
            "suspended_banks": float(self.suspended.sum()),
        }
