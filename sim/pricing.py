"""Pricing and screening of the month's applications (``Pricing``, the first half of ``sim.market.Market``).

Every (firm, channel) application is priced by its bank (its rate, margin and lending limit: ``Bank.quote``,
``Bank.accepts``, ``Bank.lending_limit``) through the bank's own noisy view of the firm, and screened by the
guarantor, insurer and venture fund on the product (each through its own view). A bank prices the share of a
loss it expects to keep: its own share plus what it does not trust each sharer to pay (``retained``). The firm's
side (the all-in cost net of subsidies and the amount its investment justifies, ``Enterprises.demand``)
completes the offer. ``Pricing`` gathers the month's terms of every party; the offers themselves are one
compiled pass running the agents' own rules (``sim.offers``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.bank import trusted
from sim.offers import offers
from sim.products import GUAR, INS, POOL, REGUAR, VC

KINDS = (POOL, GUAR, INS, VC)  # the sharers a bank trusts, in the order of its trust table
PARTIAL_PENALTY = 1.0  # ranking penalty (annual rate) of an offer below the firm's need; only orders offers

if TYPE_CHECKING:
    from agents import Bank, Enterprises, Government, Guarantor, Insurer
    from sim.instruments import Instruments
    from sim.products import ProductTable
    from sim.schema import Platforms
    from sim.streams import Streams


@dataclass
class Offers:
    """The month's offers (``sim.offers.offers``): per application, (firms, channels) arrays — amount offered,
    rate, all-in cost, the ranking price of an accepted offer that fits (inf: none) — the firm's
    posted price per bank (firms, banks) and the banks in that order (``order``), whether any offer is worth it
    to the firm (``any_worth``), what a written loan's subsidies are (``subs`` per channel, as
    ``ch_subs`` of the kernel, and the applicants' ``first_loan`` flags), and the month's product funnel
    (``funnel``, ``beaten``: ``sim.funnel.ProductFunnel.observe``)."""

    amount: np.ndarray
    rate: np.ndarray
    cost: np.ndarray
    written: np.ndarray
    bank_price: np.ndarray
    order: np.ndarray
    any_worth: np.ndarray
    subs: np.ndarray
    first_loan: np.ndarray
    funnel: np.ndarray
    beaten: np.ndarray

    def subsidies(self, ch: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """Interest, fee and premium subsidy shares and the premium rate of the loans (ch, rows)."""
        s = self.subs[ch]
        return np.where(self.first_loan[rows], s[:, 1], s[:, 0]), s[:, 3], s[:, 5], s[:, 4]


def terms_table(rows: list[tuple], width: int) -> np.ndarray:
    """Parties' terms as a float table for the kernel, one row of zeros when there is no party."""
    return np.array(rows, dtype=float).reshape(len(rows), width) if rows else np.zeros((1, width))


