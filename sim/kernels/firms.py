"""Compiled loops over the firm population: revenue walk and stage advance, R&D, new needs, tech insurance and
the month's census (each the numpy rule it replaced, term by term; ``tests/test_kernels.py``). Default
probability and the month's defaults are in ``sim.kernels.defaults``.

The month's random numbers are drawn inline, counter-based (``sim.streams``): a loop is given a draw's 64-bit
key and calls ``uniform_one(slot, key)`` / ``ziggurat_one(slot, key)`` for the slots that need a number, so no
array of numbers is filled for the whole population and a slot's number does not depend on which others draw.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels import draws
from sim.kernels.cache import refresh_when_changed
from sim.kernels.draws import uniform_one, word_one, ziggurat_one, ziggurat_rectangle

STARTUP, GROWTH, MATURE = 1, 2, 3  # stages (agents.enterprise)


@njit(cache=True, nogil=True)
def monthly(annual: float) -> float:
    """``sim.calendar.monthly_prob`` of one number."""
    return 1.0 - (1.0 - min(annual, 0.999999)) ** (1.0 / 12.0)


@njit(cache=True, nogil=True)
def _log_growth(theta_i, funded_i, distress_i, drift_rate, quality_drift, funded_drift, unfunded_drift, hit, shift):
    """A firm's monthly log revenue growth before its shock: (base + quality θ + funded − distress − hit)/12 − σ²/2."""
    drift = drift_rate + quality_drift * theta_i + funded_drift * funded_i - unfunded_drift * (distress_i > 0.05)
    return (drift - hit) / 12.0 + shift


@njit(cache=True, nogil=True)
def log_growth(theta, funded, distress, key_z, drift_rate, quality_drift, funded_drift, unfunded_drift, hit, vol, out):
    """Every slot's log revenue growth this month, ``_log_growth`` + σ z with z = ``ziggurat_one(i, key_z)``, into
    ``out`` (then exponentiated by NumPy's vectorised ``exp`` and applied by ``evolve``).

    A first pass without branches (which the compiler vectorises) takes the ziggurat's first step of every slot;
    the 1% of slots whose point fell outside its layer's rectangle are marked and finished by a second pass."""
    shift = -0.5 * vol * vol
    outside = 0
    for i in range(theta.size):
        z, inside = ziggurat_rectangle(word_one(i, key_z))
        g = _log_growth(theta[i], funded[i], distress[i], drift_rate, quality_drift, funded_drift, unfunded_drift, hit,
                        shift) + vol * z  # fmt: skip
        out[i] = g if inside else np.nan
        outside += not inside
    if outside:
        for i in range(theta.size):
            if np.isnan(out[i]):
                out[i] = _log_growth(theta[i], funded[i], distress[i], drift_rate, quality_drift, funded_drift,
                                     unfunded_drift, hit, shift) + vol * ziggurat_one(i, key_z)  # fmt: skip


@njit(cache=True, nogil=True)
def evolve(
    month, alive, advance_quality, funded, distress, revenue, black_list, black_list_until, age, funded_months,
    stage, growth, key_u, key_grad, p_grad, decay, adv_stage, funded_adv,
):  # fmt: skip
    """Revenue walk, distress decay, expiry of the black list, ageing, stage advance and graduation of every slot,
    in place; returns the number of firms that graduated.

    An alive firm's revenue grows by the factor ``growth[i]`` (e^{``log_growth``}); an alive mature firm
    graduates (is no longer alive) where ``uniform_one(i, key_grad)`` < ``p_grad``, any other alive firm advances
    a stage where ``uniform_one(i, key_u)`` is below its rate. Dead slots draw nothing."""
    graduated = 0
    for i in range(alive.size):
        distress[i] *= decay
        if black_list[i] and black_list_until[i] < month:
            black_list[i] = False
        if not alive[i]:
            continue
        f = funded[i]
        revenue[i] *= growth[i]
        age[i] += 1
        funded_months[i] += f
        s = stage[i]
        if s == MATURE:
            if uniform_one(i, key_grad) < p_grad:
                alive[i] = False
                graduated += 1
        elif uniform_one(i, key_u) < adv_stage[s] * advance_quality[i] * (funded_adv if f else 1.0):
            stage[i] = s + 1
    return graduated


