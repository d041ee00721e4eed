"""Compiled default step: the monthly default probability of every slot (``default_prob``) and the month's
defaults drawn against it (``defaults``), the numpy rule of ``agents.firm_credit`` term by term
(``tests/test_kernels.py``).

``defaults`` draws each slot's uniform ``u`` inline (``uniform_one(slot, key)``, counter-based: ``sim.streams``)
for the slots that can default only, and gives exactly ``u < default_prob(...)`` slot by slot but skips the
logarithms and the exponential of a slot whose uniform ``u`` is at least ``q`` (most slots: monthly PDs are a
fraction of a percent) when a cheap upper bound of its probability is already below ``q``: log(1 + x) ≤ x
bounds the log annual PD from above, the cap, the multiplier and the table of conditional PDs are non-decreasing
in it, and a cell of the table whose two ends are below log ``q`` (with a margin far above rounding) gives a
probability below ``q``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels import draws
from sim.kernels import firms as firm_kernels
from sim.kernels.cache import refresh_when_changed
from sim.kernels.draws import uniform_one
from sim.kernels.firms import monthly

SAFE_MARGIN = 1e-9  # added to the bound of the log annual PD: far above the rounding of the terms summed


@njit(cache=True, nogil=True)
def _service(debt, cost_rate, term, revenue):
    """Debt service ÷ revenue, both annual, of the loan a firm holds (``FirmCredit.debt_service_ratio``)."""
    return debt * (cost_rate + 12.0 / term) / max(12.0 * revenue, 1e-9)


@njit(cache=True, nogil=True)
def _plain(stage_pd, pd_quality, service, debt_factor, distress, distress_factor, vc, vc_factor, mult):
    """Annual PD × ``mult``, capped at 0.99 (no systematic factor)."""
    pd_ = stage_pd * pd_quality * (1.0 + debt_factor * service)
    pd_ = pd_ * (1.0 + distress_factor * distress)
    if vc:
        pd_ = pd_ * vc_factor
    return min(min(pd_, 0.99) * mult, 0.99)


@njit(cache=True, nogil=True)
def _log_annual(lp, service, debt_factor, distress, distress_factor, vc, log_vc):
    """Log annual PD from the stage's and quality's part ``lp``: a log only for the factors that are not 1."""
    if service > 0.0:
        lp += np.log(1.0 + debt_factor * service)
    if distress > 0.0:
        lp += np.log(1.0 + distress_factor * distress)
    if vc:
        lp += log_vc
    return lp


@njit(cache=True, nogil=True)
def _cell(lp, log_cap, log_mult, log_floor, log_lo, step):
    """Position on the table's grid of the log annual PD ``lp`` × the multiplier, capped at 0.99."""
    lp = max(min(min(lp, log_cap) + log_mult, log_cap), log_floor)
    return (lp - log_lo) / step


@njit(cache=True, nogil=True)
def _from_table(x, table, top):
    """Monthly PD at grid position ``x``: the table's log monthly PD interpolated, then exponentiated."""
    j = min(int(x), top)
    w = x - j
    return np.exp(table[j] * (1.0 - w) + table[j + 1] * w)


@njit(cache=True, nogil=True)
def default_prob(
    month, alive, listed, deferred_until, stage, theta, pd_quality, debt, cost_rate, term, revenue, distress,
    vc_backed, stage_pd, elasticity, debt_factor, distress_factor, vc_factor, mult, table, log_lo, step,
):  # fmt: skip
    """Monthly default probability of every slot (the rule of ``FirmCredit.defaults``): the annual PD × ``mult``,
    capped at 0.99, then conditioned on the year's factor through ``table`` (log monthly PD on a uniform grid of
    log annual PD from ``log_lo`` by ``step``) or, with an empty table, spread evenly over the year.

    On the table path the annual PD is built in logs (a sum of the factors' logs, a log only for the factors
    that are not 1), so most firms cost one ``exp``; ``pd_quality`` is e^{−εθ}."""
    n = alive.size
    out = np.zeros(n)
    top = table.size - 2
    log_cap, log_floor, log_mult = np.log(0.99), np.log(1e-8), np.log(mult)
    log_vc = np.log(vc_factor)
    log_stage_pd = np.log(stage_pd)
    for i in range(n):
        if not alive[i] or listed[i] or deferred_until[i] >= month:
            continue
        service = _service(debt[i], cost_rate[i], term[i], revenue[i])
        if table.size == 0:
            a = _plain(stage_pd[stage[i]], pd_quality[i], service, debt_factor, distress[i], distress_factor,
                       vc_backed[i], vc_factor, mult)  # fmt: skip
            out[i] = monthly(a)
            continue
        lp = log_stage_pd[stage[i]] - elasticity * theta[i]
        lp = _log_annual(lp, service, debt_factor, distress[i], distress_factor, vc_backed[i], log_vc)
        out[i] = _from_table(_cell(lp, log_cap, log_mult, log_floor, log_lo, step), table, top)
    return out


