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
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import kernels
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
QUOTE_BLOCK = 8192  # applicants priced at a time (a block's (channels, firms) temporaries fit in cache)
PARTIAL_PENALTY = 1.0  # ranking penalty (annual rate) of an offer below the firm's need; only orders offers


@dataclass
class Offers:
    """Per application, (channels, firms) arrays — a channel's row runs over the month's applicants, so the
    element-wise rules broadcast per-channel terms ``(c, 1)`` against per-firm terms ``(1, k)`` in long inner
    loops: what the lender side would do."""

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

    ``keys`` < 0 have no limit. Order of arrival is array order; an application refused still counts toward
    the running sum (the queue stops where the room runs out). A compiled loop (``sim.kernels.within_room``).
    """
    return kernels.within_room(keys.astype(np.int64), amounts.astype(float), np.asarray(room, dtype=float))


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
        pr, cp = products, products.ch_prod
        # What each channel involves, fixed for the run: its bank's channels, each guarantor's share (one
        # entity in two roles counts both), the pool that covers it, the guarantor and insurer that screen it.
        self.bank_cols = [np.flatnonzero(pr.ch_bank == b) for b in range(len(banks))]
        self.g_share = np.zeros((cp.size, len(guarantors)))
        for g in range(len(guarantors)):
            self.g_share[:, g] = pr.guarantor_share(g, cp)
        self.ch_pool = np.where(pr.shares[cp, POOL] > 0, pr.accounts[cp, POOL], -1)
        self.ch_guar, self.ch_ins = pr.accounts[cp, GUAR], pr.accounts[cp, INS]
        self.bank_ncols = np.array([c.size for c in self.bank_cols], dtype=np.int64)
        self.bank_cols_table = np.zeros((len(banks), max(self.bank_ncols, default=0)), dtype=np.int64)
        for b, c in enumerate(self.bank_cols):
            self.bank_cols_table[b, : c.size] = c
        sf = pr.signal_factor[cp]
        self.signal_groups = [[(f, sf[c] == f) for f in np.unique(sf[c])] for c in self.bank_cols]
        self.ch_acct = {j: pr.accounts[cp, j] for j in (POOL, GUAR, REGUAR, INS, VC)}
        self.ch_share = {j: pr.shares[cp, j] for j in (POOL, GUAR, REGUAR, INS, VC)}

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

    def retained(self) -> np.ndarray:
        """Per channel, the share of a loss its bank expects to bear: its own share plus what it does not trust
        each sharer to pay (``Bank.trust``: funds against the covered exposure of ``exposures()``)."""
        pr, exp = self.pr, self.exposures()
        funds = {
            POOL: np.array([p.balance_wan for p in self.pools]),
            GUAR: np.array([max(g.net_assets_wan, 0.0) for g in self.guarantors]),
            INS: np.array([i.capital_wan for i in self.insurers]),
            VC: self.inst.fund_money() if self.inst else np.zeros(0),
        }
        covered = np.zeros(pr.ch_prod.size)
        for j in (POOL, GUAR, INS, VC, REGUAR):  # one entity, one purse: a re-guarantor is trusted as guarantor
            f, e = (funds[GUAR], exp[GUAR]) if j == REGUAR else (funds[j], exp[j])
            acct = self.ch_acct[j]
            if f.size == 0 or (acct < 0).all():
                continue
            trust = np.array([bank.trust(f, e) for bank in self.banks])  # (banks, parties of kind j)
            covered += self.ch_share[j] * np.where(acct >= 0, trust[self.pr.ch_bank, np.maximum(acct, 0)], 0.0)
        return 1.0 - covered

    def noise(self, kind: str, name: str, month: int, firms: np.ndarray) -> np.ndarray:
        """Standard-normal screening errors of one institution for the given firm slots this month."""
        return self.streams.normal_at("signal", month, firms, f"{kind}:{name}")

    def seen_pd(self, kind: str, name: str, scale: float, firms: np.ndarray, pdf: tuple, month: int) -> np.ndarray:
        """Annual PD of ``firms`` as institution ``kind:name`` sees it: the true quality plus its screening error
        (standard deviation ``scale``), through the firm-side factors ``pdf`` (``Enterprises.pd_factors``)."""
        return self.pop.pd_seen(pdf, self.pop.theta[firms] + scale * self.noise(kind, name, month, firms))

    def quote(self, firms: np.ndarray, month: int, lpr: float, hit_rate: float) -> Offers:
        """Price and screen every (channel, firm) application for this month: each bank once over its channels,
        each guarantor and insurer once over the channels of the products it is on.

        Applicants are priced in blocks of ``QUOTE_BLOCK`` firms, so that a block's temporaries stay in cache;
        every draw is counter-based per firm slot, so the blocks give the same numbers as one pass."""
        kept = self.retained()
        if firms.size <= QUOTE_BLOCK:
            return self.quote_block(firms, month, lpr, hit_rate, kept)
        parts = [self.quote_block(firms[i : i + QUOTE_BLOCK], month, lpr, hit_rate, kept)
                 for i in range(0, firms.size, QUOTE_BLOCK)]  # fmt: skip
        shape = (self.pr.ch_prod.size, firms.size)
        joined = {}
        for f in fields(Offers):
            arrays = [getattr(p, f.name) for p in parts]
            if all(a.strides[1] == 0 for a in arrays):  # a per-channel term broadcast over firms
                joined[f.name] = np.broadcast_to(arrays[0][:, :1], shape)
            else:
                joined[f.name] = np.concatenate(arrays, axis=1)
        return Offers(**joined)

    def quote_block(self, firms: np.ndarray, month: int, lpr: float, hit_rate: float, kept: np.ndarray) -> Offers:
        """``quote`` for one block of applicants; ``kept``: the banks' retained share per channel (``retained``)."""
        pop, pr = self.pop, self.pr
        cp, k, nc = pr.ch_prod, firms.size, pr.ch_prod.size
        collateral, revenue = pop.collateral_wan(firms)[None, :], pop.revenue_wan[firms][None, :]
        plat = self.platforms.credit_info_noise_factor
        pdf = pop.pd_factors(firms)
        cap = np.fmin(pr.cap[cp], lpr + pr.cap_spread[cp])
        cap[np.isnan(cap)] = np.inf
        gov = self.government
        reward = np.array([gov.reward_rate(bool(r), bool(q)) for r, q in zip(pr.reward, pr.policy, strict=True)])
        reward = reward[cp] * 12.0 / pr.term[cp]
        rate, accept, limit = np.empty((nc, k)), np.empty((nc, k), bool), np.empty((nc, k))
        for bank, cols in zip(self.banks, self.bank_cols, strict=True):
            if cols.size == 0:
                continue
            pd_hat = np.empty((cols.size, k))
            for f, same in self.signal_groups[bank.index]:  # products with one signal factor share the bank's view
                scale = bank.p.screening_noise * f * plat
                pd_hat[same] = self.seen_pd("bank", bank.name, scale, firms, pdf, month)[None, :]
            lgd, kc = pr.lgd[cp[cols]][:, None], kept[cols][:, None]
            rate[cols] = bank.quote(pd_hat, lgd, kc, lpr, cap[cols][:, None])
            accept[cols] = bank.accepts(rate[cols], pd_hat, lgd, kc, reward[cols][:, None], lpr)
            limit[cols] = bank.lending_limit(*self.secured_by(cp[cols], kept[cols], firms, collateral), revenue)
        rate -= self.inst.rate_discount(firms)[None, :]  # red list 利率优惠: acceptance above was on the full rate
        prem = np.array([self.insurers[i].premium_rate if i >= 0 else 0.0 for i in self.ch_ins])[:, None]
        gate = float(gov.commitments_open())
        sub_first, sub_other = (pr.first_sub[cp] * gate)[:, None], (pr.int_sub[cp] * gate)[:, None]
        if (sub_first != sub_other).any():  # a first-loan subsidy: depends on the firm
            int_sub = np.where(~pop.first_loan[firms][None, :], sub_first, sub_other)
        else:
            int_sub = sub_other
        fee_sub, prem_sub = (pr.fee_sub[cp] * gate)[:, None], (pr.prem_sub[cp] * gate)[:, None]  # same for all firms
        fee, other = pr.fee[cp][:, None], pr.other_cost[cp][:, None]
        cost = rate * (1 - int_sub) + fee * (1 - fee_sub) + prem * (1 - prem_sub) + other
        int_sub, premium, fee_sub, prem_sub = (np.broadcast_to(x, (nc, k)) for x in (int_sub, prem, fee_sub, prem_sub))
        ret = pop.investment_return(firms, hit_rate)
        want = pop.demand(pop.need_wan[firms][None, :], ret[None, :], cost)
        amount = np.minimum(np.minimum(want, pr.max_loan[cp][:, None]), limit)
        accept &= amount >= pop.p.need_min_wan - 1e-9
        accept &= self.screen_sharers(firms, amount, pdf, month)
        return Offers(amount, want, rate, cost, int_sub, fee_sub, prem_sub, premium, accept)

    def secured_by(
        self, prods: np.ndarray, kept: np.ndarray, firms: np.ndarray, collateral: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For channels of products ``prods`` at one bank: the retained share that must fit under the lending limit
        (a lease's equipment secures its own share), (c, 1), and the collateral, (1, k) or with a pledged asset
        (c, k)."""
        inst = self.inst
        kept = np.array([inst.limit_retained(p, k) for p, k in zip(prods, kept, strict=True)])[:, None]
        if (self.pr.pledge[prods] < 0).all():
            return kept, collateral
        return kept, collateral + np.vstack([inst.pledge_wan(p, firms) for p in prods])

    def screen_sharers(self, firms: np.ndarray, amount: np.ndarray, pdf: tuple, month: int) -> np.ndarray:
        """(channels, firms): whether the guarantor and the insurer of each channel's product would take the
        firm. Each screens once (its own view of the firm) for all the channels it is on."""
        pr, pop = self.pr, self.pop
        ok = np.ones(amount.shape, dtype=bool)
        plat = self.platforms.credit_info_noise_factor
        for g, gu in enumerate(self.guarantors):
            cols = np.flatnonzero(self.ch_guar == g)
            if cols.size:
                pd_hat = self.seen_pd("guarantor", gu.name, gu.p.screening_noise * plat, firms, pdf, month)[None, :]
                liability = amount[cols] * pr.shares[pr.ch_prod[cols], GUAR][:, None]
                ok[cols] &= gu.screens(pd_hat, pop.assets_wan(firms)[None, :], liability)
        for i, ins in enumerate(self.insurers):
            cols = np.flatnonzero(self.ch_ins == i)
            if cols.size:
                pd_hat = self.seen_pd("insurer", ins.name, ins.p.screening_noise * plat, firms, pdf, month)
                ok[cols] &= ins.screens(pd_hat)[None, :]
        for p in np.unique(pr.ch_prod[pr.accounts[pr.ch_prod, VC] >= 0]):  # a venture fund screens its product
            ok[pr.ch_prod == p] &= self.inst.fund_screens(p, firms, month, plat)[None, :]
        return ok

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
        avail = self.channels_open(calendar_index)
        worth = elig & avail[:, None] & (offers.want > 0)  # products whose cost is below what the investment returns
        posted = np.where(worth, offers.cost, np.inf)
        # A firm prefers a loan of the size it asked for: offers cut short by a ceiling or the bank's collateral
        # limit rank after every full-size offer, but remain a fallback.
        posted = posted + (offers.amount < offers.want - 1e-9) * PARTIAL_PENALTY
        written = np.where(offers.accept & self.fits(offers.amount), posted, np.inf)
        if self.observer is not None:
            self.observer(firms, elig, avail, worth, written, calendar_index)
        nb = len(self.banks)
        bank_price = np.full((firms.size, nb), np.inf)
        for b, cols in enumerate(self.bank_cols):
            if cols.size:
                bank_price[:, b] = posted[cols].min(axis=0)
        order = np.argsort(bank_price, axis=1, kind="stable")
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
                live = self.rooms()[0] >= pop.p.need_min_wan - DEAD_MARGIN_WAN
                ch = kernels.best_at_bank(written, rows, bank[rows], self.bank_cols_table, self.bank_ncols, live)
                rows, ch = rows[ch >= 0], ch[ch >= 0]
                if rows.size == 0:
                    break
                ok = self.capacity_ok(ch, offers.amount[ch, rows])
                if ok.any():
                    self.write(firms[rows[ok]], ch[ok], offers, rows[ok], month)
                    pending[rows[ok]] = False
                    stats["approvals"] += int(ok.sum())
                written[ch[~ok], rows[~ok]] = np.inf
                rows = rows[~ok]
        not_worth = ~worth.any(axis=0)
        pop.need_wan[firms[pending & not_worth]] = 0.0  # credit costs more than it would earn: no application
        pop.need_age[firms[pending & not_worth]] = 0
        pop.unfunded(firms[pending & ~not_worth])
        return stats

    # ---- capacity -------------------------------------------------------------------------------------------
    def rooms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """New business each bank, guarantor and pool can still take now (``headroom_wan``)."""
        return (
            np.array([b.headroom_wan() for b in self.banks]),
            np.array([g.headroom_wan() for g in self.guarantors]),
            np.array([p.headroom_wan() for p in self.pools]),
        )

    def channels_open(self, calendar_index: int) -> np.ndarray:
        """Per channel, whether its product can be written this month: within its availability window, and its
        bank, pool, guarantors and insurer all taking business with room for at least the smallest loan.
        Firms see this (suspensions and full quotas are public) and do not waste applications on it."""
        pr, small = self.pr, self.pop.p.need_min_wan
        cp, cb = pr.ch_prod, pr.ch_bank
        room_b, room_g, room_p = self.rooms()
        ok = (pr.avail_from[cp] <= calendar_index) & (calendar_index <= pr.avail_until[cp]) & (room_b[cb] >= small)
        for j, pool in enumerate(self.pools):
            on = self.ch_pool == j
            ok[on] &= np.array([pool.open_for(b) for b in cb[on]], dtype=bool) & (room_p[j] >= small)
        for g, x in enumerate(self.guarantors):
            share = self.g_share[:, g]
            ok &= ~((share > 0) & (not x.open_for_business() or room_g[g] < small * share))
        for i, ins in enumerate(self.insurers):
            ok &= ~((self.ch_ins == i) & ins.suspended)
        return ok & np.array([self.inst.fund_open(p, small) for p in cp], dtype=bool)

    def channel_room(self) -> np.ndarray:
        """Per channel, the largest single loan the room left at its bank, guarantor, pool and fund takes now."""
        room_b, room_g, room_p = self.rooms()
        share = self.g_share
        per_g = np.where(share > 0, room_g[None, :] / np.where(share > 0, share, 1.0), np.inf)
        room = np.minimum(room_b[self.pr.ch_bank], per_g.min(axis=1, initial=np.inf))
        room = np.minimum(room, np.append(room_p, np.inf)[self.ch_pool])  # -1 (no pool) picks the inf
        return np.minimum(room, np.array([self.inst.fund_room(p) for p in self.pr.ch_prod]))

    def fits(self, amount: np.ndarray) -> np.ndarray:
        """(channels, k): whether each loan alone fits the room left at its bank, guarantor and pool."""
        return amount <= self.channel_room()[:, None] + 1e-9

    def capacity_ok(self, ch: np.ndarray, amount: np.ndarray) -> np.ndarray:
        """Bank capital / quota, guarantor leverage and pool leverage commitment, first come first served."""
        room_b, room_g, room_p = self.rooms()
        ok = within_room(self.pr.ch_bank[ch], amount, room_b)
        for g in range(room_g.size):  # per entity: its guarantor and re-guarantor shares together
            liability = amount * self.g_share[ch, g]
            on = ok & (liability > 0)
            if on.any():
                ok &= within_room(np.where(on, 0, -1), liability, room_g[g : g + 1])
        if room_p.size:
            ok &= within_room(np.where(ok, self.ch_pool[ch], -1), amount, room_p)
        return self.inst.fund_capacity(self.pr.ch_prod[ch], amount, ok, within_room)

    def write(self, slots: np.ndarray, ch: np.ndarray, o: Offers, rows: np.ndarray, month: int) -> None:
        """Write accepted loans to the book and tell every party its new business."""
        pr = self.pr
        p, bank = pr.ch_prod[ch], pr.ch_bank[ch]
        amount = o.amount[ch, rows]
        cost = o.cost[ch, rows]
        self.book.add(
            firm=slots,
            bank=bank,
            product=p,
            principal=amount,
            rate=o.rate[ch, rows],
            fee_rate=pr.fee[p],
            refee_rate=np.where(pr.accounts[p, REGUAR] >= 0, pr.refee[p], 0.0),
            premium_rate=o.premium[ch, rows],
            int_sub_share=o.int_sub[ch, rows],
            fee_sub_share=o.fee_sub[ch, rows],
            prem_sub_share=o.prem_sub[ch, rows],
            lgd=pr.lgd[p],
            start=month,
            maturity=month + pr.term[p],
        )
        self.on_new_loans(slots, bank, p, amount, cost)
