"""Banks and tech sub-branches 科技支行: pricing, acceptance, the collateral-or-cover limit, capacity and
NPL-driven tightening.

Why risk sharing adds credit (docs/model.md §4): a bank prices the loss it *retains* but cannot raise its rate
without limit (``max_premium_rate``, the product's cap), so a firm whose retained expected loss needs more is
refused, not charged more; and it lends a light-asset firm without collateral only up to a cash-flow limit, so
the retained part of a loan must fit under that limit plus the firm's collateral. A guarantee, a pool share or
insurance lowers the retained share on both counts and lets marginal firms and larger loans through.
"""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from sim.accounts import Account
from sim.schema import BankParams

#: Rounding allowance on the margin test (annual rate): a margin equal to the hurdle in exact arithmetic — as for
#: every uncovered loan of a lender whose spread less its funding premium is its hurdle, where the retained loss
#: it prices and the loss it weighs cancel — is accepted, rather than by the last bit of an ``exp`` (which would
#: differ between NumPy's vectorised and the compiled scalar one, and between machines).
MARGIN_ROUNDING = 1e-12


# The bank's rules on one application, compiled: the month's matching (``sim.offers``) calls them per
# (channel, firm) with scalars, the methods of ``Bank`` with numpy arrays (the same code, broadcasting).
@njit(cache=True, nogil=True, error_model="numpy")
def quoted_rate(pd_hat, lgd, retained, lpr, cap, spread_rate, max_premium_rate):
    """Annual rate: LPR + spread + expected retained loss, the premium within its band, the rate within ``cap``."""
    return np.minimum(lpr + np.minimum(spread_rate + retained * pd_hat * lgd, max_premium_rate), cap)


@njit(cache=True, nogil=True, error_model="numpy")
def margin_ok(rate, pd_hat, lgd, retained, reward_rate, funding_cost, loss_weight, hurdle_rate):
    """Expected margin ≥ hurdle (within ``MARGIN_ROUNDING``): rate − funding cost − retained loss × the officers'
    loss weight + reward."""
    return rate - funding_cost - retained * pd_hat * lgd * loss_weight + reward_rate >= hurdle_rate - MARGIN_ROUNDING


@njit(cache=True, nogil=True, error_model="numpy")
def limit_wan(retained, collateral_wan, revenue_wan, unsecured_revenue_months):
    """Largest loan: retained × loan ≤ unsecured months × monthly revenue + collateral."""
    return (unsecured_revenue_months * revenue_wan + collateral_wan) / np.maximum(retained, 1e-3)


def trusted(funds_wan: np.ndarray, exposure_wan: np.ndarray, buffer_share: float | np.ndarray) -> np.ndarray:
    """How far a bank counts on each risk sharer's share: its funds ÷ (buffer × the exposure it carries), at most
    1. A pool or guarantor running dry is priced as partly the bank's own loss. Broadcasts: the market asks for
    every bank at once with ``buffer_share`` a (banks, 1) column (``Pricing.retained``)."""
    need = buffer_share * exposure_wan
    return np.where(need > 0, np.minimum(funds_wan / np.maximum(need, 1e-12), 1.0), (funds_wan > 0) * 1.0)


