"""The government: the special fund 专项资金, its subsidies and rewards, and the pools it owns.

The special fund has a yearly budget (its account receives the appropriation each January; what is unspent
lapses at the year end); subsidies, bank rewards 以奖代补, listing rewards, the government's loss share (the 10%
of "4321") and insurer stop-loss are paid from it while it lasts. Pools (``agents.pool``) are funded apart from
the budget. Pool payouts and guarantor injections also count as public money spent.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from agents.pool import CompensationPool
from sim.accounts import Account
from sim.schema import GovernmentParams

BUDGET_ITEMS = (
    "interest_subsidy",
    "fee_subsidy",
    "premium_subsidy",
    "tech_premium_subsidy",
    "bank_reward",
    "listing_reward",
    "loss_share",
    "stoploss",
    "grant",
    "investment_risk_subsidy",
    "bond_subsidy",
)
OTHER_ITEMS = ("pool_payout", "injection", "guidance_fund_payout")


class Government(mesa.Agent):
    """The special fund; the pools are separate agents it owns."""

    def __init__(self, model: mesa.Model, params: GovernmentParams, n_banks: int, start: str) -> None:
        super().__init__(model)
        self.p = params
        self.name = "government"
        self.account = Account("fund:special", 0.0)
        self.fund_start = params.fund_start or start
        self.started = self.fund_start <= start
        if self.started:
            self.account.receive(params.annual_budget_wan, "appropriation")
        self.pools = [CompensationPool(model, pp, i, n_banks, start) for i, pp in enumerate(params.pools)]
        self.spent_month = dict.fromkeys(BUDGET_ITEMS + OTHER_ITEMS, 0.0)
        self.exhausted_months: list[str] = []
        self.firm_subsidy_year = np.zeros(0)  # interest subsidy paid to each firm slot this calendar year
        self.balance_last_december = np.zeros(n_banks)  # each bank's tech-loan balance a year ago (growth basis)

    @property
    def budget_left_wan(self) -> float:
        """This year's budget not yet spent."""
        return self.account.balance

    def commitments_open(self) -> bool:
        """New subsidy commitments are made only while this year's budget is not spent."""
        return self.budget_left_wan > 0

    def pay(self, item: str, amounts: np.ndarray) -> np.ndarray:
        """Pay ``amounts`` for a budget item, pro rata when the budget left is short; returns what was paid."""
        share = self.pay_share(item, float(amounts.sum()))
        return np.zeros_like(amounts) if share != share else amounts * share

    def pay_share(self, item: str, total: float) -> float:
        """Pay ``total`` asked for a budget item, or what is left of the budget when that is short (so the budget
        never goes below zero); returns the share of the total paid (NaN: nothing asked, ``total`` ≤ 0)."""
        if total <= 0:
            return math.nan
        paid = min(total, self.account.available())
        self.account.pay(paid, item)
        self.spent_month[item] += paid
        return paid / total

    def interest_cap(self) -> float:
        """The yearly cap on one firm's interest subsidies 贴息, 万元 (NaN: none)."""
        cap = self.p.subsidies.per_firm_year_cap_wan
        return math.nan if cap is None else float(cap)

    def pay_subsidies(
        self, top_firm: int, interest_wan: float, fee_wan: float, premium_wan: float
    ) -> tuple[float, float, float]:
        """This month's interest 贴息, guarantee-fee and premium subsidies on the open book, each paid in full or pro
        rata when the budget left is short: ``*_wan`` the totals asked (the interest subsidies within the per-firm
        yearly cap, ``interest_cap``; ``sim.kernels.accrue``). Returns the share paid of each (NaN: none asked);
        what each loan gets, and each firm's year total (``firm_subsidy_year``, made room for up to ``top_firm``
        here), follow in ``sim.kernels.net_cost``."""
        if self.firm_subsidy_year.size <= top_firm:
            grown = np.zeros(max(top_firm + 1, 2 * self.firm_subsidy_year.size))
            grown[: self.firm_subsidy_year.size] = self.firm_subsidy_year
            self.firm_subsidy_year = grown
        interest = self.pay_share("interest_subsidy", interest_wan)
        return interest, self.pay_share("fee_subsidy", fee_wan), self.pay_share("premium_subsidy", premium_wan)

    def reward_rate(self, reward_eligible: bool, policy: bool) -> float:
        """Reward 以奖代补 a bank can expect per unit of a new loan of a product, while the budget is open."""
        sub = self.p.subsidies
        if not reward_eligible or not self.commitments_open():
            return 0.0
        if sub.bank_reward_basis == "policy_products" and not policy:
            return 0.0
        return sub.bank_reward_share

    def reward_new_loans(self, bank: np.ndarray, amount: np.ndarray, rewarded: np.ndarray, n_banks: int) -> np.ndarray:
        """Rewards on this month's new loans (bases ``policy_products`` and ``all_new``); paid per bank."""
        sub = self.p.subsidies
        if sub.bank_reward_share <= 0 or sub.bank_reward_basis == "growth":
            return np.zeros(n_banks)
        owed = np.bincount(bank[rewarded], weights=amount[rewarded] * sub.bank_reward_share, minlength=n_banks)
        return self.pay("bank_reward", owed)

    def reward_growth(self, balances_wan: np.ndarray) -> np.ndarray:
        """December, basis ``growth``: the reward share of each bank's balance growth over the year before."""
        sub = self.p.subsidies
        growth = np.maximum(balances_wan - self.balance_last_december, 0.0)
        self.balance_last_december = balances_wan.copy()
        if sub.bank_reward_share <= 0 or sub.bank_reward_basis != "growth":
            return np.zeros_like(balances_wan)
        return self.pay("bank_reward", growth * sub.bank_reward_share)

    def record(self, item: str, amount_wan: float) -> None:
        """Public money spent outside the budget (pool payouts, injections)."""
        self.spent_month[item] += amount_wan

    def start_month(self, new_year: bool, label: str) -> None:
        """Reset monthly counters; set up pools due this month; in January (or the fund's start month) open the
        year's budget, and in January top up pools."""
        self.spent_month = dict.fromkeys(self.spent_month, 0.0)
        for pool in self.pools:
            pool.start_month(label)
        opens = not self.started and label == self.fund_start
        if new_year:
            self.firm_subsidy_year[:] = 0.0
        if (new_year and self.started) or opens:
            self.started = True
            self.account.pay(self.account.balance, "lapse")  # last year's unspent budget returns to the treasury
            self.account.receive(self.p.annual_budget_wan, "appropriation")
            for pool in self.pools:
                if pool.set_up:
                    pool.new_year()

    def multipliers(self, label: str) -> tuple[float, float]:
        """VC and listing rate multipliers this month: the guidance fund's and the cultivation programme's from
        their start months, the VC one raised while investment-risk subsidies 投资风险补助 are offered."""
        p, sub = self.p, self.p.subsidies
        vc = p.vc_guidance_multiplier if p.vc_guidance_start is None or label >= p.vc_guidance_start else 1.0
        if sub.investment_risk_subsidy_share > 0 and self.commitments_open():
            vc *= 1.0 + sub.investment_risk_response * sub.investment_risk_subsidy_share
        listing = p.listing_multiplier if p.listing_start is None or label >= p.listing_start else 1.0
        return vc, listing

    def bond_multiplier(self) -> float:
        """Issuance rate multiplier while bond subsidies are offered."""
        sub = self.p.subsidies
        if sub.bond_subsidy_share <= 0 or not self.commitments_open():
            return 1.0
        return 1.0 + sub.bond_subsidy_response * sub.bond_subsidy_share

    def award_grants(self, eligible: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Grants 无偿资助 this month: each eligible firm (a mask over slots) wins with the monthly chance (``u``: one
        uniform per slot); paid in full while the budget lasts, in slot order. Returns the slots paid."""
        g = self.p.grants
        if g.rate <= 0 or g.amount_wan <= 0 or not self.commitments_open():
            return np.zeros(0, dtype=np.int64)
        won = np.flatnonzero(eligible & (u < 1.0 - (1.0 - min(g.rate, 1.0)) ** (1.0 / 12.0)))
        afford = int(self.account.available() // g.amount_wan)
        paid = won[:afford]
        self.pay("grant", np.full(paid.size, g.amount_wan))
        return paid

    def close_month(self, label: str) -> None:
        """Note the month a year's budget ran out."""
        if self.p.annual_budget_wan > 0 and self.budget_left_wan <= 1e-9:
            year = label[:4]
            if not any(m.startswith(year) for m in self.exhausted_months):
                self.exhausted_months.append(label)

    def spending_month_wan(self) -> float:
        """All public money spent this month."""
        return sum(self.spent_month.values())

    def report(self) -> dict[str, float]:
        """This month's row of the institutions table: budget left and spending by instrument."""
        return {"budget_left_wan": self.budget_left_wan, "spending_wan": self.spending_month_wan()} | {
            f"spend_{k}_wan": v for k, v in self.spent_month.items()
        }