@njit(cache=True, nogil=True)
def invest(debt, rd, patents, key, spend_monthly, patent_cost):
    """R&D from loan money (``spend_monthly`` of the debt a month) and patents it yields (where a borrower's
    ``uniform_one(i, key)`` falls below its R&D ÷ ``patent_cost``); returns R&D spent. No branch: a firm without
    a loan has no debt, so it spends 0 and no uniform is below 0."""
    total = 0.0
    for i in range(debt.size):
        x = debt[i] * spend_monthly
        rd[i] += x
        total += x
        patents[i] += uniform_one(i, key) < x / patent_cost
    return total


@njit(cache=True, nogil=True)
def draw_needs(alive, funded, listed, black_list, stage, need, revenue, key, rate_stage, months, lo, hi):
    """New needs of free firms without one: ``revenue × months`` within [lo, hi] where the slot's
    ``uniform_one(i, key)`` falls below the stage's monthly rate. The rare uniform below the rate is tested first
    (a well-predicted branch, and the other columns are read only then)."""
    for i in range(alive.size):
        if uniform_one(i, key) >= rate_stage[stage[i]]:
            continue
        if alive[i] and not funded[i] and not listed[i] and not black_list[i] and need[i] == 0.0:
            need[i] = min(max(revenue[i] * months, lo), hi)


@njit(cache=True, nogil=True)
def enter(
    lo, u, z, first, stage_cum, median, dispersion, patent_share, database_share, high_tech_share, barred,
    bar_months, pd_elasticity, advance_elasticity, alive, stage, sector, age, theta, revenue, patents, in_database,
    high_tech, u_insure, return_z, black_list, black_list_until, pd_quality, advance_quality,
):  # fmt: skip
    """The drawn attributes of firms entering at slots ``lo``, ``lo + 1``, …, one per row of ``u`` (8 uniforms)
    and ``z`` (3 normals): stage from the cumulative mix ``stage_cum``, sector, age (initial firms only:
    ``first``), quality θ, revenue around the stage's median, patents, database, high-tech, the fixed uptake
    uniform, the return's own part, the black list of initial firms (``barred`` of them, for up to
    ``bar_months``), and quality's factors of the PD (e^{−εθ}) and of stage advance (e^{0.3θ}). The other
    fields keep their values at allocation (``agents.enterprise.INITIAL``)."""
    for r in range(u.shape[0]):
        i = lo + r
        s = min(np.searchsorted(stage_cum, u[r, 0], side="right"), MATURE)
        alive[i] = True
        stage[i] = s
        sector[i] = np.int8(u[r, 1] * 8)
        age[i] = np.int32(u[r, 2] * 12 * (1 + 2 * s)) if first else 0
        theta[i] = z[r, 0]
        revenue[i] = median[s] * np.exp(dispersion * z[r, 1])
        patents[i] = (1.0 + s) if u[r, 3] < patent_share else 0.0
        in_database[i] = u[r, 4] < database_share
        high_tech[i] = u[r, 5] < high_tech_share
        u_insure[i] = u[r, 6]
        return_z[i] = z[r, 2]
        barred_now = first and u[r, 7] < barred
        black_list[i] = barred_now
        black_list_until[i] = np.int32(u[r, 7] / barred * bar_months) if barred_now else -1
        pd_quality[i] = np.exp(-pd_elasticity * z[r, 0])
        advance_quality[i] = np.exp(advance_elasticity * z[r, 0])


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
def tech_insurance(alive, listed, key, p_setback, u_insure, lines, distress, tech_insured, setback_distress):
    """科技保险 over the population in one pass: an alive unlisted firm has an R&D setback where its
    ``uniform_one(i, key)`` falls below ``p_setback``; it is insured by the line ``l`` whose uptake band
    ``lines[l] = (lo, hi)`` holds its fixed ``u_insure``. Writes ``tech_insured``, adds ``setback_distress`` to
    uninsured setbacks, and returns per line the firms insured and the insured firms with a setback."""
    n_lines = lines.shape[0]
    counts = np.zeros((n_lines, 2), dtype=np.int64)
    lo = lines[:, 0].min() if n_lines else 0.0  # outside [lo, hi) no band: the common case, one test
    hi = lines[:, 1].max() if n_lines else 0.0
    for i in range(alive.size):
        ui = u_insure[i]
        setback = uniform_one(i, key) < p_setback
        if not (setback or lo <= ui < hi):  # the common case, decided on two rare tests
            tech_insured[i] = False
            continue
        if not alive[i] or listed[i]:
            tech_insured[i] = False
            continue
        line = -1
        for k in range(n_lines):
            if lines[k, 0] <= ui < lines[k, 1]:
                line = k
        tech_insured[i] = line >= 0
        if line >= 0:  # the counts are touched for insured firms only (a few percent)
            counts[line, 0] += 1
            counts[line, 1] += setback
        elif setback:
            distress[i] += setback_distress
    return counts


