"""Compiled (numba) loops for the per-firm rules that touch every firm every month.

Each rule here was a chain of numpy operations over the whole population, each making a temporary array; a
fused loop reads each firm's fields once and writes the results in place, which is what brings the full rule
set near the cost of the draws themselves (``benchmarks/bench_model.py``). The random numbers are still drawn
by ``sim.streams`` (population draws, slot order) and passed in, so the scheme of common random numbers is
unchanged; the arithmetic follows the numpy expressions it replaces term by term, in the same order.

The loops are compiled once per machine and Python version and cached next to this file (``cache=True``); the
first run after an install spends a few seconds compiling. Agents call them through their own methods
(``Enterprises.evolve``, ``default_prob``, ``draw_needs``, ``invest``), which keep the rules' documentation.
Setting ``NUMBA_DISABLE_JIT=1`` runs the same loops as plain Python (slow; for debugging).
"""

from __future__ import annotations

import numpy as np
from numba import njit

MATURE = 3  # the last stage (agents.enterprise.MATURE)


@njit(cache=True, nogil=True)
def monthly(annual: float) -> float:
    """``sim.calendar.monthly_prob`` of one number."""
    return 1.0 - (1.0 - min(annual, 0.999999)) ** (1.0 / 12.0)


@njit(cache=True, nogil=True)
def evolve(
    month,
    alive,
    advance_quality,
    funded,
    distress,
    revenue,
    theta,
    black_list,
    black_list_until,
    age,
    funded_months,
    stage,
    z,
    u,
    drift_rate,
    quality_drift,
    funded_drift,
    unfunded_drift,
    hit,
    vol,
    decay,
    adv_stage,
    funded_adv,
):
    """Revenue walk, distress decay, expiry of the black list, ageing and stage advance of every slot, in place.

    ``z``: the month's revenue shocks, ``u``: its stage-advance uniforms (one per slot). Returns the slots of
    alive mature firms as they were before this month's advances (candidates for graduation)."""
    n = alive.size
    mature = np.empty(n, dtype=np.int64)
    k = 0
    shift = -0.5 * vol * vol
    for i in range(n):
        a = alive[i]
        f = funded[i]
        if a:
            drift = (
                drift_rate + quality_drift * theta[i] + funded_drift * f - unfunded_drift * (distress[i] > 0.05) - hit
            ) / 12.0
            revenue[i] *= np.exp(drift + shift + vol * z[i])
        distress[i] *= decay
        if black_list[i] and black_list_until[i] < month:
            black_list[i] = False
        age[i] += a
        funded_months[i] += f
        s = stage[i]
        if a:
            if s == MATURE:
                mature[k] = i
                k += 1
            else:
                adv = adv_stage[s] * advance_quality[i] * (funded_adv if f else 1.0)
                if u[i] < adv:
                    stage[i] = s + 1
    return mature[:k]


@njit(cache=True, nogil=True)
def invest(funded, debt, rd, patents, u, spend_monthly, patent_cost):
    """R&D from loan money (``spend_monthly`` of the debt a month) and patents it yields; returns R&D spent."""
    total = 0.0
    for i in range(funded.size):
        if funded[i]:
            x = debt[i] * spend_monthly
            rd[i] += x
            total += x
            patents[i] += u[i] < x / patent_cost
    return total


@njit(cache=True, nogil=True)
def draw_needs(alive, funded, listed, black_list, stage, need, revenue, u, rate_stage, months, lo, hi):
    """New needs of free firms without one: ``revenue × months`` within [lo, hi] where the uniform falls below
    the stage's monthly rate."""
    for i in range(alive.size):
        free = alive[i] and not funded[i] and not listed[i] and not black_list[i] and need[i] == 0.0
        if free and u[i] < rate_stage[stage[i]]:
            need[i] = min(max(revenue[i] * months, lo), hi)