class Bank(mesa.Agent):
    """A lending bank. Its loans live in the model's loan book; it keeps its own risk view and limits."""

    def __init__(self, model: mesa.Model, params: BankParams, index: int) -> None:
        super().__init__(model)
        self.p = params
        self.name = params.name
        self.index = index
        self.account = Account(f"bank:{params.name}", params.capital_wan)
        self.balance_wan = 0.0
        self.new_year_wan = 0.0
        self.new_month_wan = 0.0
        self.defaults_12m = np.zeros(12)
        self.tight = False
        self.loss_month_wan = 0.0
        self.shortfall_month_wan = 0.0
        self._quota: tuple[str, float] = ("", 0.0)  # (month label, this year's set-aside) of ``quota_wan``

    def funding_cost(self, lpr: float) -> float:
        """Annual funding cost of a tech loan: LPR less the funding discount and any re-lending cut."""
        return lpr - self.p.funding_discount_rate - self.p.relending_discount_rate

    def quote(
        self,
        pd_hat: np.ndarray,
        lgd: float | np.ndarray,
        retained: np.ndarray,
        lpr: float,
        cap: float | np.ndarray | None,
    ) -> np.ndarray:
        """Annual rate: LPR + spread + expected retained loss, within the pricing band and the product cap
        (``quoted_rate``; element-wise over arrays that broadcast, ``cap`` None for no cap)."""
        p = self.p
        cap = np.inf if cap is None else cap
        return quoted_rate(pd_hat, lgd, retained, lpr, cap, p.spread_rate, p.max_premium_rate)

    def trust(self, funds_wan: np.ndarray, exposure_wan: np.ndarray) -> np.ndarray:
        """How far the bank counts on each risk sharer's share (``trusted`` with its reliability buffer)."""
        return trusted(funds_wan, exposure_wan, self.p.reliability_buffer_share)

    def lending_limit(self, retained: np.ndarray, collateral_wan: np.ndarray, revenue_wan: np.ndarray) -> np.ndarray:
        """Largest loan the bank writes: its retained part must fit under the unsecured cash-flow limit plus the
        firm's collateral, retained × loan ≤ unsecured months × monthly revenue + collateral."""
        return limit_wan(retained, collateral_wan, revenue_wan, self.p.unsecured_revenue_months)

    def accepts(
        self,
        rate: np.ndarray,
        pd_hat: np.ndarray,
        lgd: float | np.ndarray,
        retained: np.ndarray,
        reward_rate: float | np.ndarray,
        lpr: float,
    ) -> np.ndarray:
        """Expected margin ≥ hurdle, the retained loss weighted by the officers' loss weight (尽职免责 < 1)."""
        p = self.p
        return margin_ok(rate, pd_hat, lgd, retained, reward_rate, self.funding_cost(lpr), p.loss_weight, self.hurdle())

    def hurdle(self) -> float:
        """This month's hurdle on the expected margin: the base hurdle plus the NPL tightening."""
        return self.p.hurdle_rate + self.tightening()

    def terms(self, lpr: float) -> tuple[float, ...]:
        """This month's terms of its rules for the compiled matching (``sim.offers``): spread, premium band,
        funding cost, loss weight, hurdle, unsecured months."""
        p = self.p
        return (
            p.spread_rate,
            p.max_premium_rate,
            self.funding_cost(lpr),
            p.loss_weight,
            self.hurdle(),
            p.unsecured_revenue_months,
        )

    def tightening(self) -> float:
        """Extra hurdle, ramping from 0 at the NPL tolerance to the full tightening at twice it."""
        tol = max(self.p.npl_tolerance, 1e-9)
        excess = min(max(self.npl_ratio() / tol - 1.0, 0.0), 1.0)
        return self.p.tightening_rate * excess

    @property
    def capital_wan(self) -> float:
        """Capital now: the allotment, plus net interest income, less losses."""
        return self.account.balance

    def headroom_wan(self) -> float:
        """New lending still possible this month: room under capital, or what is left of the yearly set-aside
        单列信贷规模 for tech loans, whichever is larger."""
        room = self.account.available() / self.p.capital_ratio - self.balance_wan
        quota = self.quota_wan()
        if quota is not None:
            room = max(room, quota - self.new_year_wan)
        return max(room, 0.0)

    def quota_wan(self) -> float | None:
        """This year's set-aside 单列信贷规模 (None: none): from its start month, growing yearly at
        ``annual_quota_growth_rate`` (002 §二(二)6 保持逐年增长)."""
        p, label = self.p, self.model.label
        if p.annual_quota_wan is None or (p.quota_start is not None and label < p.quota_start):
            return None
        if self._quota[0] != label:  # asked at every capacity check: computed once a month
            years = max(int(label[:4]) - self.model.start.year, 0)
            self._quota = (label, p.annual_quota_wan * (1.0 + p.annual_quota_growth_rate) ** years)
        return self._quota[1]

    def book_loans(self, amount_wan: float) -> None:
        """Record new lending against capacity."""
        self.balance_wan += amount_wan
        self.new_year_wan += amount_wan
        self.new_month_wan += amount_wan

    def earn(self, interest_wan: float, lpr: float) -> None:
        """A month's interest on the book in, its funding cost out."""
        self.account.receive(interest_wan, "interest")
        self.account.pay(self.balance_wan * self.funding_cost(lpr) / 12.0, "funding")

    def receive_reward(self, amount_wan: float) -> None:
        """Bank reward 以奖代补 from the special fund."""
        self.account.receive(amount_wan, "reward")

    def bear_losses(self, own_wan: float, shortfall_wan: float, defaulted_principal_wan: float, month: int) -> None:
        """A month's losses out of capital: its own share and what other parties could not pay; the NPL inflow."""
        self.account.pay(own_wan, "loss")
        self.account.pay(shortfall_wan, "shortfall")
        self.loss_month_wan += own_wan + shortfall_wan
        self.shortfall_month_wan += shortfall_wan
        self.defaults_12m[month % 12] += defaulted_principal_wan

    def npl_ratio(self) -> float:
        """Loans defaulted in the last 12 months ÷ (balance + those): NPLs with a one-year workout."""
        bad = self.defaults_12m.sum()
        return bad / (self.balance_wan + bad) if bad > 0 else 0.0

    def review(self, balance_wan: float, month: int) -> None:
        """Month end: true up the balance, tighten above the NPL tolerance, relax below it."""
        self.balance_wan = balance_wan
        self.tight = self.npl_ratio() > self.p.npl_tolerance

    def start_month(self, new_year: bool, month: int) -> None:
        """Reset monthly (and in January yearly) counters; drop the month leaving the 12-month NPL window."""
        self.defaults_12m[month % 12] = 0.0
        self.new_month_wan = self.loss_month_wan = self.shortfall_month_wan = 0.0
        if new_year:
            self.new_year_wan = 0.0

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table."""
        quota = {"quota_wan": self.quota_wan() or 0.0} if self.p.annual_quota_wan is not None else {}
        return {
            "balance_wan": self.balance_wan,
            "capital_wan": self.capital_wan,
            "new_loans_wan": self.new_month_wan,
            "npl_ratio": self.npl_ratio(),
            "tightening_rate": self.tightening(),
            "loss_wan": self.loss_month_wan,
            "shortfall_wan": self.shortfall_month_wan,
        } | quota
