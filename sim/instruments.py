"""What the credit market asks of the instruments of issue 10, in one place, so that ``sim.market`` calls them
through a few one-line hooks: pledged assets (who holds which, what a lender advances against it), leased
equipment as security, the red list's rate preference, and venture / guidance funds as loss-bearing parties.

Firm-level draws here are counter-based (``Streams.uniform_at`` on the ``instruments`` stream), so switching an
instrument on never moves any other random number: with the instrument off the run is the same run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.products import VC, ProductTable
from sim.schema_instruments import PLEDGES

if TYPE_CHECKING:
    from agents import Enterprises
    from agents.venture import VentureFund
    from sim.scenario import Scenario
    from sim.streams import Streams


class Instruments:
    """The market-side rules of pledges, leasing, the red list and venture funds for one region.

    Args:
        s: The scenario.
        pop: The firms.
        products: The product table.
        funds: The venture / guidance funds, in scenario order.
        streams: The model's random streams.
    """

    def __init__(
        self, s: Scenario, pop: Enterprises, products: ProductTable, funds: list[VentureFund], streams: Streams
    ) -> None:
        self.s, self.pop, self.pr, self.funds, self.streams = s, pop, products, funds, streams
        assets = [s.enterprises.pledgeable.asset(k) for k in PLEDGES]
        self.holder = np.array([a.holder_share.values() for a in assets])  # (4 kinds, 4 stages)
        self.value_months = np.array([a.value_revenue_months for a in assets])
        self.advance = np.array([a.advance_share for a in assets])
        self.vc_only = np.array([a.vc_backed_only for a in assets])
        self.red = s.platforms.red_list
        self.any_pledge = bool((self.pr.pledge >= 0).any())  # some product takes a pledge
        self.label = ""  # the calendar month being matched ('YYYY-MM'), set by the model

    # ---- pledges and leasing -----------------------------------------------------------------------------
    def holds(self, firms: np.ndarray) -> np.ndarray:
        """(k, len(PLEDGES)): whether each firm holds each pledgeable asset, from one fixed draw per firm and kind
        against the holder share of its current stage."""
        pop = self.pop
        out = np.zeros((firms.size, len(PLEDGES)), dtype=bool)
        if not self.any_pledge:
            return out
        for j, kind in enumerate(PLEDGES):
            u = self.streams.uniform_at("instruments", 0, firms, f"pledge:{kind}")
            out[:, j] = u < self.holder[j][pop.stage[firms]]
            if self.vc_only[j]:
                out[:, j] &= pop.vc_backed[firms]
        return out

    def pledge_wan(self, p: int, firms: np.ndarray) -> np.ndarray:
        """What a lender counts as collateral for the asset product ``p`` pledges: advance × value (0: none)."""
        kind = self.pr.pledge[p]
        if kind < 0:
            return np.zeros(firms.size)
        return self.advance[kind] * self.value_months[kind] * self.pop.revenue_wan[firms]

    # ---- the red list ------------------------------------------------------------------------------------
    def red_listed(self, firms: np.ndarray) -> np.ndarray:
        """Firms on the red list now: a clean record (have borrowed, before or during the plan; no default in the
        plan; not black-listed) and certified (one fixed draw per firm against the list's share), once in use."""
        r = self.red
        if not self.red_list_active():
            return np.zeros(firms.size, dtype=bool)
        pop = self.pop
        clean = pop.first_loan[firms] & (pop.default_month[firms] < 0) & ~pop.black_list[firms]
        return clean & (self.streams.uniform_at("instruments", 0, firms, "red list") < r.share)

    def red_list_active(self) -> bool:
        """The red list is in use this month (a certified share above 0, from its start month)."""
        r = self.red
        return r.share > 0 and (r.start is None or self.label >= r.start)

    def rate_discount(self, firms: np.ndarray) -> np.ndarray:
        """(k,) rate preference 利率优惠 each firm gets (annual)."""
        return self.red_listed(firms) * self.red.rate_discount_rate

    # ---- venture and guidance funds ----------------------------------------------------------------------
    def fund_of(self, p: int) -> VentureFund | None:
        """The fund bearing product ``p``'s vc share, if any."""
        f = self.pr.accounts[p, VC]
        return self.funds[f] if f >= 0 else None

    def fund_money(self) -> np.ndarray:
        """What each fund holds to pay claims (a bank's trust in its share)."""
        return np.array([f.account.available() for f in self.funds])

    def fund_open(self, p: int, small_wan: float) -> bool:
        """Product ``p``'s fund (if any) takes new cover, with room for at least the smallest loan."""
        f = self.fund_of(p)
        return f is None or (f.open_for_business(self.label) and f.headroom_wan() >= small_wan * self.pr.shares[p, VC])

    def fund_room(self, p: int) -> float:
        """Largest loan of product ``p`` its fund can still cover."""
        f = self.fund_of(p)
        return np.inf if f is None else f.headroom_wan() / self.pr.shares[p, VC]

    def fund_screens(self, p: int, firms: np.ndarray, month: int, noise_factor: float) -> np.ndarray:
        """The fund's screening of product ``p`` (True where it would cover the firm)."""
        f = self.fund_of(p)
        if f is None:
            return np.ones(firms.size, dtype=bool)
        pop = self.pop
        z = self.streams.normal_at("signal", month, firms, f"vc:{f.name}")
        pd_hat = pop.pd_annual(pop.theta[firms] + f.p.screening_noise * noise_factor * z, firms)
        return f.screens(pd_hat, pop.vc_backed[firms], self.label)
