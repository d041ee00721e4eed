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

from sim.products import GUAR, INS, POOL, REGUAR, VC

if TYPE_CHECKING:
    from agents import Bank, Enterprises, Government, Guarantor, Insurer
    from sim.instruments import Instruments
    from sim.products import ProductTable
    from sim.schema import Platforms
    from sim.streams import Streams


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

    def quote(self, firms: np.ndarray, month: int, lpr: float, hit_rate: float, open_ch: np.ndarray) -> Offers:
        """Price and screen every (channel, firm) application for this month: each bank once over its channels,
        each guarantor and insurer once over the channels of the products it is on.

        Only channels ``open_ch`` (``Market.channels_open``) are priced; a closed channel's row is inert (not
        worth it, not accepted, nothing asked). Every draw is counter-based per firm, so leaving channels out
        changes no other number."""
        kept = self.retained()
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
        rate, accept, limit = np.zeros((nc, k)), np.zeros((nc, k), bool), np.zeros((nc, k))
        for bank, all_cols in zip(self.banks, self.bank_cols, strict=True):
            live = open_ch[all_cols]
            cols = all_cols[live]
            if cols.size == 0:
                continue
            pd_hat = np.empty((cols.size, k))
            for f, same in self.signal_groups[bank.index]:  # products with one signal factor share the bank's view
                if (same & live).any():
                    scale = bank.p.screening_noise * f * plat
                    pd_hat[same[live]] = self.seen_pd("bank", bank.name, scale, firms, pdf, month)[None, :]
            lgd, kc = pr.lgd[cp[cols]][:, None], kept[cols][:, None]
            rate[cols] = bank.quote(pd_hat, lgd, kc, lpr, cap[cols][:, None])
            accept[cols] = bank.accepts(rate[cols], pd_hat, lgd, kc, reward[cols][:, None], lpr)
            limit[cols] = bank.lending_limit(*self.secured_by(cp[cols], kept[cols], firms, collateral), revenue)
        rate -= self.inst.rate_discount(firms)[None, :]  # red list 利率优惠: acceptance above was on the full rate
        prem = np.array([self.insurers[i].premium_rate if i >= 0 else 0.0 for i in self.ch_acct[INS]])[:, None]
        gate = float(gov.commitments_open())
        sub_first, sub_other = (pr.first_sub[cp] * gate)[:, None], (pr.int_sub[cp] * gate)[:, None]
        if (sub_first != sub_other).any():  # a first-loan subsidy: depends on the firm
            int_sub = np.where(~pop.first_loan[firms][None, :], sub_first, sub_other)
        else:
            int_sub = sub_other
        fee_sub, prem_sub = (pr.fee_sub[cp] * gate)[:, None], (pr.prem_sub[cp] * gate)[:, None]  # same for all firms
        fee, other = pr.fee[cp][:, None], pr.other_cost[cp][:, None]
        o, cost, want = open_ch, np.zeros((nc, k)), np.zeros((nc, k))
        cost[o] = rate[o] * (1 - int_sub[o]) + fee[o] * (1 - fee_sub[o]) + prem[o] * (1 - prem_sub[o]) + other[o]
        int_sub, premium, fee_sub, prem_sub = (np.broadcast_to(x, (nc, k)) for x in (int_sub, prem, fee_sub, prem_sub))
        ret = pop.investment_return(firms, hit_rate)
        want[o] = pop.demand(pop.need_wan[firms][None, :], ret[None, :], cost[o])
        amount = np.minimum(np.minimum(want, pr.max_loan[cp][:, None]), limit)
        accept &= amount >= pop.p.need_min_wan - 1e-9
        accept &= self.screen_sharers(firms, amount, pdf, month, open_ch)
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

    def screen_sharers(
        self, firms: np.ndarray, amount: np.ndarray, pdf: tuple, month: int, open_ch: np.ndarray
    ) -> np.ndarray:
        """(channels, firms): whether the guarantor and the insurer of each channel's product would take the
        firm. Each screens once (its own view of the firm) for all the open channels it is on."""
        pr, pop = self.pr, self.pop
        ok = np.ones(amount.shape, dtype=bool)
        plat = self.platforms.credit_info_noise_factor
        for g, gu in enumerate(self.guarantors):
            cols = np.flatnonzero((self.ch_acct[GUAR] == g) & open_ch)
            if cols.size:
                pd_hat = self.seen_pd("guarantor", gu.name, gu.p.screening_noise * plat, firms, pdf, month)[None, :]
                liability = amount[cols] * pr.shares[pr.ch_prod[cols], GUAR][:, None]
                ok[cols] &= gu.screens(pd_hat, pop.assets_wan(firms)[None, :], liability)
        for i, ins in enumerate(self.insurers):
            cols = np.flatnonzero((self.ch_acct[INS] == i) & open_ch)
            if cols.size:
                pd_hat = self.seen_pd("insurer", ins.name, ins.p.screening_noise * plat, firms, pdf, month)
                ok[cols] &= ins.screens(pd_hat)[None, :]
        for p in np.unique(pr.ch_prod[(pr.accounts[pr.ch_prod, VC] >= 0) & open_ch]):  # a fund screens its product
            ok[pr.ch_prod == p] &= self.inst.fund_screens(p, firms, month, plat)[None, :]
        return ok