@njit(cache=True, nogil=True)
def safe_cells(table, limit):
    """Grid position below which every cell of ``table`` has both ends under ``limit`` (−1: none)."""
    last = -1
    for j in range(table.size - 1):
        if table[j] < limit and table[j + 1] < limit:
            last = j
        else:
            break
    return float(last + 1) if last >= 0 else -1.0


@njit(cache=True, nogil=True)
def defaults(
    month, key, u, q, alive, listed, deferred_until, stage, theta, pd_quality, debt, cost_rate, term, revenue,
    distress, vc_backed, stage_pd, elasticity, debt_factor, distress_factor, vc_factor, mult, table, log_lo, step,
):  # fmt: skip
    """The month's defaults: ``u < default_prob(...)`` for every slot, computing the probability only where the
    uniform is below ``q`` or the bound of the module docstring is not below ``q``. A slot's uniform is
    ``uniform_one(slot, key)``, drawn only for slots that can default; or ``u[slot]`` if ``u`` is not empty (the
    tests' uniforms)."""
    given = u.size > 0
    n = alive.size
    out = np.zeros(n, dtype=np.bool_)
    top = table.size - 2
    log_cap, log_floor, log_mult = np.log(0.99), np.log(1e-8), np.log(mult)
    log_vc = np.log(vc_factor)
    log_stage_pd = np.log(stage_pd)
    annual_safe = (1.0 - (1.0 - q) ** 12) * (1.0 - SAFE_MARGIN)  # monthly PD below q under this annual PD
    x_safe = safe_cells(table, np.log(q) - 1e-12)
    for i in range(n):
        if not alive[i] or listed[i] or deferred_until[i] >= month:
            continue
        ui = u[i] if given else uniform_one(i, key)
        service = _service(debt[i], cost_rate[i], term[i], revenue[i])
        if table.size == 0:
            a = _plain(stage_pd[stage[i]], pd_quality[i], service, debt_factor, distress[i], distress_factor,
                       vc_backed[i], vc_factor, mult)  # fmt: skip
            if not (ui >= q and a < annual_safe):  # (NaN: computed in full)
                out[i] = ui < monthly(a)
            continue
        lp = log_stage_pd[stage[i]] - elasticity * theta[i]
        if ui >= q:  # log(1 + x) ≤ x: a bound of the log annual PD without logarithms
            up = lp + debt_factor * service if service > 0.0 else lp
            if distress[i] > 0.0:
                up += distress_factor * distress[i]
            if vc_backed[i]:
                up += log_vc
            if _cell(up + SAFE_MARGIN, log_cap, log_mult, log_floor, log_lo, step) < x_safe:
                continue
        lp = _log_annual(lp, service, debt_factor, distress[i], distress_factor, vc_backed[i], log_vc)
        out[i] = ui < _from_table(_cell(lp, log_cap, log_mult, log_floor, log_lo, step), table, top)
    return out


# ``monthly`` and ``uniform_one`` are inlined from ``sim.kernels.firms`` and ``sim.kernels.draws``: numba's cache
# would not notice a change there.
for _kernel in (default_prob, defaults):
    refresh_when_changed(_kernel, firm_kernels, draws)
