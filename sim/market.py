"""The credit market: matching only. Who applies where and in what order; the decisions are the agents'
(pricing and screening of each application in ``sim.pricing``).

Each firm with a need (``agents.enterprise``) sees, for every product it is eligible for, the bank's quoted
rate (``Bank.quote``) and the all-in annual cost net of subsidies, and asks for the amount its investment
justifies at that cost (``Enterprises.demand``: nothing where credit costs more than the investment returns).
It ranks banks by the cheapest product worth taking there and applies to the best first, up to its number of
applications. An application is seen with some probability (the matching platform raises it); the bank
accepts on its margin rule and writes up to its collateral-or-cover limit (``Bank.accepts``,
``Bank.lending_limit``), any guarantor and insurer on a product screen it (``Guarantor.screens``,
``Insurer.screens``), the bank writes the cheapest product that passes, and capacity limits (bank capital and
set-aside, guarantor leverage, pool leverage commitment) are applied first come first served in firm order.
A firm for which no product is worth its cost drops the need (it chose not to borrow); one refused keeps
applying for ``need_patience_months``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import kernels
from sim.pricing import Offers, Pricing
from sim.products import GUAR, INS, POOL, REGUAR, VC, ProductTable

if TYPE_CHECKING:
    from agents import Bank, Enterprises, Government, Guarantor, Insurer
    from sim.instruments import Instruments
    from sim.loanbook import LoanBook
    from sim.schema import Platforms
    from sim.streams import Streams

# A bank is out of room for the rest of the month's matching when its room cannot take the smallest loan, with a
# margin (万元) above the capacity checks' 1e-9 tolerance so that only certainly-full banks count.
DEAD_MARGIN_WAN = 1e-6


class Market(Pricing):
    """The credit market of one region, wired once with the parties it matches.

    ``inst`` (pledges, leasing, the red list, venture funds: ``sim.instruments``) and ``observer`` (the product
    funnel, ``sim.funnel``) are set by the model after construction.

    Args:
        pop: The firms.
        products: The products and their channels (product × bank).
        book: The loan book new loans are written to.
        banks, guarantors, insurers: The lenders and risk sharers, in scenario order.
        government: The special fund (subsidies, rewards) and its pools.
        streams: The model's random streams.
        platforms: Matching and credit-information platforms.
        exposure: Covered exposure by party type and account, kept up to date by the model at each month end.
        on_capacity: Called with (bank, product, amount) for every batch of loans written, before the next batch
            (the capacity they use).
        on_new_loans: Called with (slots, bank, product, amount, cost) once a month for the month's loans.
    """

    def __init__(
        self,
        pop: Enterprises,
        products: ProductTable,
        book: LoanBook,
        banks: list[Bank],
        guarantors: list[Guarantor],
        insurers: list[Insurer],
        government: Government,
        streams: Streams,
        platforms: Platforms,
        exposure: dict[int, np.ndarray],
        on_capacity: Callable[..., Any],
        on_new_loans: Callable[..., Any],
    ) -> None:
        self.pop, self.pr, self.book = pop, products, book
        self.banks, self.guarantors, self.insurers = banks, guarantors, insurers
        self.government, self.pools = government, government.pools
        self.streams, self.platforms, self.exposure = streams, platforms, exposure
        self.on_capacity, self.on_new_loans = on_capacity, on_new_loans
        self._batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # the month's (slots, ch, rows)
        self.inst: Instruments | None = None
        self.observer: Callable[..., Any] | None = None
        pr, cp = products, products.ch_prod
        # What each channel involves, fixed for the run: its bank's channels, each guarantor's share (one
        # entity in two roles counts both), the pool that covers it, the guarantor and insurer that screen it.
        self.bank_cols = [np.flatnonzero(pr.ch_bank == b) for b in range(len(banks))]
        self.g_share = pr.guarantor_shares(len(guarantors))[cp]
        self.ch_pool = np.where(pr.shares[cp, POOL] > 0, pr.accounts[cp, POOL], -1)
        self.bank_ncols = np.array([c.size for c in self.bank_cols], dtype=np.int64)
        self.bank_cols_table = np.zeros((len(banks), max(self.bank_ncols, default=0)), dtype=np.int64)
        for b, c in enumerate(self.bank_cols):
            self.bank_cols_table[b, : c.size] = c
        sf = pr.signal_factor[cp]
        self.signal_groups = [[(f, sf[c] == f) for f in np.unique(sf[c])] for c in self.bank_cols]
        self.ch_acct = {j: pr.accounts[cp, j] for j in (POOL, GUAR, REGUAR, INS, VC)}
        self.ch_share = {j: pr.shares[cp, j] for j in (POOL, GUAR, REGUAR, INS, VC)}
        self._scratch: dict[str, np.ndarray] = {}  # the month's offers, reused (``Pricing.scratch``)
        self._trust_terms = self._view_terms = self._costs = self._ch_terms = None  # built on first use (``Pricing``)
        self.buffers = np.array([[b.p.reliability_buffer_share] for b in banks], dtype=float).reshape(-1, 1)
        self.fund_ch = np.flatnonzero(self.ch_acct[VC] >= 0)  # channels a venture fund covers
        # Channels each pool covers (and their banks), each guarantor shares (and its share), each insurer is on.
        pool_cols = [np.flatnonzero(self.ch_pool == j) for j in range(len(self.pools))]
        g_cols = [np.flatnonzero(self.g_share[:, g] > 0) for g in range(len(guarantors))]
        self.pool_cols = [(c, pr.ch_bank[c]) for c in pool_cols]
        self.g_cols = [(c, self.g_share[c, g]) for g, c in enumerate(g_cols)]
        self.ins_cols = [np.flatnonzero(self.ch_acct[INS] == i) for i in range(len(insurers))]
        self.rules = products.rules  # the products' eligibility requirements (``sim.products.eligible_for``)

    def originate(self, month: int, lpr: float, calendar_index: int, hit_rate: float) -> dict[str, float]:
        """Run this month's application rounds; book the loans; return counts for the monthly table.

        A firm applies to banks, best posted price first (the cheapest product it is eligible for at that bank).
        A bank that sees the application writes the cheapest of its products that it, and any guarantor,
        insurer and pool on it, accept; a guarantor's refusal falls back to the bank's other products within
        the same application.
        """
        pop, pr = self.pop, self.pr
        firms = np.flatnonzero(pop.need_wan[: pop.n] > 0)
        stats = {"applications": 0.0, "approvals": 0.0}
        if firms.size == 0 or pr.ch_prod.size == 0:
            return stats
        rooms: tuple[np.ndarray, ...] | None = self.rooms()  # recomputed only after loans are booked
        in_window = pr.in_window(calendar_index)
        avail = self.channels_open(in_window, rooms)
        room = self.channel_room(rooms)
        offers = self.quote(firms, month, lpr, hit_rate, avail, ~in_window, room)
        # Worth it: eligible, open, and the cost below what the investment returns. A firm prefers a loan of the
        # size it asked for: offers cut short by a ceiling or the bank's collateral limit rank after every
        # full-size offer (``PARTIAL_PENALTY``), but remain a fallback. ``offers.written``: accepted and fits the
        # room, the price the firm ranks it at (struck in the rounds below when the room runs out).
        bank_price = offers.bank_price
        if self.observer is not None:
            self.observer(firms.size, offers.funnel, offers.beaten)
        nb = len(self.banks)
        order = offers.order  # banks by posted price, cheapest first
        pending = np.ones(firms.size, dtype=bool)
        vis = self.platforms.matching_visibility_share or pop.p.visibility_share
        rounds = min(pop.p.max_applications + self.platforms.matching_extra_applications, nb)
        rows_all = np.arange(firms.size)
        for r in range(rounds):
            bank = order[:, r]
            tried = np.flatnonzero(pending & np.isfinite(bank_price[rows_all, bank]))
            stats["applications"] += float(tried.size)
            rows = tried[self.streams.uniform_at("apply", month, firms[tried], r) < vis]
            while rows.size:  # the bank's next product when the best one just ran out of room
                # A bank's room only shrinks while it cannot lend: an application to a bank without room for the
                # smallest loan can never be written, so it leaves at once rather than fail each product in turn.
                rooms = self.rooms() if rooms is None else rooms
                live = rooms[0] >= pop.p.need_min_wan - DEAD_MARGIN_WAN
                took, ch, rows = self.batch(offers, rows, bank[rows], live, rooms)
                if took.size:
                    self.book_batch(firms[took], ch, offers, took)
                    rooms = None
                    pending[took] = False
                    stats["approvals"] += took.size
        self.write(offers, month)
        not_worth = ~offers.any_worth
        pop.need_wan[firms[pending & not_worth]] = 0.0  # credit costs more than it would earn: no application
        pop.need_age[firms[pending & not_worth]] = 0
        pop.unfunded(firms[pending & ~not_worth])
        return stats

    # ---- capacity -------------------------------------------------------------------------------------------
    def rooms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """New business each bank, guarantor, pool and venture fund can still take now (``headroom_wan``)."""
        return (
            np.array([b.headroom_wan() for b in self.banks]),
            np.array([g.headroom_wan() for g in self.guarantors]),
            np.array([p.headroom_wan() for p in self.pools]),
            np.array([f.headroom_wan() for f in self.inst.funds]),
        )

    def channels_open(self, in_window: np.ndarray, rooms: tuple[np.ndarray, ...]) -> np.ndarray:
        """Per channel, whether its product can be written this month: within its availability window
        (``in_window``, per product: ``ProductTable.in_window``), and its bank, pool, guarantors and insurer all
        taking business with room for at least the smallest loan. Firms see this (suspensions and full quotas
        are public) and do not waste applications on it. ``rooms``: ``rooms()`` now."""
        pr, small = self.pr, self.pop.p.need_min_wan
        room_b, room_g, room_p, _ = rooms
        ok = in_window[pr.ch_prod] & (room_b[pr.ch_bank] >= small)
        for (cols, banks), pool, room in zip(self.pool_cols, self.pools, room_p, strict=True):
            ok[cols] &= np.array([pool.open_for(b) for b in banks], dtype=bool) & (room >= small)
        for (cols, share), x, room in zip(self.g_cols, self.guarantors, room_g, strict=True):
            ok[cols] &= x.open_for_business() & (room >= small * share)
        for cols, ins in zip(self.ins_cols, self.insurers, strict=True):
            ok[cols] &= not ins.suspended
        ok[self.fund_ch] &= np.array([self.inst.fund_open(p, small) for p in pr.ch_prod[self.fund_ch]], dtype=bool)
        return ok

    def channel_room(self, rooms: tuple[np.ndarray, ...]) -> np.ndarray:
        """Per channel, the largest single loan the room left at its bank, guarantor, pool and fund takes now
        (``rooms``: ``rooms()`` now)."""
        room_b, room_g, room_p, _ = rooms
        share = self.g_share
        per_g = np.where(share > 0, room_g[None, :] / np.where(share > 0, share, 1.0), np.inf)
        room = np.minimum(room_b[self.pr.ch_bank], per_g.min(axis=1, initial=np.inf))
        room = np.minimum(room, np.append(room_p, np.inf)[self.ch_pool])  # -1 (no pool) picks the inf
        room[self.fund_ch] = np.minimum(
            room[self.fund_ch], [self.inst.fund_room(p) for p in self.pr.ch_prod[self.fund_ch]]
        )
        return room

    def batch(
        self, o: Offers, rows: np.ndarray, bank: np.ndarray, live: np.ndarray, rooms: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One batch of a round (``sim.kernels.batch``): each application to its bank's cheapest channel still on
        offer, then bank capital / quota, guarantor leverage, pool and venture-fund leverage commitments first
        come first served against the ``rooms`` left now (``rooms()``). Returns the accepted rows and their
        channels, and the rows refused for room (their offer struck from ``o.written``)."""
        return kernels.batch(
            o.written,
            o.amount,
            rows,
            bank,
            self.bank_cols_table,
            self.bank_ncols,
            live,
            self.pr.ch_bank,
            rooms,
            self.g_share,
            self.ch_pool,
            self.ch_acct[VC],
            self.ch_share[VC],
        )

    def book_batch(self, slots: np.ndarray, ch: np.ndarray, o: Offers, rows: np.ndarray) -> None:
        """A batch of accepted loans: book the capacity they use now (the next batch's rooms read it); they are
        written with the month's others (``write``)."""
        pr = self.pr
        self.on_capacity(pr.ch_bank[ch], pr.ch_prod[ch], o.amount[rows, ch])
        self._batches.append((slots, ch, rows))

    def write(self, o: Offers, month: int) -> None:
        """Write the month's accepted loans to the book, in the order accepted, and tell the firms."""
        if not self._batches:
            return
        slots, ch, rows = (np.concatenate(x) for x in zip(*self._batches, strict=True))
        self._batches.clear()
        pr = self.pr
        p, bank = pr.ch_prod[ch], pr.ch_bank[ch]
        amount = o.amount[rows, ch]
        cost = o.cost[rows, ch]
        int_sub, fee_sub, prem_sub, premium = o.subsidies(ch, rows)
        self.book.add(
            firm=slots,
            bank=bank,
            product=p,
            principal=amount,
            rate=o.rate[rows, ch],
            fee_rate=pr.fee[p],
            refee_rate=np.where(pr.accounts[p, REGUAR] >= 0, pr.refee[p], 0.0),
            premium_rate=premium,
            int_sub_share=int_sub,
            fee_sub_share=fee_sub,
            prem_sub_share=prem_sub,
            lgd=pr.lgd[p],
            start=month,
            maturity=month + pr.term[p],
        )
        self.on_new_loans(slots, bank, p, amount, cost)