class Pricing:
    """Prices and screens applications; ``sim.market.Market`` sets the attributes annotated here."""

    pop: Enterprises
    pr: ProductTable
    banks: list[Bank]
    guarantors: list[Guarantor]
    insurers: list[Insurer]
    government: Government
    streams: Streams
    platforms: Platforms
    exposure: dict[int, np.ndarray]
    inst: Instruments | None
    signal_groups: list[list[tuple[float, np.ndarray]]]
    ch_acct: dict[int, np.ndarray]
    ch_share: dict[int, np.ndarray]
    bank_cols: list[np.ndarray]
    _scratch: dict[str, np.ndarray]
    _trust_terms: list[tuple[np.ndarray, np.ndarray]] | None
    buffers: np.ndarray
    _view_terms: list[tuple[str, float, np.ndarray, int]] | None
    _costs: np.ndarray | None
    _ch_terms: np.ndarray | None
    _ch_fixed: tuple[np.ndarray, ...]
    fund_ch: np.ndarray
    rules: np.ndarray

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
        every = np.concatenate([funds[j] for j in KINDS]), np.concatenate([exp[j] for j in KINDS])
        trust = trusted(*every, self.buffers).ravel()  # every bank's trust in every party (``Bank.trust``) at once
        trust = np.append(trust, 0.0)  # where a channel has no party of a kind
        covered = np.zeros(pr.ch_prod.size)
        for share, at in self.trust_terms(funds):
            covered += share * trust[at]
        return 1.0 - covered

    def trust_terms(self, funds: dict[int, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per kind of sharer on some channel (pool, guarantor, insurer, fund, re-guarantor, in that order): each
        channel's share and where its party's trust sits in ``retained``'s flat (banks × every party) table (its
        last entry, a 0, when the channel has none). Fixed for the run; built once."""
        if self._trust_terms is None:
            start = dict(zip(KINDS, np.cumsum([0] + [funds[j].size for j in KINDS[:-1]]), strict=True))
            start[REGUAR] = start[GUAR]  # one entity, one purse: a re-guarantor is trusted as guarantor
            width = sum(funds[j].size for j in KINDS)
            self._trust_terms = []
            for j in (POOL, GUAR, INS, VC, REGUAR):
                acct = self.ch_acct[j]
                if funds[GUAR if j == REGUAR else j].size == 0 or (acct < 0).all():
                    continue
                at = np.where(acct >= 0, self.pr.ch_bank * width + start[j] + acct, len(self.banks) * width)
                self._trust_terms.append((self.ch_share[j], at))
        return self._trust_terms

    def views(self, month: int, open_ch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each institution's view of the applicants this month: the 64-bit key of its screening noise (a
        counter-based normal per firm slot, ``Streams.normal_at`` of ``("signal", month, "kind:name")``) and the
        noise's standard deviation, per view; and per channel the view its bank, guarantor and insurer see (-1:
        none). A bank's products with one signal factor share its view; a guarantor or insurer screens once for
        all the open channels it is on. Only views with an open channel are taken."""
        keys: list[int] = []
        scales: list[float] = []
        where = np.full((self.pr.ch_prod.size, 3), -1, dtype=np.int64)
        plat = self.platforms.credit_info_noise_factor  # a platform in use from its start month
        for name, noise, cols, role in self.view_terms():
            live = cols[open_ch[cols]]
            if live.size:
                where[live, role] = len(keys)
                keys.append(self.streams.key("signal", month, name))
                scales.append(noise * plat)
        return np.array(keys, dtype=np.uint64), np.array(scales, dtype=float), where

    def view_terms(self) -> list[tuple[str, float, np.ndarray, int]]:
        """Every view there can be, in order (each bank's signal groups, the guarantors, the insurers): its
        stream name ``kind:name``, its noise's standard deviation before the credit-information platform's factor,
        its channels and the role it screens them in (0 bank, 1 guarantor, 2 insurer). Fixed for the run; built
        once."""
        if self._view_terms is None:
            terms = []
            for bank, cols in zip(self.banks, self.bank_cols, strict=True):
                for f, same in self.signal_groups[bank.index]:
                    terms.append((f"bank:{bank.name}", bank.p.screening_noise * f, cols[same], 0))
            for kind, role, j, parties in (("guarantor", 1, GUAR, self.guarantors), ("insurer", 2, INS, self.insurers)):
                for i, x in enumerate(parties):
                    cols = np.flatnonzero(self.ch_acct[j] == i)
                    terms.append((f"{kind}:{x.name}", x.p.screening_noise, cols, role))
            self._view_terms = terms
        return self._view_terms

    def channel_terms(self, lpr: float, room: np.ndarray) -> np.ndarray:
        """(channels, 8) what the kernel needs of each channel (``sim.offers.offers``: ``ch_terms``); ``room``:
        the largest loan each channel takes now (``Market.channel_room``). The fixed columns (LGD, largest loan,
        guarantor share) are kept from month to month in the returned table."""
        pr, gov, t = self.pr, self.government, self._ch_terms
        cp = pr.ch_prod
        if t is None:
            nc = cp.size
            fixed = [pr.lgd[cp], *np.zeros((4, nc)), pr.max_loan[cp], np.zeros(nc), self.ch_share[GUAR]]
            t = self._ch_terms = np.column_stack(fixed)
            self._ch_fixed = (pr.leased[cp], pr.cap[cp], pr.cap_spread[cp], pr.reward[cp].astype(int),
                              pr.policy[cp].astype(int), pr.term[cp])  # fmt: skip
        leased, cap0, cap_spread, rewarded, policy, term = self._ch_fixed
        kept = self.retained()
        cap = np.fmin(cap0, lpr + cap_spread)
        cap[np.isnan(cap)] = np.inf
        rates = np.array([[gov.reward_rate(r, q) for q in (False, True)] for r in (False, True)])
        # Under the lender's limit (column 2): a lease's equipment secures its share of the amount itself, so the
        # lessor's own unsecured part is the rest of what it retains.
        t[:, 1], t[:, 2], t[:, 3], t[:, 4], t[:, 6] = (
            kept,
            kept - leased,
            cap,
            rates[rewarded, policy] * 12.0 / term,
            room,
        )
        return t

    def channel_costs(self) -> np.ndarray:
        """(channels, 8) the costs on each channel and their subsidy shares (``sim.offers.offers``: ``ch_subs``);
        subsidies only while the special fund takes commitments."""
        pr = self.pr
        cp = pr.ch_prod
        if self._costs is None:
            base = (pr.first_sub, pr.int_sub, pr.fee, pr.fee_sub, np.zeros(pr.fee.size), pr.prem_sub, pr.other_cost)
            self._costs = np.column_stack([*(x[cp] for x in base), np.zeros(cp.size)])
        subs = self._costs.copy()
        subs[:, (0, 1, 3, 5)] *= float(self.government.commitments_open())
        subs[:, 4] = [self.insurers[i].premium_rate if i >= 0 else 0.0 for i in self.ch_acct[INS]]
        return subs

    def firm_terms(self, firms: np.ndarray, hit_rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The applicants' side (``FirmCredit.applicants``): (6, k) collateral, monthly revenue, assets, need,
        investment return and rate discount; (5, k) true quality and PD factors; (5, k) what decides eligibility
        (``sim.offers.offers``: ``firm_terms``, ``firm_pd``, ``firm_class``)."""
        terms = np.empty((6, firms.size))
        factors, firm_class = self.pop.applicants(firms, hit_rate, terms)
        terms[5] = self.inst.rate_discount(firms)
        return terms, factors, firm_class

    def quote(
        self,
        firms: np.ndarray,
        month: int,
        lpr: float,
        hit_rate: float,
        open_ch: np.ndarray,
        not_in_window: np.ndarray,
        room: np.ndarray,
    ) -> Offers:
        """Price, screen and rank every (firm, channel) application for this month (``sim.offers.offers``, the
        agents' rules compiled): each bank through its own view of the firm, each guarantor, insurer and
        venture fund once over the channels of the products it is on, for the products each firm is eligible for
        (``sim.products.eligible_for``); ``not_in_window`` (products,) for the funnel; ``room`` (channels,) the
        largest loan each takes now.

        Only channels ``open_ch`` (``Market.channels_open``) are priced; a closed channel's offer is inert (not
        worth it, not accepted, nothing asked). Every draw is counter-based per firm, so leaving channels out
        changes no other number."""
        pop, pr, inst = self.pop, self.pr, self.inst
        cp = pr.ch_prod
        nc, k, nb, n_prod = cp.size, firms.size, len(self.banks), not_in_window.size
        subs = self.channel_costs()
        firm_terms, firm_pd, firm_class = self.firm_terms(firms, hit_rate)
        pledges, ch_pledge = self.pledge_rows
        pledge = np.vstack([inst.pledge_wan(p, firms) for p in cp[pledges]]) if pledges.size else np.zeros((1, 1))
        first_loan = pop.first_loan[firms]
        fund_ok, ch_fund = self.fund_screens(firms, month, open_ch)
        keys, scales, ch_views = self.views(month, open_ch)
        p = pop.p
        out = self.scratch("out", (5, k, nc), float)
        worth, bank_price = self.scratch("worth", (k, nc), bool), self.scratch("bank_price", (k, nb), float)
        order, any_worth = self.scratch("order", (k, nb), np.int64), self.scratch("any_worth", (k,), bool)
        elig = self.scratch("elig", (k, nc), bool)
        funnel, beaten = np.zeros((6, n_prod)), np.zeros((n_prod, n_prod))
        offers(
            firms,
            open_ch,
            firm_class,
            inst.holds(firms),
            self.rules,
            pr.stage_ok,
            elig,
            pr.ch_bank,
            cp,
            terms_table([bank.terms(lpr) for bank in self.banks], 6),
            keys,
            scales,
            firm_pd,
            p.quality_pd_elasticity,
            ch_views,
            self.channel_terms(lpr, room),
            subs,
            first_loan,
            firm_terms,
            pledge,
            ch_pledge,
            np.column_stack([self.ch_acct[GUAR], self.ch_acct[INS], ch_fund]),
            terms_table([g.terms() for g in self.guarantors], 4),
            terms_table([i.terms() for i in self.insurers], 2),
            fund_ok,
            np.array([p.loan_demand_elasticity, p.need_min_wan, p.need_max_wan]),
            lpr,
            PARTIAL_PENALTY,
            not_in_window,
            out,
            worth,
            bank_price,
            order,
            any_worth,
            funnel,
            beaten,
        )
        rate, cost, _, amount, written = out  # the amount asked (out[2]) ranks offers inside the kernel only
        return Offers(amount, rate, cost, written, bank_price, order, any_worth, subs, first_loan, funnel, beaten)

    @functools.cached_property
    def pledge_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The channels whose product pledges an asset, and each channel's row among them in the kernel's
        ``pledge`` (-1: none). Fixed for the run."""
        cp = self.pr.ch_prod
        pledges = np.flatnonzero(self.pr.pledge[cp] >= 0)
        ch_pledge = np.full(cp.size, -1, dtype=np.int64)
        ch_pledge[pledges] = np.arange(pledges.size)
        return pledges, ch_pledge

    def scratch(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """A C-contiguous array of ``shape`` over a buffer kept from month to month (grown when too small):
        fresh (channels, firms) arrays each month cost more in page faults than the month's rules."""
        size = math.prod(shape)
        buf = self._scratch.get(name)
        if buf is None or buf.size < size or buf.dtype != dtype:
            buf = self._scratch[name] = np.empty(max(size, 1024), dtype=dtype)
        return buf[:size].reshape(shape)

    def fund_screens(self, firms: np.ndarray, month: int, open_ch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(1 + funds' products, k): whether the venture fund on each open product covers each firm, and per channel
        its row (-1: no fund). A fund screens each product once, through its own view."""
        pr = self.pr
        ch_fund = np.full(pr.ch_prod.size, -1, dtype=np.int64)
        rows = [np.ones(firms.size, dtype=bool)]
        if self.fund_ch.size == 0:
            return rows[0][None, :], ch_fund
        plat = self.platforms.credit_info_noise_factor
        for p in np.unique(pr.ch_prod[(pr.accounts[pr.ch_prod, VC] >= 0) & open_ch]):
            ch_fund[pr.ch_prod == p] = len(rows)
            rows.append(self.inst.fund_screens(p, firms, month, plat))
        return np.vstack(rows), ch_fund
