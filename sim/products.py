"""Loan products compiled into arrays: the risk-sharing contract of every product, and the offer channels.

A channel is one (product, bank) pair a firm can apply to. Row ``legacy`` (the last) is the plain bank loan
of the region's initial loan stock, written before the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.calendar import YearMonth
from sim.counterfactual import is_policy_product
from sim.scenario import Scenario
from sim.schema import PARTIES, STAGES
from sim.schema_instruments import PLEDGES

POOL, GUAR, REGUAR, INS, GOV, VC = (
    PARTIES.index(p) for p in ("pool", "guarantor", "reguarantor", "insurer", "government", "vc")
)


@njit(cache=True, nogil=True)
def requirement_bits(rules, p):
    """What product ``p`` requires (``ProductTable.rules``) as bits: VC backing (1), a place in the tech-firm
    database (2), high-tech status (4), a patent (8), and the asset it pledges (16 << its index in PLEDGES)."""
    bits = 0
    for j in range(4):
        if rules[p, j] != 0:
            bits |= 1 << j
    return bits | (16 << rules[p, 4] if rules[p, 4] >= 0 else 0)


@njit(cache=True, nogil=True)
def firm_bits(in_database, high_tech, patents, vc_backed, holds):
    """What a firm has, in the bits of ``requirement_bits`` (``holds``: its pledgeable assets, by kind)."""
    bits = (1 if vc_backed else 0) | (2 if in_database else 0) | (4 if high_tech else 0) | (8 if patents > 0 else 0)
    for j in range(holds.size):
        if holds[j]:
            bits |= 16 << j
    return bits


@njit(cache=True, nogil=True)
def eligible_for(stage_ok, p, required, stage, has):
    """Whether a firm may borrow under product ``p`` (per firm and product in ``sim.offers``): its stage among the
    product's (``stage_ok``, (P, 4)), and it has all the product requires (``required``: ``requirement_bits`` of
    ``p``; ``has``: the firm's ``firm_bits``): VC backing, a place in the tech-firm database, high-tech status, a
    patent, the asset it pledges."""
    return stage_ok[p, stage] and (required & ~has) == 0


@dataclass
class ProductTable:
    """One row per product (plus the legacy plain loan); columns are contract terms."""

    names: list[str]
    shares: np.ndarray  # (P, 7) loss shares in PARTIES order
    accounts: np.ndarray  # (P, 7) index of the bearing pool / guarantor / insurer / fund; -1 none; bank unused
    lgd: np.ndarray
    term: np.ndarray
    max_loan: np.ndarray
    cap: np.ndarray  # nan: no cap
    fee: np.ndarray
    refee: np.ndarray
    int_sub: np.ndarray
    first_sub: np.ndarray
    fee_sub: np.ndarray
    prem_sub: np.ndarray
    signal_factor: np.ndarray
    ip_pledge: np.ndarray
    reward: np.ndarray
    stage_ok: np.ndarray  # (P, 4)
    database_only: np.ndarray
    high_tech_only: np.ndarray
    patent_only: np.ndarray
    cap_spread: np.ndarray  # nan: no LPR-linked cap
    other_cost: np.ndarray
    avail_from: np.ndarray  # calendar month index (YearMonth.index)
    avail_until: np.ndarray
    vc_only: np.ndarray
    policy: np.ndarray  # any loss sharing or subsidy: a policy product
    pledge: np.ndarray  # index in PLEDGES of the asset pledged; -1 none
    leased: np.ndarray  # share of the amount the leased equipment secures (融资租赁)
    ch_prod: np.ndarray  # channels
    ch_bank: np.ndarray

    @property
    def legacy(self) -> int:
        """Row of the plain loan used for the initial stock."""
        return len(self.names) - 1

    @property
    def rules(self) -> np.ndarray:
        """(P, 5) each product's eligibility requirements for ``eligible_for``: VC-backed only, database only,
        high-tech only, patent only (0/1), and the index in PLEDGES of the asset it pledges (-1: none)."""
        flags = (self.vc_only, self.database_only, self.high_tech_only, self.patent_only)
        return np.column_stack([*(f.astype(np.int64) for f in flags), self.pledge.astype(np.int64)])

    def in_window(self, calendar_index: int) -> np.ndarray:
        """(products,) whether each product is within its availability window in calendar month ``calendar_index``
        (``YearMonth.index``)."""
        n = len(self.names)
        return (self.avail_from[:n] <= calendar_index) & (calendar_index <= self.avail_until[:n])

    def guarantor_share(self, g: int, prod: np.ndarray) -> np.ndarray:
        """Share of a loan of each product in ``prod`` that guarantor ``g`` bears, as guarantor, re-guarantor or
        both (one entity, one liability)."""
        return self.shares[prod, GUAR] * (self.accounts[prod, GUAR] == g) + self.shares[prod, REGUAR] * (
            self.accounts[prod, REGUAR] == g
        )

    def guarantor_shares(self, n_guarantors: int) -> np.ndarray:
        """(products, guarantors): ``guarantor_share`` of every product for every guarantor, built once."""
        cached = self.__dict__.get("_g_shares")
        if cached is None or cached.shape[1] != n_guarantors:
            prods = np.arange(len(self.names))
            cached = np.zeros((prods.size, n_guarantors))
            for g in range(n_guarantors):
                cached[:, g] = self.guarantor_share(g, prods)
            self.__dict__["_g_shares"] = cached
        return cached

    def rate_cap(self, p: int, lpr: float) -> float | None:
        """The binding ceiling of product ``p`` at this LPR (None: no ceiling)."""
        caps = [c for c in (self.cap[p], lpr + self.cap_spread[p]) if not np.isnan(c)]
        return min(caps) if caps else None


def compile_products(s: Scenario) -> ProductTable:
    """Arrays of every product's contract, in scenario order, with the legacy plain loan last."""
    banks = {b.name: i for i, b in enumerate(s.banks)}
    pools = {p.name: i for i, p in enumerate(s.government.pools)}
    guar = {g.name: i for i, g in enumerate(s.guarantors)}
    ins = {x.name: i for i, x in enumerate(s.insurers)}
    funds = {x.name: i for i, x in enumerate(s.vc_funds)}
    prods = list(s.products)
    n = len(prods) + 1
    shares = np.zeros((n, len(PARTIES)))
    accounts = -np.ones((n, len(PARTIES)), dtype=np.int64)
    shares[-1, 0] = 1.0
    for i, p in enumerate(prods):
        shares[i] = [getattr(p.shares, k) for k in PARTIES]
        accounts[i, POOL] = pools.get(p.pool, -1)
        accounts[i, GUAR] = guar.get(p.guarantor, -1)
        accounts[i, REGUAR] = guar.get(p.reguarantor, -1)
        accounts[i, INS] = ins.get(p.insurer, -1)
        accounts[i, VC] = funds.get(p.vc_fund, -1)
        accounts[i, GOV] = 0
    accounts[-1, GOV] = 0
    # A party named with share 0 bears nothing: it neither screens, limits nor is paid, as if not named.
    accounts[shares == 0] = -1

    def col(attr: str, legacy: float, f=lambda v: v) -> np.ndarray:
        return np.array([f(getattr(p, attr)) for p in prods] + [legacy], dtype=float)

    first = np.array(
        [
            p.first_loan_interest_subsidy_share
            if p.first_loan_interest_subsidy_share is not None
            else p.interest_subsidy_share
            for p in prods
        ]
        + [0.0]
    )
    stage_ok = np.array([[st in p.eligibility.stages for st in STAGES] for p in prods] + [[True] * 4])
    ch = [(i, banks[b]) for i, p in enumerate(prods) for b in p.banks]
    never = 10**9

    def month(v: str | None, default: int) -> int:
        return default if v is None else YearMonth.parse(v).index

    policy = [is_policy_product(p) for p in prods]
    return ProductTable(
        names=[p.name for p in prods] + ["legacy"],
        shares=shares,
        accounts=accounts,
        lgd=col("lgd", 0.6),
        term=col("term_months", 12).astype(int),
        max_loan=col("max_loan_wan", np.inf),
        cap=col("rate_cap_rate", np.nan, lambda v: np.nan if v is None else v),
        fee=col("guarantee_fee_rate", 0.0),
        refee=col("reguarantee_fee_rate", 0.0),
        int_sub=col("interest_subsidy_share", 0.0),
        first_sub=first,
        fee_sub=col("fee_subsidy_share", 0.0),
        prem_sub=col("premium_subsidy_share", 0.0),
        signal_factor=col("signal_factor", 1.0),
        ip_pledge=col("ip_pledge", 0.0).astype(bool),
        reward=col("reward_eligible", 0.0).astype(bool),
        stage_ok=stage_ok,
        database_only=np.array([p.eligibility.database_only for p in prods] + [False]),
        high_tech_only=np.array([p.eligibility.high_tech_only for p in prods] + [False]),
        patent_only=np.array([p.eligibility.patent_holders_only for p in prods] + [False]),
        cap_spread=col("rate_cap_spread_rate", np.nan, lambda v: np.nan if v is None else v),
        other_cost=col("other_cost_rate", 0.0),
        avail_from=np.array([month(p.available_from, -never) for p in prods] + [-never]),
        avail_until=np.array([month(p.available_until, never) for p in prods] + [never]),
        vc_only=np.array([p.eligibility.vc_backed_only for p in prods] + [False]),
        policy=np.array([*policy, False]),
        pledge=np.array([PLEDGES.index(p.pledge) if p.pledge else -1 for p in prods] + [-1], dtype=np.int64),
        leased=col("leased_asset_share", 0.0),
        ch_prod=np.array([c[0] for c in ch], dtype=np.int64),
        ch_bank=np.array([c[1] for c in ch], dtype=np.int64),
    )