@njit(cache=True, nogil=True)
def equity(
    alive, listed, stage, vc_backed, theta, revenue, need, vc_threshold, listing_revenue, key_vc, p_vc, key_list,
    p_list,
):  # fmt: skip
    """VC rounds and listings of the month, in place; returns the slots of each, in order. An alive unlisted seed or
    start-up firm, not VC-backed, with θ above ``vc_threshold`` gets a round where ``uniform_one(i, key_vc)`` <
    ``p_vc`` (and is VC-backed); an alive unlisted growth or mature firm with revenue above ``listing_revenue``
    lists where ``uniform_one(i, key_list)`` < ``p_list`` (and its open need is dropped)."""
    n = alive.size
    vc, lst = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    k = j = 0
    for i in range(n):  # the draws first: both are rare, so the firm's fields are read for few slots
        round_ = uniform_one(i, key_vc) < p_vc
        lists = uniform_one(i, key_list) < p_list
        if not (round_ or lists) or not alive[i] or listed[i]:
            continue
        if stage[i] <= STARTUP:
            if round_ and not vc_backed[i] and theta[i] > vc_threshold:
                vc_backed[i] = True
                vc[k] = i
                k += 1
        elif lists and revenue[i] > listing_revenue:
            listed[i] = True
            need[i] = 0.0
            lst[j] = i
            j += 1
    return vc[:k], lst[:j]


@njit(cache=True, nogil=True)
def bond_issuers(alive, listed, black_list, stage, revenue, high_tech, high_tech_only, revenue_floor, key, rate):
    """Slots, in order, of the firms that issue a bond: ``uniform_one(i, key)`` below the monthly ``rate`` (tested
    first: rare), alive, unlisted, not black-listed, growth or mature, revenue above ``revenue_floor`` (and
    high-tech if ``high_tech_only``)."""
    out = np.empty(alive.size, dtype=np.int64)
    k = 0
    for i in range(alive.size):
        if uniform_one(i, key) >= rate:
            continue
        ok = alive[i] and not listed[i] and not black_list[i] and stage[i] >= GROWTH and revenue[i] > revenue_floor
        if ok and (high_tech[i] or not high_tech_only):
            out[k] = i
            k += 1
    return out[:k]


# ``uniform_one`` and ``ziggurat_one`` are inlined from ``sim.kernels.draws``: numba's cache would not notice a change.
for _kernel in (log_growth, evolve, invest, draw_needs, tech_insurance, equity, bond_issuers):
    refresh_when_changed(_kernel, draws)