@njit(cache=True, nogil=True)
def default_prob(
    month,
    alive,
    listed,
    deferred_until,
    stage,
    theta,
    pd_quality,
    debt,
    cost_rate,
    term,
    revenue,
    distress,
    vc_backed,
    stage_pd,
    elasticity,
    debt_factor,
    distress_factor,
    vc_factor,
    mult,
    table,
    log_lo,
    step,
):
    """Monthly default probability of every slot (``Enterprises.default_prob``): the annual PD × ``mult``,
    capped at 0.99, then conditioned on the year's factor through ``table`` (log monthly PD on a uniform grid of
    log annual PD from ``log_lo`` by ``step``) or, with an empty table, spread evenly over the year.

    On the table path the annual PD is built in logs (a sum of the factors' logs), (a log only for the factors
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
        service = debt[i] * (cost_rate[i] + 12.0 / term[i]) / max(12.0 * revenue[i], 1e-9)
        if table.size == 0:
            pd_ = stage_pd[stage[i]] * pd_quality[i] * (1.0 + debt_factor * service)
            pd_ = pd_ * (1.0 + distress_factor * distress[i])
            if vc_backed[i]:
                pd_ = pd_ * vc_factor
            out[i] = monthly(min(min(pd_, 0.99) * mult, 0.99))
            continue
        lp = log_stage_pd[stage[i]] - elasticity * theta[i]
        if service > 0.0:
            lp += np.log(1.0 + debt_factor * service)
        if distress[i] > 0.0:
            lp += np.log(1.0 + distress_factor * distress[i])
        if vc_backed[i]:
            lp += log_vc
        lp = max(min(min(lp, log_cap) + log_mult, log_cap), log_floor)
        x = (lp - log_lo) / step
        j = min(int(x), top)
        w = x - j
        out[i] = np.exp(table[j] * (1.0 - w) + table[j + 1] * w)
    return out


# ---- counter-based draws (``sim.streams``: SplitMix64 of the draw's key and the firm slot) -----------------
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TOP = 1.0 - 2.0**-53  # the largest uniform; normals clip to [2^-53, 1 − 2^-53]

# Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3): 477–484: the inverse normal CDF to about
# 1e-16, as rational functions in three ranges of the probability.
_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


@njit(cache=True, nogil=True)
def _poly(c, x):
    """c[0] + c[1] x + … + c[7] x^7 by Horner's rule."""
    return ((((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]) * x + c[0]


@njit(cache=True, nogil=True)
def inverse_normal(p: float) -> float:
    """Φ⁻¹(p) for 0 < p < 1 (AS 241)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_A, r) / _poly(_B, r)
    r = np.sqrt(-np.log(p if q < 0.0 else 1.0 - p))
    z = _poly(_C, r - 1.6) / _poly(_D, r - 1.6) if r <= 5.0 else _poly(_E, r - 5.0) / _poly(_F, r - 5.0)
    return -z if q < 0.0 else z


@njit(cache=True, nogil=True)
def _bits(slot, key):
    """SplitMix64 of ``key + (slot + 1) × golden ratio``, the top 53 bits as a uniform on [0, 1)."""
    z = (np.uint64(slot) + _ONE) * _GOLDEN + key
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return np.float64(z >> _S11) * 2.0**-53


@njit(cache=True, nogil=True)
def uniform_at(slots, key):
    """Uniforms on [0, 1) of the given firm slots under a draw's 64-bit ``key`` (``Streams.uniform_at``)."""
    out = np.empty(slots.size)
    for i in range(slots.size):
        out[i] = _bits(slots[i], key)
    return out


@njit(cache=True, nogil=True)
def normal_at(slots, key):
    """Standard normals of the given firm slots: Φ⁻¹ of their uniform, clipped to [2^-53, 1 − 2^-53]."""
    out = np.empty(slots.size)
    for i in range(slots.size):
        out[i] = inverse_normal(min(max(_bits(slots[i], key), 2.0**-53), _TOP))
    return out


@njit(cache=True, nogil=True)
def funnel(elig, avail, worth, written, ch_prod, window, n_products):
    """One month of the product funnel (``sim.funnel.ProductFunnel.observe``) from (channels, firms) masks and
    the ranking prices of accepted offers (``written``, inf where not accepted). Returns the firms per product
    that were eligible, eligible outside the window, open, worth it, accepted and cheapest — an (6, products)
    array — and ``beaten[p, q]``: firms accepted for p whose cheapest accepted offer was product q ≠ p."""
    nc, k = written.shape
    counts = np.zeros((6, n_products))
    beaten = np.zeros((n_products, n_products))
    in_window = np.zeros(n_products, dtype=np.bool_)
    for c in range(nc):
        in_window[ch_prod[c]] |= window[c]
    flags = np.zeros((5, n_products), dtype=np.bool_)
    for i in range(k):
        flags[:] = False
        best, best_price = -1, np.inf
        for c in range(nc):
            p = ch_prod[c]
            if elig[c, i]:
                flags[0, p] = True
                if avail[c]:
                    flags[1, p] = True
            if worth[c, i]:
                flags[2, p] = True
            w = written[c, i]
            if w < np.inf:
                flags[3, p] = True
                if w < best_price:
                    best, best_price = c, w
        for p in range(n_products):
            counts[0, p] += flags[0, p]
            counts[1, p] += flags[0, p] and not in_window[p]
            counts[2, p] += flags[1, p]
            counts[3, p] += flags[2, p]
            counts[4, p] += flags[3, p]
        if best >= 0:
            q = ch_prod[best]
            counts[5, q] += 1
            for p in range(n_products):
                if flags[3, p] and p != q:
                    beaten[p, q] += 1
    return counts, beaten


@njit(cache=True, nogil=True)
def census(alive, debt, served, tf_served, patents, stage):
    """One pass over the population for the month's stocks: borrowers (alive with debt), firms ever served and
    reached by sci-tech finance (alive or not), patents of alive firms, alive firms, and alive firms by stage."""
    borrowers = ever = reached = alive_n = 0
    pats = 0.0
    stages = np.zeros(4, dtype=np.int64)
    for i in range(alive.size):
        ever += served[i]
        reached += tf_served[i]
        if alive[i]:
            alive_n += 1
            borrowers += debt[i] > 0.0
            pats += patents[i]
            stages[stage[i]] += 1
    return borrowers, ever, reached, pats, alive_n, stages


@njit(cache=True, nogil=True)
def best_at_bank(written, rows, bank, bank_cols, n_cols, live):
    """For each application ``rows[j]`` (a column of ``written``, (channels, applicants)) to bank ``bank[j]``:
    the cheapest of the bank's channels still on offer (``bank_cols[b, :n_cols[b]]``, ascending; the first on a
    tie), or -1 when none is or the bank is not ``live``."""
    out = np.full(rows.size, -1, dtype=np.int64)
    for j in range(rows.size):
        b = bank[j]
        if not live[b]:
            continue
        r = rows[j]
        best = np.inf
        for t in range(n_cols[b]):
            c = bank_cols[b, t]
            if written[c, r] < best:
                best = written[c, r]
                out[j] = c
    return out


@njit(cache=True, nogil=True)
def within_room(keys, amounts, room):
    """First come first served (``sim.market.within_room``): in array order, each entry's running total within
    its key stays within the key's room (+1e-9); keys < 0 have no limit."""
    ok = np.ones(keys.size, dtype=np.bool_)
    total = np.zeros(room.size)
    for i in range(keys.size):
        k = keys[i]
        if k >= 0:
            total[k] += amounts[i]
            ok[i] = total[k] <= room[k] + 1e-9
    return ok
