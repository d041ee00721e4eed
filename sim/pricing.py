"""Pricing and screening of the month's applications (``Pricing``, the first half of ``sim.market.Market``).

Every (channel, firm) application is priced by its bank (``Bank.quote``, ``Bank.accepts``,
``Bank.lending_limit``, each bank once over its channels through its own noisy view of the firm) and screened
by the guarantor, insurer and venture fund on the product (each once, through its own view). A bank prices the
share of a loss it expects to keep: its own share plus what it does not trust each sharer to pay
(``retained``). The firm's side (the all-in cost net of subsidies and the amount its investment justifies,
``Enterprises.demand``) completes the offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.offers import offers
from sim.products import GUAR, INS, POOL, REGUAR, VC

PARTIAL_PENALTY = 1.0  # ranking penalty (annual rate) of an offer below the firm's need; only orders offers

if TYPE_CHECKING:
    from agents import Bank, Enterprises, Government, Guarantor, Insurer
    from sim.instruments import Instruments
    from sim.products import ProductTable
    from sim.schema import Platforms
    from sim.streams import Streams


@dataclass
class Offers:
    """The month's offers (``sim.offers.offers``): per application, (firms, channels) arrays — amount offered and
    asked, rate, all-in cost, worth it, the ranking price of an accepted offer that fits (inf: none) — the firm's
    posted price per bank (firms, banks), what a written loan's subsidies are (``subs`` per channel, as
    ``ch_subs`` of the kernel, and the applicants' ``first_loan`` flags), and the month's product funnel
    (``funnel``, ``beaten``: ``sim.funnel.ProductFunnel.observe``)."""

    amount: np.ndarray
    want: np.ndarray
    rate: np.ndarray
    cost: np.ndarray
    worth: np.ndarray
    written: np.ndarray
    bank_price: np.ndarray
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
    g_guar: np.ndarray
    ch_acct: dict[int, np.ndarray]
    ch_share: dict[int, np.ndarray]
    bank_cols: list[np.ndarray]
    _scratch: dict[str, np.ndarray]

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
        kinds = (POOL, GUAR, INS, VC)
        start = dict(zip(kinds, np.cumsum([0] + [funds[j].size for j in kinds[:-1]]), strict=True))
        start[REGUAR] = start[GUAR]  # one entity, one purse: a re-guarantor is trusted as guarantor
        every = np.concatenate([funds[j] for j in kinds]), np.concatenate([exp[j] for j in kinds])
        trust = np.array([bank.trust(*every) for bank in self.banks])  # (banks, every party) at once
        covered = np.zeros(pr.ch_prod.size)
        for j in (POOL, GUAR, INS, VC, REGUAR):
            acct = self.ch_acct[j]
            if funds[GUAR if j == REGUAR else j].size == 0 or (acct < 0).all():
                continue
            held = trust[self.pr.ch_bank, start[j] + np.maximum(acct, 0)]
            covered += self.ch_share[j] * np.where(acct >= 0, held, 0.0)
        return 1.0 - covered

    def views(self, month: int, open_ch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each institution's view of the applicants this month: the 64-bit key of its screening noise (a
        counter-based normal per firm slot, ``Streams.normal_at`` of ``("signal", month, "kind:name")``) and the
        noise's standard deviation, per view; and per channel the view its bank, guarantor and insurer see (-1:
        none). A bank's products with one signal factor share its view; a guarantor or insurer screens once for
        all the open channels it is on."""
        pr, plat, streams = self.pr, self.platforms.credit_info_noise_factor, self.streams
        keys: list[int] = []
        scales: list[float] = []
        where = np.full((pr.ch_prod.size, 3), -1, dtype=np.int64)

        def view(kind: str, name: str, scale: float, cols: np.ndarray, role: int) -> None:
            where[cols, role] = len(keys)
            keys.append(streams.key("signal", month, f"{kind}:{name}"))
            scales.append(scale)

        for bank, all_cols in zip(self.banks, self.bank_cols, strict=True):
            live = open_ch[all_cols]
            for f, same in self.signal_groups[bank.index]:
                if (same & live).any():
                    view("bank", bank.name, bank.p.screening_noise * f * plat, all_cols[same & live], 0)
        for kind, role, j, parties in (("guarantor", 1, GUAR, self.guarantors), ("insurer", 2, INS, self.insurers)):
            for i, x in enumerate(parties):
                cols = np.flatnonzero((self.ch_acct[j] == i) & open_ch)
                if cols.size:
                    view(kind, x.name, x.p.screening_noise * plat, cols, role)
        return np.array(keys, dtype=np.uint64), np.array(scales, dtype=float), where

    def channel_terms(self, lpr: float, room: np.ndarray) -> np.ndarray:
        """(channels, 8) what the kernel needs of each channel (``sim.offers.offers``: ``ch_terms``); ``room``:
        the largest loan each channel takes now (``Market.channel_room``)."""
        pr, gov = self.pr, self.government
        cp = pr.ch_prod
        kept = self.retained()
        cap = np.fmin(pr.cap[cp], lpr + pr.cap_spread[cp])
        cap[np.isnan(cap)] = np.inf
        reward = np.array([gov.reward_rate(bool(r), bool(q)) for r, q in zip(pr.reward, pr.policy, strict=True)])
        reward = reward[cp] * 12.0 / pr.term[cp]
        return np.column_stack(
            [pr.lgd[cp], kept, kept - pr.leased[cp], cap, reward, pr.max_loan[cp], room, self.g_guar]
        )

    def channel_costs(self) -> np.ndarray:
        """(channels, 8) the costs on each channel and their subsidy shares (``sim.offers.offers``: ``ch_subs``);
        subsidies only while the special fund takes commitments."""
        pr = self.pr
        cp = pr.ch_prod
        gate = float(self.government.commitments_open())
        prem = np.array([self.insurers[i].premium_rate if i >= 0 else 0.0 for i in self.ch_acct[INS]])
        return np.column_stack(
            [
                *(pr.first_sub[cp] * gate, pr.int_sub[cp] * gate),
                *(pr.fee[cp], pr.fee_sub[cp] * gate),
                *(prem, pr.prem_sub[cp] * gate),
                *(pr.other_cost[cp], np.zeros(cp.size)),
            ]
        )

    def firm_terms(self, firms: np.ndarray, hit_rate: float) -> tuple[np.ndarray, np.ndarray]:
        """The applicants' side: (6, k) collateral, monthly revenue, assets, need, investment return and rate
        discount, and (5, k) true quality and PD factors (``sim.offers.offers``: ``firm_terms``, ``firm_pd``)."""
        pop, inst = self.pop, self.inst
        terms = np.vstack(
            [
                pop.collateral_wan(firms),
                pop.revenue_wan[firms],
                pop.assets_wan(firms),
                pop.need_wan[firms],
                pop.investment_return(firms, hit_rate),
                inst.rate_discount(firms),
            ]
        )
        return terms, np.vstack([pop.theta[firms], *pop.pd_factors(firms)])

    def quote(
        self,
        firms: np.ndarray,
        month: int,
        lpr: float,
        hit_rate: float,
        open_ch: np.ndarray,
        elig: np.ndarray,
        not_in_window: np.ndarray,
        room: np.ndarray,
    ) -> Offers:
        """Price, screen and rank every (firm, channel) application for this month (``sim.offers.offers``, the
        agents' rules compiled): each bank through its own view of the firm, each guarantor, insurer and
        venture fund once over the channels of the products it is on; ``elig`` (k, channels) from
        ``ProductTable.eligible``; ``not_in_window`` (products,) for the funnel; ``room`` (channels,) the largest
        loan each takes now.

        Only channels ``open_ch`` (``Market.channels_open``) are priced; a closed channel's offer is inert (not
        worth it, not accepted, nothing asked). Every draw is counter-based per firm, so leaving channels out
        changes no other number."""
        pop, pr, inst = self.pop, self.pr, self.inst
        cp = pr.ch_prod
        nc, k, nb, n_prod = cp.size, firms.size, len(self.banks), not_in_window.size
        subs = self.channel_costs()
        firm_terms, firm_pd = self.firm_terms(firms, hit_rate)
        pledges = np.flatnonzero(pr.pledge[cp] >= 0)
        pledge = np.vstack([inst.pledge_wan(p, firms) for p in cp[pledges]]) if pledges.size else np.zeros((1, 1))
        ch_pledge = np.full(cp.size, -1, dtype=np.int64)
        ch_pledge[pledges] = np.arange(pledges.size)
        fund_ok, ch_fund = self.fund_screens(firms, month, open_ch)
        keys, scales, ch_views = self.views(month, open_ch)
        p = pop.p
        out = self.scratch("out", (5, k, nc), float)
        worth, bank_price = self.scratch("worth", (k, nc), bool), self.scratch("bank_price", (k, nb), float)
        funnel, beaten = np.zeros((6, n_prod)), np.zeros((n_prod, n_prod))
        offers(
            firms,
            open_ch,
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
            pop.first_loan[firms],
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
            funnel,
            beaten,
        )
        rate, cost, want, amount, written = out
        return Offers(amount, want, rate, cost, worth, written, bank_price, subs, pop.first_loan[firms], funnel, beaten)

    def scratch(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """A C-contiguous array of ``shape`` over a buffer kept from month to month (grown when too small):
        fresh (channels, firms) arrays each month cost more in page faults than the month's rules."""
        size = int(np.prod(shape))
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
        plat = self.platforms.credit_info_noise_factor
        for p in np.unique(pr.ch_prod[(pr.accounts[pr.ch_prod, VC] >= 0) & open_ch]):
            ch_fund[pr.ch_prod == p] = len(rows)
            rows.append(self.inst.fund_screens(p, firms, month, plat))
        return np.vstack(rows), ch_fund
