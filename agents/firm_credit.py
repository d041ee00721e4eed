"""The credit side of the firm population (``FirmCredit``, mixed into ``agents.enterprise.Enterprises``): what a
firm can pledge, its default risk as the firm is and as a lender sees it, the return its investment would earn,
how much it asks for at a given all-in cost, and its financing needs.

Annual PD = stage PD × e^{−εθ} × (1 + debt-service factor × debt service ÷ revenue) × (1 + distress factor ×
distress) (× the VC factor), capped at 0.99; monthly default probability spreads it over the year, conditioned
on the year's systematic factor (Vasicek) when defaults are correlated (docs/model.md §3).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim import kernels
from sim.calendar import monthly_prob

if TYPE_CHECKING:
    from sim.schema import EnterpriseParams
    from sim.streams import Streams


@njit(cache=True, nogil=True, error_model="numpy")
def pd_through(stage_pd, debt_factor, distress_factor, vc_factor, elasticity, theta_view):
    """Annual PD through quality ``theta_view`` (the true θ, or a lender's signal of it): stage PD × e^{−εθ} ×
    debt-service and distress factors × the VC factor, capped at 0.99. Scalars in the compiled matching
    (``sim.offers``), arrays from ``FirmCredit.pd_seen``."""
    return np.minimum(stage_pd * np.exp(-elasticity * theta_view) * debt_factor * distress_factor * vc_factor, 0.99)


@njit(cache=True, nogil=True, error_model="numpy")
def asked(need_wan, ret, cost, elasticity, min_wan, max_wan):
    """The firm's demand for one offer (``FirmCredit.demand``; called per application by the compiled matching,
    ``sim.offers``): need × (return ÷ cost)^η within the bounds while cost < return, else 0."""
    if not cost < ret:
        return 0.0
    c = max(cost, 0.005)  # a fully subsidised loan still has a shadow cost (time, paperwork)
    want = need_wan * (max(ret, 1e-9) / c) ** elasticity
    return min(max(want, min_wan), max_wan)


@njit(cache=True, nogil=True)
def asked_each(need_wan, ret, cost, elasticity, min_wan, max_wan):
    """``asked`` over arrays of one shape."""
    out = np.empty(need_wan.size)
    for i in range(need_wan.size):
        out[i] = asked(need_wan[i], ret[i], cost[i], elasticity, min_wan, max_wan)
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def service_ratio(debt_wan, cost_rate, term_months, revenue_wan):
    """(Interest net of subsidies + scheduled principal) ÷ revenue, both annual, of the loan a firm holds: scalars
    in the compiled gathers, arrays from ``FirmCredit.debt_service_ratio``."""
    return debt_wan * (cost_rate + 12.0 / term_months) / np.maximum(12.0 * revenue_wan, 1e-9)


@njit(cache=True, nogil=True, error_model="numpy")
def return_of(stage_mean, theta, return_z, quality_rate, dispersion_rate, hit_rate):
    """Annual return on the investment a loan would fund (``FirmCredit.investment_return``): the stage's mean +
    quality + the firm's own persistent part − the cycle's hit."""
    return stage_mean + quality_rate * theta + dispersion_rate * return_z - hit_rate


@njit(cache=True, nogil=True, error_model="numpy")
def gather_applicants(
    firms, revenue, need, theta, return_z, debt, cost_rate, term, distress, stage, patents, vc_backed, in_db, high_tech,
    stage_pd, stage_return, par, terms, factors, firm_class,
):  # fmt: skip
    """The applicants' columns for the month's offers (``FirmCredit.applicants``) from the population's, in one
    pass. A firm's assets a lender can take as counter-guarantee are one year of revenue (assumption), and a bank
    accepts ``collateral_asset_share`` of them as collateral (light for tech SMEs).

    ``par``: collateral share of assets, the return's quality and dispersion rates, the cycle's hit, the
    debt-service, distress and VC PD factors. Fills, column ``j`` for firm slot ``firms[j]``: ``terms`` (≥5, k)
    rows 0–4 collateral, monthly revenue, assets, need (万元) and investment return (annual); ``factors`` (5, k)
    θ, stage PD, 1 + debt-service factor × ``service_ratio``, 1 + distress factor × distress, and the VC factor
    for VC-backed firms (1 otherwise): the firm-side terms of ``pd_through``; ``firm_class`` (5, k) stage, place
    in the database, high-tech status, patents and VC backing."""
    for j in range(firms.size):
        i = firms[j]
        rev, s = revenue[i], stage[i]
        terms[0, j], terms[1, j], terms[2, j], terms[3, j] = par[0] * 12.0 * rev, rev, 12.0 * rev, need[i]
        terms[4, j] = return_of(stage_return[s], theta[i], return_z[i], par[1], par[2], par[3])
        factors[0, j], factors[1, j] = theta[i], stage_pd[s]
        factors[2, j] = 1.0 + par[4] * service_ratio(debt[i], cost_rate[i], term[i], rev)
        factors[3, j] = 1.0 + par[5] * distress[i]
        factors[4, j] = par[6] if vc_backed[i] else 1.0
        firm_class[0, j], firm_class[1, j], firm_class[2, j] = s, in_db[i], high_tech[i]
        firm_class[3, j], firm_class[4, j] = patents[i], vc_backed[i]


class FirmCredit:
    """Credit rules over the population's columns (``Enterprises`` holds the arrays)."""

    p: EnterpriseParams
    streams: Streams
    n: int
    stage_pd: np.ndarray

    def debt_service_ratio(self, idx: np.ndarray | slice) -> np.ndarray:
        """(Interest net of subsidies + scheduled principal) ÷ revenue, both annual, of the loan each firm holds."""
        return service_ratio(self.debt_wan[idx], self.cost_rate[idx], self.term_months[idx], self.revenue_wan[idx])

    def pd_annual(self, theta_view: np.ndarray, idx: np.ndarray | slice) -> np.ndarray:
        """Annual PD of firms ``idx`` as seen through quality ``theta_view`` (true θ or a lender's signal)."""
        return self.pd_seen(self.pd_factors(idx), theta_view)

    def pd_factors(self, idx: np.ndarray | slice) -> tuple[np.ndarray, ...]:
        """The firm-side factors of the annual PD of firms ``idx`` (stage PD, debt service, distress, VC:
        ``gather_applicants``), gathered once for all the lenders that look at the same firms (``pd_seen``)."""
        firms = np.arange(self.n)[idx]
        factors, _ = self.applicants(firms, 0.0, np.empty((5, firms.size)))
        return tuple(factors[1:])

    def applicants(self, firms: np.ndarray, hit_rate: float, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the month's offers need of the applicants ``firms`` (``gather_applicants``): fills ``terms`` rows
        0–4 (collateral, revenue, assets, need, investment return: ``collateral_wan``, ``assets_wan``,
        ``investment_return``) and returns (5, k) θ and ``pd_factors``, and (5, k) stage, place in the database,
        high-tech status, patents and VC backing (``sim.products.eligible_for``)."""
        p, k = self.p, firms.size
        factors, firm_class = np.empty((5, k)), np.empty((5, k), dtype=np.int64)
        par = np.array(
            [p.collateral_asset_share, p.return_quality_rate, p.return_dispersion_rate, hit_rate,
             p.debt_service_pd_factor, p.distress_pd_factor, p.vc_pd_factor]
        )  # fmt: skip
        gather_applicants(
            firms, self.revenue_wan, self.need_wan, self.theta, self.return_z, self.debt_wan, self.cost_rate,
            self.term_months, self.distress, self.stage, self.patents, self.vc_backed, self.in_database,
            self.high_tech, self.stage_pd, self.stage_return, par, terms, factors, firm_class,
        )  # fmt: skip
        return factors, firm_class

    def pd_seen(self, factors: tuple[np.ndarray, ...], theta_view: np.ndarray) -> np.ndarray:
        """Annual PD through quality ``theta_view`` (``pd_through``); ``factors`` from ``pd_factors``."""
        stage_pd, debt, distress, vc = factors
        return pd_through(stage_pd, debt, distress, vc, self.p.quality_pd_elasticity, theta_view)

    def defaults(self, month: int, pd_mult: float, factor: float | None, rho: float) -> np.ndarray:
        """The month's defaults: a uniform per slot (counter-based, ``defaults`` stream, drawn only for the firms that
        can default) below the slot's monthly default probability (0 for dead or listed firms and deferred
        borrowers).

        The probability: the annual PD (``pd_seen`` through the true θ) × ``pd_mult``, capped at 0.99. With
        ``rho`` > 0 it is conditioned on the year's systematic factor (Vasicek): PD(Z) = Φ((Φ⁻¹(PD) − √ρ Z) /
        √(1 − ρ)), then spread evenly over the year's months, so the one-year default rate of a cohort follows
        the Vasicek distribution with correlation ρ (``vasicek_table``); otherwise spread evenly
        (``monthly_prob``). It is computed only for slots whose uniform could fall below it
        (``sim.kernels.defaults``; ``sim.kernels.default_prob`` states it for every slot)."""
        key = np.uint64(self.streams.key("defaults", month))
        return kernels.defaults(month, key, _NO_TABLE, DEFAULT_SCREEN, *self._default_args(pd_mult, factor, rho))

    def _default_args(self, pd_mult: float, factor: float | None, rho: float) -> tuple:
        p, n = self.p, self.n
        table = vasicek_table(factor, rho) if factor is not None and rho > 0 else _NO_TABLE
        return (
            self.alive[:n], self.listed[:n], self.deferred_until[:n], self.stage[:n], self.theta[:n],
            self.pd_quality[:n], self.debt_wan[:n], self.cost_rate[:n], self.term_months[:n], self.revenue_wan[:n],
            self.distress[:n], self.vc_backed[:n], self.stage_pd, p.quality_pd_elasticity, p.debt_service_pd_factor,
            p.distress_pd_factor, p.vc_pd_factor, pd_mult, table, _LOG_PD[0], _LOG_PD[1] - _LOG_PD[0],
        )  # fmt: skip

    def investment_return(self, idx: np.ndarray, hit_rate: float = 0.0) -> np.ndarray:
        """Annual return on the investment a loan would fund: stage mean + quality + own persistent part −
        the cycle's hit."""
        p = self.p
        mean = self.stage_return[self.stage[idx]]
        return return_of(
            mean, self.theta[idx], self.return_z[idx], p.return_quality_rate, p.return_dispersion_rate, hit_rate
        )

    def demand(self, need_wan: np.ndarray, ret: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Amount asked at all-in annual ``cost``: need × (return ÷ cost)^η while cost < return, else 0.

        A firm borrows only for an investment that returns more than credit costs (extensive margin) and
        scales the loan down as credit gets dearer (intensive margin, elasticity η).
        """
        p = self.p
        need, r, c = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(need_wan, ret, cost))
        out = asked_each(need.ravel(), r.ravel(), c.ravel(), p.loan_demand_elasticity, p.need_min_wan, p.need_max_wan)
        return out.reshape(need.shape)

    @functools.cached_property
    def stage_return(self) -> np.ndarray:
        """Mean annual return of an investment by stage (``return_rate``), as an array."""
        return np.array(list(self.p.return_rate.values()))

    def base_need(self, idx: np.ndarray | slice) -> np.ndarray:
        """Loan a firm asks for when credit costs what its investment returns: months of revenue, in bounds."""
        p = self.p
        return np.clip(self.revenue_wan[idx] * p.need_revenue_months, p.need_min_wan, p.need_max_wan)

    def draw_needs(self, month: int, funded: np.ndarray) -> None:
        """New financing needs of firms without a loan (a counter-based uniform per firm slot, ``needs`` stream: common
        random numbers): at the stage's yearly ``need_rate``, of the size ``base_need``."""
        p, n = self.p, self.n
        kernels.draw_needs(
            self.alive[:n],
            funded,
            self.listed[:n],
            self.black_list[:n],
            self.stage[:n],
            self.need_wan[:n],
            self.revenue_wan[:n],
            np.uint64(self.streams.key("needs", month)),
            self._need_rates,
            p.need_revenue_months,
            p.need_min_wan,
            p.need_max_wan,
        )

    @functools.cached_property
    def _need_rates(self) -> np.ndarray:
        """Monthly probability of a new need by stage (``need_rate``, yearly in the scenario)."""
        return monthly_prob(np.array(list(self.p.need_rate.values())))

    def unfunded(self, slots: np.ndarray) -> None:
        """Needs that found no lender this month: after ``need_patience_months`` the need lapses and distress
        rises."""
        self.need_age[slots] += 1
        lapsed = slots[self.need_age[slots] >= self.p.need_patience_months]
        self.distress[lapsed] += self.p.distress_per_unfunded
        self.need_wan[lapsed] = 0.0
        self.need_age[lapsed] = 0


_LOG_PD = np.linspace(np.log(1e-8), np.log(0.99), 2049)
_NO_TABLE = np.zeros(0)
DEFAULT_SCREEN = 0.05  # defaults: a slot whose uniform is at least this needs its PD only if it may exceed it


@functools.lru_cache(maxsize=64)  # the factor changes once a year: one table per model year
def vasicek_table(z: float, rho: float) -> np.ndarray:
    """Log monthly PD given the year's systematic factor ``z`` on the uniform grid ``_LOG_PD`` of log annual PD:
    log of Φ((Φ⁻¹(PD) − √ρ z) / √(1 − ρ)) spread evenly over twelve months (``vasicek_monthly``)."""
    from scipy.special import ndtr, ndtri

    return np.log(monthly_prob(ndtr((ndtri(np.exp(_LOG_PD)) - np.sqrt(rho) * z) / np.sqrt(1.0 - rho))))


def vasicek_monthly(annual_pd: np.ndarray | float, z: float, rho: float) -> np.ndarray:
    """Monthly default probability given the year's systematic factor ``z``: the annual PD conditioned on ``z``,
    Φ((Φ⁻¹(PD) − √ρ z) / √(1 − ρ)), spread evenly over twelve months.

    Evaluated on a uniform grid in log PD and interpolated in log (relative error below 3e-4 for PD < 0.9),
    because Φ⁻¹ for every firm every month would cost more than the rest of the default step.
    """
    table = vasicek_table(z, rho)
    step = _LOG_PD[1] - _LOG_PD[0]  # a uniform grid: the cell is found by arithmetic, not by search
    x = (np.log(np.clip(np.asarray(annual_pd, dtype=float), 1e-8, 0.99)) - _LOG_PD[0]) / step
    i = np.minimum(x.astype(np.int64), _LOG_PD.size - 2)
    w = x - i
    return np.exp(table[i] * (1.0 - w) + table[i + 1] * w)
