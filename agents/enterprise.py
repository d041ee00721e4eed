"""Tech SMEs as one columnar population (struct of numpy arrays, Starsim ``People`` style).

Firms are many, so every rule is a vectorised operation over firm slots; there is no per-firm Python loop.
A slot is never reused, so a slot index names one firm for the whole run and its random draws (common
random numbers, see ``sim.streams``).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import pandas as pd

from agents.firm_credit import FirmCredit
from sim import kernels
from sim.calendar import monthly_prob
from sim.schema import STAGES, EnterpriseParams
from sim.streams import Streams

SEED, STARTUP, GROWTH, MATURE = range(4)
ADVANCE_QUALITY = 0.3  # stage advance rate × e^{0.3θ}: better firms grow up faster (calibrated, docs/model.md §3)

# Column name → dtype of the population arrays.
FIELDS: dict[str, type] = {
    "alive": bool,
    "stage": np.int8,
    "sector": np.int8,
    "age_months": np.int32,
    "theta": float,
    "revenue_wan": float,
    "patents": float,
    "rd_wan": float,
    "in_database": bool,
    "high_tech": bool,
    "black_list": bool,
    "black_list_until": np.int32,  # last month of the bar on new credit after a default
    "vc_backed": bool,
    "listed": bool,
    "first_loan": bool,
    "debt_wan": float,
    "distress": float,
    "need_wan": float,
    "tech_insured": bool,
    "funded_months": np.int32,
    "u_insure": float,
    "need_age": np.int32,
    "served": bool,
    "tf_served": bool,  # reached by the plan's sci-tech finance in the run: a policy loan, a VC round or a listing
    "return_z": float,  # persistent own investment return, standard-normal scale
    "cost_rate": float,  # all-in annual cost of the loan held, net of subsidies (debt service)
    "term_months": np.int32,  # term of the loan held (scheduled principal)
    "deferred_until": np.int32,  # last month of a 延期还本付息 postponement (-1: none)
    "vintage_month": np.int32,  # month of the firm's first loan in the run (-1: none)
    "vintage_policy": bool,  # that loan was written under a policy product
    "vintage_stage": np.int8,  # the firm's stage when that loan was written
    "default_month": np.int32,  # month of the firm's first default in the run (-1: none)
    "pd_quality": float,  # e^{−εθ}: quality's factor of the annual PD (fixed by θ at entry, kept for speed)
    "advance_quality": float,  # e^{0.3θ}: quality's factor of the stage-advance rate (likewise)
}
#: A field's value in a slot not in use yet (else 0 / False): a firm that enters keeps it unless drawn.
INITIAL: dict[str, int] = {
    "black_list_until": -1,
    "term_months": 12,
    "deferred_until": -1,
    "vintage_month": -1,
    "default_month": -1,
}


class Enterprises(FirmCredit):
    """The firm population. Arrays have capacity ≥ ``n``; slots ``0..n-1`` are in use."""

    def __init__(self, params: EnterpriseParams, streams: Streams, capacity: int = 1024) -> None:
        self.p = params
        self.streams = streams
        self.n = 0
        self._cap = max(capacity, 16)
        for name, dtype in FIELDS.items():
            setattr(self, name, np.full(self._cap, INITIAL.get(name, 0), dtype=dtype))
        self.stage_pd = np.array(params.annual_pd.values())
        self._growth: np.ndarray | None = None  # scratch: the month's revenue growth factors (``evolve``)

    def copy(self, streams: Streams, capacity: int = 0) -> Enterprises:
        """An independent copy of the population drawing from ``streams`` (arrays copied, with room for at least
        ``capacity`` slots; the parameters are frozen and shared)."""
        new = copy.copy(self)
        new.streams = streams
        new._growth = None
        new._cap = max(self._cap, capacity)
        for name in FIELDS:
            old = getattr(self, name)
            if new._cap == self._cap:
                setattr(new, name, old.copy())
            else:  # slots beyond n hold their values at allocation, as ``_grow`` leaves them
                arr = np.full(new._cap, INITIAL.get(name, 0), dtype=old.dtype)
                arr[: self.n] = old[: self.n]
                setattr(new, name, arr)
        return new

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, 2 * self._cap)
        for name in FIELDS:
            old = getattr(self, name)
            new = np.full(cap, INITIAL.get(name, 0), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._cap = cap

    def add(self, count: int, month: int, table: pd.DataFrame | None = None) -> np.ndarray:
        """Append ``count`` firms born in ``month`` (initial ones at month 0); return their slots."""
        if count <= 0 and table is None:
            return np.arange(0)
        count = len(table) if table is not None else count
        p = self.p
        lo, hi = self.n, self.n + count
        self._grow(hi)
        self.n = hi
        g = self.streams.gen("init" if month == 0 else "entry", month, "attributes")
        u = g.random((count, 8))
        z = g.standard_normal((count, 3))
        first = month == 0
        # firms that defaulted in the last black_list_months and stayed in business (initial firms only)
        barred = p.black_list_months / 12.0 * (1 - p.exit_after_default_share) * float(np.mean(self.stage_pd))
        kernels.enter(
            lo, u, z, first, self._stage_mix[first], self._median_revenue, p.revenue_dispersion,
            p.patent_holder_share, p.database_share, p.high_tech_share, barred, p.black_list_months,
            p.quality_pd_elasticity, ADVANCE_QUALITY, self.alive, self.stage, self.sector, self.age_months,
            self.theta, self.revenue_wan, self.patents, self.in_database, self.high_tech, self.u_insure,
            self.return_z, self.black_list, self.black_list_until, self.pd_quality, self.advance_quality,
        )  # fmt: skip
        if table is not None:
            s = slice(lo, hi)
            self._apply_table(table, s)
            self.pd_quality[s] = np.exp(-p.quality_pd_elasticity * self.theta[s])
            self.advance_quality[s] = np.exp(ADVANCE_QUALITY * self.theta[s])
        return np.arange(lo, hi)

    @functools.cached_property
    def _stage_mix(self) -> tuple[np.ndarray, np.ndarray]:
        """Cumulative stage mix of entrants (index 0) and of the initial firms (index 1)."""
        p = self.p
        return tuple(np.cumsum(np.array(list(mix.values()))) for mix in (p.entry_stage_mix, p.stage_mix))

    @functools.cached_property
    def _median_revenue(self) -> np.ndarray:
        """Median monthly revenue by stage."""
        return np.array(list(self.p.monthly_revenue_wan.values()))

    def _apply_table(self, t: pd.DataFrame, s: slice) -> None:
        if "stage" in t:
            self.stage[s] = t["stage"].map({k: i for i, k in enumerate(STAGES)}).to_numpy(np.int8)
        for col, field in (
            ("sector", "sector"),
            ("age_months", "age_months"),
            ("patents", "patents"),
            ("monthly_revenue_wan", "revenue_wan"),
            ("quality", "theta"),
        ):
            if col in t:
                getattr(self, field)[s] = t[col].to_numpy()
        for col in ("in_database", "high_tech", "vc_backed"):
            if col in t:
                getattr(self, col)[s] = t[col].to_numpy(bool)

    def evolve(self, month: int, drift_hit_rate: float, funded: np.ndarray) -> None:
        """Revenue walk, distress decay, ageing, stage advance and graduation for one month (``sim.kernels.evolve``,
        its draws counter-based for the alive firms only: ``dynamics``, ``progress``, ``progress``/graduation).

        Log revenue moves by (drift − σ²/2)/… + σ z with monthly drift (base + quality θ + funded − distress
        − the cycle's hit)/12 and σ the annual volatility / √12; a stage advances with its monthly rate ×
        e^{0.3θ} (× the funded factor); mature firms graduate at ``graduation_rate`` (no longer alive: they
        outgrew the tech-SME population; their loans run off at maturity)."""
        p, n, key = self.p, self.n, self.streams.key
        if self._growth is None or self._growth.size < n:
            self._growth = np.empty(self._cap)
        growth = self._growth[:n]
        kernels.log_growth(
            self.theta[:n], funded, self.distress[:n], np.uint64(key("dynamics", month)), p.revenue_drift_rate,
            p.quality_drift_rate, p.funded_drift_rate, p.unfunded_drift_rate, drift_hit_rate,
            p.revenue_volatility_rate / np.sqrt(12.0), growth,
        )  # fmt: skip
        np.exp(growth, out=growth)  # vectorised: a third of the cost of a compiled loop's exp
        kernels.evolve(
            month, self.alive[:n], self.advance_quality[:n], funded, self.distress[:n], self.revenue_wan[:n],
            self.black_list[:n], self.black_list_until[:n], self.age_months[:n], self.funded_months[:n],
            self.stage[:n], growth, np.uint64(key("progress", month)), np.uint64(key("progress", month, "graduation")),
            monthly_prob(p.graduation_rate), p.distress_decay_share, self._advance_rates, p.funded_advance_factor,
        )  # fmt: skip

    @functools.cached_property
    def _advance_rates(self) -> np.ndarray:
        """Monthly stage-advance rate by stage (``stage_advance_rate``, yearly in the scenario)."""
        return monthly_prob(np.array(list(self.p.stage_advance_rate.values())))

    def invest(self, month: int, spend_share: float) -> float:
        """R&D from loan money of borrowers (``spend_share`` of the debt a year); patents accrue from it, one per
        ``patent_cost_wan`` in expectation (a counter-based draw of the borrowers: ``progress``/patents).
        Returns R&D spent."""
        n = self.n
        key = np.uint64(self.streams.key("progress", month, "patents"))
        return kernels.invest(
            self.debt_wan[:n],
            self.rd_wan[:n],
            self.patents[:n],
            key,
            spend_share / 12.0,
            self.p.patent_cost_wan,
        )

    def equity(self, month: int, vc_mult: float, listing_mult: float) -> tuple[np.ndarray, np.ndarray]:
        """VC rounds to promising early-stage firms and listings of large ones (``sim.kernels.equity``: the draws
        counter-based, ``equity``/vc and ``equity``/listing, of the candidates only); returns both slot arrays."""
        p, n, key = self.p, self.n, self.streams.key
        return kernels.equity(
            self.alive[:n], self.listed[:n], self.stage[:n], self.vc_backed[:n], self.theta[:n], self.revenue_wan[:n],
            self.need_wan[:n], p.vc_quality_threshold, p.listing_revenue_wan, np.uint64(key("equity", month, "vc")),
            monthly_prob(min(p.vc_rate * vc_mult, 0.99)), np.uint64(key("equity", month, "listing")),
            monthly_prob(min(p.listing_rate * listing_mult, 0.99)),
        )  # fmt: skip

    def issue_bonds(self, month: int, mult: float) -> np.ndarray:
        """Bond issues 债券融资 this month (a counter-based draw per slot, ``instruments``/bonds): established firms
        above the size floor issue at the yearly rate × ``mult`` (a subsidy raises it); the bond funds the investment
        the firm would have borrowed for, so an open need is met. Returns the issuers' slots."""
        b, n = self.p.bonds, self.n
        if b.rate <= 0:
            return np.zeros(0, dtype=np.int64)
        issued = kernels.bond_issuers(
            self.alive[:n], self.listed[:n], self.black_list[:n], self.stage[:n], self.revenue_wan[:n],
            self.high_tech[:n], b.high_tech_only, b.revenue_wan,
            np.uint64(self.streams.key("instruments", month, "bonds")), monthly_prob(min(b.rate * mult, 0.99)),
        )  # fmt: skip
        self.need_wan[issued] = 0.0
        self.need_age[issued] = 0
        return issued

    def receive_grants(self, slots: np.ndarray, amount_wan: float, relief_share: float, u: np.ndarray) -> float:
        """Grants 无偿资助 spent on R&D (patents accrue as for loan-funded R&D; ``u``: one uniform per grantee)
        and on the investment the firm needed: an open need shrinks by ``relief_share`` of the grant and is met
        once below the smallest loan. Returns the R&D added."""
        self.rd_wan[slots] += amount_wan
        self.patents[slots] += u < amount_wan / self.p.patent_cost_wan
        need = np.maximum(self.need_wan[slots] - relief_share * amount_wan, 0.0)
        need[need < self.p.need_min_wan] = 0.0
        self.need_wan[slots] = need
        return float(slots.size * amount_wan)

    def default(self, slots: np.ndarray, month: int) -> None:
        """Firms that defaulted go on the black list; most exit."""
        self.black_list[slots] = True
        self.black_list_until[slots] = month + self.p.black_list_months
        first = slots[self.default_month[slots] < 0]
        self.default_month[first] = month
        self.need_wan[slots] = 0.0
        exits = self.streams.uniform_at("exit", month, slots) < self.p.exit_after_default_share
        self.alive[slots[exits]] = False

    def census(self) -> dict[str, Any]:
        """The population's stocks in one pass: ``borrowers`` (alive with a loan; a firm holds at most one),
        ``served`` and ``tf_served`` (firms ever served, ever reached by sci-tech finance), ``patents`` and
        ``alive`` (of alive firms) and ``stages`` (alive firms by stage)."""
        n = self.n
        b, served, tf, pats, alive, stages = kernels.census(
            self.alive[:n], self.debt_wan[:n], self.served[:n], self.tf_served[:n], self.patents[:n], self.stage[:n]
        )
        return {"borrowers": b, "served": served, "tf_served": tf, "patents": pats, "alive": alive, "stages": stages}
