"""The credit market: matching only. Who applies where and in what order; the decisions are the agents'.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.products import GUAR, INS, POOL, REGUAR, VC, ProductTable

if TYPE_CHECKING:
    from agents import Bank, Enterprises, Government, Guarantor, Insurer
    from sim.instruments import Instruments
    from sim.loanbook import LoanBook
    from sim.schema import Platforms
    from sim.streams import Streams

PARTIAL_PENALTY = 1.0  # ranking penalty (annual rate) of an offer below the firm's need; only orders offers


@dataclass
class Offers:
    """Per application (firm × channel): what the lender side would do."""

    amount: np.ndarray
    want: np.ndarray
    rate: np.ndarray
    cost: np.ndarray
    int_sub: np.ndarray
    fee_sub: np.ndarray
    prem_sub: np.ndarray
    premium: np.ndarray
    accept: np.ndarray


def within_room(keys: np.ndarray, amounts: np.ndarray, room: np.ndarray) -> np.ndarray:
    """First-come-first-served capacity: accept while the running sum per key stays within its room.

    ``keys`` < 0 have no limit. Order of arrival is array order.
    """
    ok = np.ones(keys.size, dtype=bool)
    lim = keys >= 0
    if not lim.any():
        return ok
    idx = np.flatnonzero(lim)
    order = idx[np.argsort(keys[idx], kind="stable")]
    k, a = keys[order], amounts[order]
    cs = np.cumsum(a)
    starts = np.r_[0, np.flatnonzero(np.diff(k)) + 1]
    before = np.repeat(cs[starts] - a[starts], np.diff(np.r_[starts, k.size]))
    ok[order] = cs - before <= room[k] + 1e-9
    return ok


def best_at_bank(ch_bank: np.ndarray, written: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """For each application (row of ``written``) the cheapest channel of its bank still on offer; -1: none."""
    at_bank = np.where(ch_bank[None, :] == bank[:, None], written, np.inf)
    ch = np.argmin(at_bank, axis=1) if at_bank.size else np.zeros(0, dtype=np.int64)
    return np.where(np.isfinite(at_bank[np.arange(bank.size), ch]), ch, -1) if bank.size else ch


class Market:
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
        on_new_loans: Called with (slots, bank, product, amount, cost) for every batch of loans written.
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
        on_new_loans: Callable[..., Any],
    ) -> None:
        self.pop, self.pr, self.book = pop, products, book
        self.banks, self.guarantors, self.insurers = banks, guarantors, insurers
        self.government, self.pools = government, government.pools
        self.streams, self.platforms, self.exposure = streams, platforms, exposure
        self.on_new_loans = on_new_loans
        self.inst: Instruments | None = None
        self.observer: Callable[..., Any] | None = None

    # ---- what each sharer's share is worth to a bank --------------------------------------------------------
    def exposures(self) -> dict[int, np.ndarray]:
        """Covered principal × share borne by each pool, guarantor (both roles together) and insurer, as trued
        up at the last month end (``EcosystemModel.update_institutions``)."""
        exp = self.exposure
        sizes = {
            POOL: len(self.pools),
            GUAR: len(self.guarantors),
            REGUAR: len(self.guarantors),
            INS: len(self.insurers),
        }
        got = {j: exp[j] if exp[j].size == n else np.zeros(n) for j, n in sizes.items()}
        n_vc = len(self.inst.funds) if self.inst is not None else 0
        vc = exp[VC] if VC in exp and exp[VC].size == n_vc else np.zeros(n_vc)
        return {POOL: got[POOL], GUAR: got[GUAR] + got[REGUAR], INS: got[INS], VC: vc}

    def retained(self, bank: Bank, exp: dict[int, np.ndarray]) -> np.ndarray:
        """Per channel, the share of a loss ``bank`` expects to bear: its own share plus what it does not trust each
        sharer to pay (``Bank.trust``: funds against the covered exposure ``exp`` of ``exposures()``)."""
        pr = self.pr
        funds = {
            POOL: np.array([p.balance_wan for p in self.pools]),
            GUAR: np.array([max(g.net_assets_wan, 0.0) for g in self.guarantors]),
            INS: np.array([i.capital_wan for i in self.insurers]),
            VC: self.inst.fund_money() if self.inst else np.zeros(0),
        }
        trust = {j: bank.trust(funds[j], exp[j]) for j in funds}
        trust[REGUAR] = trust[GUAR]  # one entity, one purse: its two roles are trusted together
        cp = pr.ch_prod
        covered = sum(
            pr.shares[cp, j]
            * np.where(pr.accounts[cp, j] >= 0, t[np.maximum(pr.accounts[cp, j], 0)] if t.size else 0, 0)
            for j, t in trust.items()
        )
        return 1.0 - covered

    def noise(self, kind: str, name: str, month: int, firms: np.ndarray) -> np.ndarray:
        """Standard-normal screening errors of one institution for the given firm slots this month."""
        return self.streams.normal_at("signal", month, firms, f"{kind}:{name}")

    def quote(self, firms: np.ndarray, month: int, lpr: float, hit_rate: float) -> Offers:
        """Price and screen every (firm, channel) application for this month."""
        pop, pr = self.pop, self.pr
        cp, cb = pr.ch_prod, pr.ch_bank
        k, nc = firms.size, cp.size
        theta = pop.theta[firms]
        collateral, revenue = pop.collateral_wan(firms), pop.revenue_wan[firms]
        plat = self.platforms.credit_info_noise_factor
        exposure = self.exposures()
        retained = {b.index: self.retained(b, exposure) for b in self.banks}
        open_ = self.government.commitments_open()
        first = ~pop.first_loan[firms]
        rate, accept, premium = np.zeros((k, nc)), np.zeros((k, nc), bool), np.zeros((k, nc))
        limit = np.zeros((k, nc))
        noise = {b.index: self.noise("bank", b.name, month, firms) for b in self.banks}
        for c in range(nc):
            p, bank = cp[c], self.banks[cb[c]]
            kept = retained[bank.index][c]
            sig = theta + bank.p.screening_noise * pr.signal_factor[p] * plat * noise[bank.index]
            pd_hat = pop.pd_annual(sig, firms)
            cap = pr.rate_cap(p, lpr)
            reward = self.government.reward_rate(bool(pr.reward[p]), bool(pr.policy[p])) * 12.0 / pr.term[p]
            rate[:, c] = bank.quote(pd_hat, pr.lgd[p], kept, lpr, cap)
            accept[:, c] = bank.accepts(rate[:, c], pd_hat, pr.lgd[p], kept, reward, lpr)
            limit[:, c] = bank.lending_limit(
                self.inst.limit_retained(p, kept), collateral + self.inst.pledge_wan(p, firms), revenue
            )
            if pr.accounts[p, INS] >= 0:
                premium[:, c] = self.insurers[pr.accounts[p, INS]].premium_rate
        rate -= self.inst.rate_discount(firms)[:, None]  # red list 利率优惠: acceptance above was on the full rate
        gate = float(open_)
        int_sub = np.where(first[:, None], pr.first_sub[cp], pr.int_sub[cp]) * gate
        fee_sub, prem_sub = (
            np.broadcast_to(pr.fee_sub[cp] * gate, (k, nc)),
            np.broadcast_to(pr.prem_sub[cp] * gate, (k, nc)),
        )
        cost = rate * (1 - int_sub) + pr.fee[cp] * (1 - fee_sub) + premium * (1 - prem_sub) + pr.other_cost[cp]
        ret = pop.investment_return(firms, hit_rate)
        want = pop.demand(pop.need_wan[firms][:, None], ret[:, None], cost)
        amount = np.minimum(np.minimum(want, pr.max_loan[cp][None, :]), limit)
        accept &= amount >= pop.p.need_min_wan - 1e-9
        for c in range(nc):
            accept[:, c] &= self.screen_sharers(cp[c], firms, amount[:, c], month)
        return Offers(amount, want, rate, cost, int_sub, fee_sub, prem_sub, premium, accept)

    def screen_sharers(self, p: int, firms: np.ndarray, amount: np.ndarray, month: int) -> np.ndarray:
        """Guarantor and insurer screening of product ``p`` (True where they would take the firm)."""
        pr, pop = self.pr, self.pop
        ok = np.ones(firms.size, dtype=bool)
        plat = self.platforms.credit_info_noise_factor
        g = pr.accounts[p, GUAR]
        if g >= 0:
            gu = self.guarantors[g]
            sig = pop.theta[firms] + gu.p.screening_noise * plat * self.noise("guarantor", gu.name, month, firms)
            ok &= gu.screens(pop.pd_annual(sig, firms), pop.assets_wan(firms), amount * pr.shares[p, GUAR])
        i = pr.accounts[p, INS]
        if i >= 0:
            ins = self.insurers[i]
            sig = pop.theta[firms] + ins.p.screening_noise * plat * self.noise("insurer", ins.name, month, firms)
            ok &= ins.screens(pop.pd_annual(sig, firms))
        return ok & self.inst.fund_screens(p, firms, month, plat)

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
        offers = self.quote(firms, month, lpr, hit_rate)
        elig = pr.eligible(
            pop.stage[firms],
            pop.in_database[firms],
            pop.high_tech[firms],
            pop.patents[firms],
            pop.vc_backed[firms],
            self.inst.holds(firms),
        )
        avail = np.array([self.channel_open(c, calendar_index) for c in range(pr.ch_prod.size)])
        worth = elig & avail & (offers.want > 0)  # products whose cost is below what the investment returns
        posted = np.where(worth, offers.cost, np.inf)
        # A firm prefers a loan of the size it asked for: offers cut short by a ceiling or the bank's collateral
        # limit rank after every full-size offer, but remain a fallback.
        posted = posted + (offers.amount < offers.want - 1e-9) * PARTIAL_PENALTY
        written = np.where(offers.accept & self.fits(offers.amount), posted, np.inf)
        if self.observer is not None:
            self.observer(firms, elig, avail, worth, written, calendar_index)
        nb = len(self.banks)
        bank_price = np.full((firms.size, nb), np.inf)
        for b in range(nb):
            cols = np.flatnonzero(pr.ch_bank == b)
            if cols.size:
                bank_price[:, b] = posted[:, cols].min(axis=1)
        order = np.argsort(bank_price, axis=1, kind="stable")
        pending = np.ones(firms.size, dtype=bool)
        vis = self.platforms.matching_visibility_share or pop.p.visibility_share
        rounds = min(pop.p.max_applications + self.platforms.matching_extra_applications, nb)
        rows_all = np.arange(firms.size)
        for r in range(rounds):
            bank = order[:, r]
            tried = pending & np.isfinite(bank_price[rows_all, bank])
            seen = self.streams.uniform_at("apply", month, firms, r) < vis
            stats["applications"] += float(tried.sum())
            rows = np.flatnonzero(tried & seen)
            for _ in range(pr.ch_prod.size):  # the bank's next product when the best one just ran out of room
                ch = best_at_bank(pr.ch_bank, written[rows], bank[rows])
                rows, ch = rows[ch >= 0], ch[ch >= 0]
                if rows.size == 0:
                    break
                ok = self.capacity_ok(ch, offers.amount[rows, ch])
                if ok.any():
                    self.write(firms[rows[ok]], ch[ok], offers, rows[ok], month)
                    pending[rows[ok]] = False
                    stats["approvals"] += int(ok.sum())
                written[rows[~ok], ch[~ok]] = np.inf
                rows = rows[~ok]
        not_worth = ~worth.any(axis=1)
        pop.need_wan[firms[pending & not_worth]] = 0.0  # credit costs more than it would earn: no application
        pop.need_age[firms[pending & not_worth]] = 0
        pop.unfunded(firms[pending & ~not_worth])
        return stats

    def guarantor_room(self, p: int) -> float:
        """Largest loan of product ``p`` every guarantor on it can still take under its leverage limit (one entity
        in two roles counts its two shares together)."""
        room = np.inf
        for g, x in enumerate(self.guarantors):
            share = float(self.pr.guarantor_share(g, np.array([p]))[0])
            if share > 0:
                room = min(room, x.headroom_wan() / share)
        return room

    def channel_open(self, c: int, calendar_index: int) -> bool:
        """Whether the channel's product can be written this month: within its availability window, and its
        bank, pool, guarantors and insurer all taking business with room for at least the smallest loan.
        Firms see this (suspensions and full quotas are public) and do not waste applications on it."""
        pr = self.pr
        p, bank = pr.ch_prod[c], pr.ch_bank[c]
        if not pr.avail_from[p] <= calendar_index <= pr.avail_until[p]:
            return False
        small = self.pop.p.need_min_wan
        if self.banks[bank].headroom_wan() < small:
            return False
        pool, i = pr.accounts[p, POOL], pr.accounts[p, INS]
        if pool >= 0 and pr.shares[p, POOL] > 0:
            pl = self.pools[pool]
            if not pl.open_for(bank) or pl.headroom_wan() < small:
                return False
        for g, x in enumerate(self.guarantors):
            share = float(self.pr.guarantor_share(g, np.array([p]))[0])
            if share > 0 and (not x.open_for_business() or x.headroom_wan() < small * share):
                return False
        return not (i >= 0 and self.insurers[i].suspended) and self.inst.fund_open(p, small)

    def fits(self, amount: np.ndarray) -> np.ndarray:
        """(k, channels): whether each loan alone fits the room left at its bank, guarantor and pool."""
        pr = self.pr
        p, b = pr.ch_prod, pr.ch_bank
        room_bank = np.array([self.banks[i].headroom_wan() for i in b])
        room_g = np.array([self.guarantor_room(q) for q in p])
        room_p = np.array(
            [
                self.pools[x].headroom_wan() if x >= 0 and pr.shares[q, POOL] > 0 else np.inf
                for q, x in zip(p, pr.accounts[p, POOL], strict=True)
            ]
        )
        room_vc = np.array([self.inst.fund_room(q) for q in p])
        return amount <= np.minimum(np.minimum(np.minimum(room_bank, room_g), room_p), room_vc)[None, :] + 1e-9

    def capacity_ok(self, ch: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """Bank capital / quota, guarantor leverage and pool leverage commitment, first come first served."""
        pr = self.pr
        p = pr.ch_prod[ch]
        ok = within_room(pr.ch_bank[ch], amount, np.array([b.headroom_wan() for b in self.banks]))
        for g, x in enumerate(self.guarantors):  # per entity: its guarantor and re-guarantor shares together
            liability = amount * self.pr.guarantor_share(g, p)
            ok &= within_room(np.where(ok & (liability > 0), 0, -1), liability, np.array([x.headroom_wan()]))
        if self.pools:
            pl = np.where(ok & (pr.shares[p, POOL] > 0), pr.accounts[p, POOL], -1)
            ok &= within_room(pl, amount, np.array([x.headroom_wan() for x in self.pools]))
        return self.inst.fund_capacity(p, amount, ok, within_room)

    def write(self, slots: np.ndarray, ch: np.ndarray, o: Offers, rows: np.ndarray, month: int) -> None:
        """Write accepted loans to the book and tell every party its new business."""
        pr = self.pr
        p, bank = pr.ch_prod[ch], pr.ch_bank[ch]
        amount = o.amount[rows, ch]
        cost = o.cost[rows, ch]
        self.book.add(
            firm=slots,
            bank=bank,
            product=p,
            principal=amount,
            rate=o.rate[rows, ch],
            fee_rate=pr.fee[p],
            refee_rate=np.where(pr.accounts[p, REGUAR] >= 0, pr.refee[p], 0.0),
            premium_rate=o.premium[rows, ch],
            int_sub_share=o.int_sub[rows, ch],
            fee_sub_share=o.fee_sub[rows, ch],
            prem_sub_share=o.prem_sub[rows, ch],
            lgd=pr.lgd[p],
            start=month,
            maturity=month + pr.term[p],
        )
        self.on_new_loans(slots, bank, p, amount, cost)
