"""The compiled loops (``sim.kernels``) against plain numpy statements of the same rules.

Each kernel replaced a chain of numpy operations; these tests keep the numpy statement as the reference, so a
kernel that drops a term, swaps a condition or mis-indexes a stage fails here rather than shifting results
quietly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri

from agents.firm_credit import _LOG_PD, vasicek_monthly, vasicek_table
from sim import kernels
from sim.calendar import monthly_prob
from sim.streams import Streams

MASK = (1 << 64) - 1


def splitmix_uniform(slots: np.ndarray, key: int) -> np.ndarray:
    """The counter-based uniform of ``sim.streams`` in Python integers (no wrap-around subtleties)."""
    out = []
    for s in slots.tolist():
        z = (key + (s + 1) * 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out.append((z >> 11) * 2.0**-53)
    return np.array(out)


def test_counter_uniforms_are_splitmix64_of_key_and_slot():
    s = Streams(11)
    slots = np.array([0, 1, 2, 7, 1000, 2**31 + 5, 123456789])
    key = s.key("signal", 17, "bank:icbc")
    assert np.array_equal(s.uniform_at("signal", 17, slots, "bank:icbc"), splitmix_uniform(slots, key))
    # a slot's number does not depend on the other slots asked for
    assert s.uniform_at("signal", 17, slots[3:4], "bank:icbc")[0] == splitmix_uniform(slots, key)[3]


def test_stream_keys_fold_stream_month_and_sub_whatever_was_asked_before():
    """``Streams.key`` keeps the key folded up to (stream, month); a key is still SplitMix64 folded over the three
    parts, whichever keys were asked for first."""
    from sim.streams import _GOLDEN, _mix

    def spec(s: Streams, stream: str, month: int, sub: int) -> int:
        k = s.root_key
        for part in (s._ids[stream], month, sub):
            k = _mix((k + (part + 1) * _GOLDEN) & MASK)
        return k

    a, b = Streams(21), Streams(21)
    asks = [("signal", m, sub) for m in (0, 1, 5) for sub in (0, 3, 2**31)] + [("needs", 1, 3), ("defaults", 5, 0)]
    got_a = [a.key(*x) for x in asks]
    got_b = [b.key(*x) for x in reversed(asks)][::-1]
    assert got_a == got_b == [spec(a, *x) for x in asks]
    assert len(set(got_a)) == len(asks)


def test_inverse_normal_matches_scipy_over_the_whole_range():
    p = np.concatenate(
        [
            np.geomspace(2.0**-53, 1e-3, 400),  # far tail (r > 5) and the middle range
            np.linspace(1e-3, 1 - 1e-3, 2001),  # the central rational function and both splits
            1 - np.geomspace(2.0**-53, 1e-3, 400),
        ]
    )
    got = np.array([kernels.inverse_normal(x) for x in p])
    np.testing.assert_allclose(got, ndtri(p), rtol=1e-14, atol=1e-15)
    assert kernels.inverse_normal(0.5) == 0.0


def test_counter_normals_are_standard_normal():
    z = Streams(3).normal_at("signal", 1, np.arange(200_000), "x")
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert abs(np.mean(z < -1.959963984540054) - 0.025) < 0.002


@pytest.fixture
def population():
    rng = np.random.default_rng(5)
    n = 5000
    return {
        "alive": rng.random(n) < 0.9,
        "listed": rng.random(n) < 0.05,
        "deferred_until": np.where(rng.random(n) < 0.1, 12, -1).astype(np.int32),
        "stage": rng.integers(0, 4, n).astype(np.int8),
        "theta": rng.standard_normal(n),
        "debt": np.where(rng.random(n) < 0.4, rng.uniform(10, 500, n), 0.0),
        "cost_rate": rng.uniform(0.02, 0.08, n),
        "term": rng.choice([12, 24, 36], n).astype(np.int32),
        "revenue": rng.lognormal(3, 1, n),
        "distress": np.where(rng.random(n) < 0.3, rng.uniform(0, 2, n), 0.0),
        "vc": rng.random(n) < 0.1,
    }


@pytest.mark.parametrize("factor", [None, -1.3, 0.0, 2.2])
def test_default_prob_kernel_matches_the_numpy_rule(population, factor):
    f = population
    stage_pd = np.array([0.08, 0.05, 0.03, 0.02])
    eps, dsf, df, vcf, mult, rho = 0.5, 0.8, 0.6, 0.7, 1.4, 0.12
    service = f["debt"] * (f["cost_rate"] + 12.0 / f["term"]) / np.maximum(12.0 * f["revenue"], 1e-9)
    pd_ = stage_pd[f["stage"]] * np.exp(-eps * f["theta"]) * (1 + dsf * service) * (1 + df * f["distress"])
    pa = np.minimum(np.minimum(np.where(f["vc"], pd_ * vcf, pd_), 0.99) * mult, 0.99)
    want = monthly_prob(pa) if factor is None else vasicek_monthly(pa, factor, rho)
    want[~f["alive"] | f["listed"] | (f["deferred_until"] >= 10)] = 0.0
    table = np.zeros(0) if factor is None else vasicek_table(factor, rho)
    got = kernels.default_prob(
        10, f["alive"], f["listed"], f["deferred_until"], f["stage"], f["theta"], np.exp(-eps * f["theta"]),
        f["debt"], f["cost_rate"], f["term"], f["revenue"], f["distress"], f["vc"], stage_pd, eps, dsf, df, vcf,
        mult, table, _LOG_PD[0], _LOG_PD[1] - _LOG_PD[0],
    )  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert (got[f["alive"] & ~f["listed"] & (f["deferred_until"] < 10)] > 0).all()


@pytest.mark.parametrize("factor", [None, -1.3, 0.0, 2.2])
@pytest.mark.parametrize("q", [0.05, 0.002, 0.5])
def test_defaults_kernel_is_exactly_the_uniform_below_the_probability(population, factor, q):
    """The screen that skips a slot's logarithms (uniform ≥ q and a bound of its PD below q) never changes a
    decision: ``defaults`` is ``u < default_prob`` slot by slot, also for uniforms right at the probability."""
    f = dict(population)
    n = f["alive"].size
    f["debt"] = f["debt"] * np.where(np.arange(n) % 7 == 0, 50.0, 1.0)  # some heavy debt service: PDs near the cap
    stage_pd, rho = np.array([0.08, 0.05, 0.03, 0.02]), 0.12
    table = np.zeros(0) if factor is None else vasicek_table(factor, rho)
    args = (
        f["alive"], f["listed"], f["deferred_until"], f["stage"], f["theta"], np.exp(-0.5 * f["theta"]), f["debt"],
        f["cost_rate"], f["term"], f["revenue"], f["distress"], f["vc"], stage_pd, 0.5, 0.8, 0.6, 0.7, 1.4, table,
        _LOG_PD[0], _LOG_PD[1] - _LOG_PD[0],
    )  # fmt: skip
    p = kernels.default_prob(10, *args)
    rng = np.random.default_rng(1)
    for u in (rng.random(n), p, np.nextafter(p, 1.0), np.nextafter(p, 0.0), np.full(n, q), np.maximum(p, q)):
        assert np.array_equal(kernels.defaults(10, np.uint64(0), u, q, *args), u < p)
    assert ((p > 0.05) & (p < 0.3)).any() and (p < 0.01).any()  # both sides of the screen are exercised


def test_evolve_kernel_matches_the_numpy_rule(population):
    """The fused month of a firm against the numpy statement, its draws the population draws of the same keys
    (``Streams.normal``/``uniform``: the kernel draws them inline for the alive slots only)."""
    f = population
    n = f["alive"].size
    rng = np.random.default_rng(9)
    kz, ku, kg = (np.uint64(k) for k in rng.integers(0, 2**63, 3))
    z, u, ug = kernels.normals(n, kz), kernels.uniforms(n, ku), kernels.uniforms(n, kg)
    funded = f["debt"] > 0
    adv_stage, fa = monthly_prob(np.array([0.3, 0.25, 0.2, 0.0])), 1.5
    rdr, qd, fd, ud, hit, vol, decay, pg = 0.05, 0.02, 0.03, 0.04, 0.01, 0.3 / np.sqrt(12), 0.9, 0.2
    revenue, distress, stage, alive = f["revenue"].copy(), f["distress"].copy(), f["stage"].copy(), f["alive"].copy()
    black, until = rng.random(n) < 0.2, rng.integers(0, 20, n).astype(np.int32)
    age, fm = np.zeros(n, np.int32), np.zeros(n, np.int32)
    graduated = kernels.evolve(
        10, alive, np.exp(0.3 * f["theta"]), funded, distress, revenue, f["theta"], black.copy(), until, age,
        fm, stage, kz, ku, kg, pg, rdr, qd, fd, ud, hit, vol, decay, adv_stage, fa,
    )  # fmt: skip
    a = f["alive"]
    drift = (rdr + qd * f["theta"] + fd * funded - ud * (f["distress"] > 0.05) - hit) / 12.0
    np.testing.assert_allclose(revenue, f["revenue"] * np.where(a, np.exp(drift - 0.5 * vol**2 + vol * z), 1.0))
    np.testing.assert_allclose(distress, f["distress"] * decay)
    adv = adv_stage[f["stage"]] * np.exp(0.3 * f["theta"]) * np.where(funded, fa, 1.0)
    up = a & (u < adv) & (f["stage"] < 3)
    assert np.array_equal(stage, f["stage"] + up) and up.any()
    grad = a & (f["stage"] == 3) & (ug < pg)
    assert np.array_equal(alive, a & ~grad) and graduated == grad.sum() > 0
    assert np.array_equal(age, a.astype(np.int32)) and np.array_equal(fm, (a & funded).astype(np.int32))


def test_funnel_add_counts_a_firms_flags():
    """Each firm's pattern bits per product, histogrammed (``funnel_add``) and turned into the funnel's steps
    (``funnel_counts``), give the counts of the flags added up one by one."""
    rng = np.random.default_rng(2)
    P, cp = 6, np.array([0, 0, 1, 2, 2, 2, 4, 1])
    not_in_window = np.array([0, 1, 0, 0, 1, 0], bool)
    hist, beaten = np.zeros((P, 17), dtype=np.int64), np.zeros((P, P))
    want_counts, want_beaten = np.zeros((6, P)), np.zeros((P, P))
    for _ in range(300):
        elig = rng.random(P) < 0.7
        flags = np.vstack([elig, elig & (rng.random(P) < 0.8), elig & (rng.random(P) < 0.6), np.zeros(P, bool)])
        flags[3] = flags[2] & (rng.random(P) < 0.5)  # accepted only if worth it, worth it only if eligible
        on = np.flatnonzero(flags[3][cp])
        best_ch = int(rng.choice(on)) if on.size else -1
        pattern = (flags * np.array([1, 2, 4, 8])[:, None]).sum(axis=0)
        kernels.funnel_add(hist, beaten, pattern, best_ch, cp)
        want_counts[:5] += np.vstack([flags[0], flags[0] & not_in_window, flags[1], flags[2], flags[3]])
        if best_ch >= 0:
            q = cp[best_ch]
            want_counts[5, q] += 1
            want_beaten[:, q] += flags[3] & (np.arange(P) != q)
    counts = np.full((6, P), 1.0)  # added to
    kernels.funnel_counts(hist, not_in_window, counts)
    assert np.array_equal(counts, want_counts + 1.0) and np.array_equal(beaten, want_beaten)


def test_tech_insurance_kernel_matches_the_numpy_rule(population):
    f = population
    n = f["alive"].size
    rng = np.random.default_rng(4)
    key, u_ins = np.uint64(77), rng.random(n)
    u = kernels.uniforms(n, key)
    bands = np.array([[0.0, 0.1], [0.25, 0.4]])  # a line not sold yet leaves the gap 0.1–0.25
    distress, insured_out = f["distress"].copy(), np.zeros(n, bool)
    counts = kernels.tech_insurance(f["alive"], f["listed"], key, 0.05, u_ins, bands, distress, insured_out, 0.3)
    alive = f["alive"] & ~f["listed"]
    setback = alive & (u < 0.05)
    insured = np.zeros(n, bool)
    for line, (lo, hi) in enumerate(bands):
        mine = alive & (u_ins >= lo) & (u_ins < hi)
        assert counts[line].tolist() == [mine.sum(), (mine & setback).sum()]
        insured |= mine
    assert np.array_equal(insured_out, insured)
    np.testing.assert_array_equal(distress, f["distress"] + np.where(setback & ~insured, 0.3, 0.0))


def test_accrue_and_subsidy_cap_kernels_match_the_numpy_rule():
    """A month on the book in one pass: the same flows as the numpy statements, and sums by product and bank
    bit for bit as ``np.bincount`` (rows in order); the per-firm cap and its year total as ``np.add.at``."""
    rng = np.random.default_rng(8)
    n, n_prod, n_bank = 3000, 5, 3
    principal = rng.lognormal(4, 1, n)
    active = rng.random(n) < 0.8
    rates = [rng.uniform(0, 0.06, n) * (rng.random(n) < 0.5) for _ in range(4)]
    shares = [rng.choice([0.0, 0.3, 1.0], n) for _ in range(3)]
    product, bank = rng.integers(0, n_prod, n).astype(np.int32), rng.integers(0, n_bank, n).astype(np.int32)
    flows, asked, by_product, by_bank = kernels.accrue(
        principal, active, *rates, *shares, product, bank, n_prod, n_bank
    )
    P = principal * active
    want = [P, *(P * r / 12.0 for r in rates)]
    assert all(np.array_equal(flows[k], w) for k, w in enumerate(want))
    interest, fee, refee, prem = want[1:]
    assert all(
        np.array_equal(asked[k], w * s) for k, (w, s) in enumerate(zip((interest, fee, prem), shares, strict=True))
    )
    for k, w in enumerate((fee, refee, prem)):
        assert np.array_equal(by_product[k], np.bincount(product, weights=w, minlength=n_prod))
    assert np.array_equal(by_bank, np.bincount(bank, weights=interest, minlength=n_bank))

    firm = rng.integers(0, 400, n)  # several rows per firm: the cap and the year total see each other's rows
    year = rng.uniform(0, 2, 400)
    ask = asked[0] * 50
    want_capped = np.minimum(ask, np.maximum(1.5 - year[firm], 0.0))
    kernels.cap_per_firm(ask, firm, year, 1.5)
    assert np.array_equal(ask, want_capped) and (ask < asked[0] * 50).any()
    want_year = year.copy()
    np.add.at(want_year, firm[ask > 0], ask[ask > 0])
    kernels.add_per_firm(year, firm, ask)
    assert np.array_equal(year, want_year)


def test_balances_by_kind_lays_out_each_kinds_principals_in_row_order():
    """Each kind's row holds the principals of its open loans in book order, so numpy's sum of it is the
    masked sum of the book bit for bit."""
    rng = np.random.default_rng(12)
    n, n_prod, n_bank, n_firms = 5000, 6, 3, 900
    principal, active = rng.lognormal(4, 2, n), rng.random(n) < 0.7
    firm = rng.integers(0, n_firms, n)
    product, bank = rng.integers(0, n_prod, n).astype(np.int32), rng.integers(0, n_bank, n).astype(np.int32)
    vc = rng.random(n_firms) < 0.2
    by_product, by_bank = rng.random((4, n_prod)) < 0.5, np.array([[True, False, True], [False, False, False]])
    out, count = kernels.balances_by_kind(principal, active, firm, product, bank, vc, by_product, by_bank)
    prin = principal[active]
    masks = [np.ones(prin.size, bool), vc[firm[active]], *by_product[:, product[active]], *by_bank[:, bank[active]]]
    assert len(masks) == out.shape[0] == count.size
    for row, k, mask in zip(out, count, masks, strict=True):
        assert np.array_equal(row[:k], prin[mask]) and row[:k].sum() == prin[mask].sum()


@pytest.mark.parametrize("high_tech_only", [False, True])
def test_equity_and_bond_candidate_kernels_match_the_numpy_masks(population, high_tech_only):
    f = population
    n = f["alive"].size
    rng = np.random.default_rng(6)
    black, ht, vc_backed, key = rng.random(n) < 0.1, rng.random(n) < 0.4, rng.random(n) < 0.2, np.uint64(31)
    u = kernels.uniforms(n, key)
    early, big = kernels.equity_candidates(
        f["alive"], f["listed"], f["stage"], vc_backed, f["theta"], f["revenue"], 0.5, 30.0
    )
    live = f["alive"] & ~f["listed"]
    assert np.array_equal(early, np.flatnonzero(live & (f["stage"] <= 1) & ~vc_backed & (f["theta"] > 0.5)))
    assert np.array_equal(big, np.flatnonzero(live & (f["stage"] >= 2) & (f["revenue"] > 30.0)))
    issued = kernels.bond_issuers(
        f["alive"], f["listed"], black, f["stage"], f["revenue"], ht, high_tech_only, 20.0, key, 0.3
    )
    ok = live & ~black & (f["stage"] >= 2) & (f["revenue"] > 20.0) & (ht | (not high_tech_only))
    assert np.array_equal(issued, np.flatnonzero(ok & (u < 0.3))) and issued.size > 0


def test_register_borrowers_kernel_matches_the_numpy_statements():
    rng = np.random.default_rng(3)
    n, k, n_prod = 400, 60, 4
    cols = {
        "first_loan": rng.random(n) < 0.5, "served": rng.random(n) < 0.5, "tf_served": rng.random(n) < 0.2,
        "debt": np.zeros(n), "cost_rate": np.zeros(n), "term": np.full(n, 12, np.int32), "need": rng.random(n),
        "need_age": rng.integers(0, 3, n).astype(np.int32),
        "vintage_month": np.where(rng.random(n) < 0.5, 3, -1).astype(np.int32),
        "vintage_policy": np.zeros(n, bool), "vintage_stage": np.zeros(n, np.int8),
    }  # fmt: skip
    stage = rng.integers(0, 4, n).astype(np.int8)
    slots, prod = rng.choice(n, k, replace=False), rng.integers(0, n_prod, k)
    amount, cost = rng.uniform(10, 100, k), rng.uniform(0.02, 0.06, k)
    term_p, policy_p = np.array([12, 24, 36, 12]), np.array([True, False, True, False])
    want = {c: v.copy() for c, v in cols.items()}
    first = kernels.register_borrowers(slots, prod, amount, cost, 7, term_p, policy_p, *cols.values(), stage)
    assert first == int((~want["first_loan"][slots]).sum())
    new = want["vintage_month"][slots] < 0
    want["first_loan"][slots] = want["served"][slots] = True
    want["tf_served"][slots[policy_p[prod]]] = True
    want["debt"][slots], want["cost_rate"][slots], want["term"][slots] = amount, cost, term_p[prod]
    want["need"][slots], want["need_age"][slots] = 0.0, 0
    want["vintage_month"][slots[new]], want["vintage_policy"][slots[new]] = 7, policy_p[prod[new]]
    want["vintage_stage"][slots[new]] = stage[slots[new]]
    assert all(np.array_equal(cols[c], want[c]) for c in cols) and new.any() and (~new).any()


def test_capacity_queues_match_within_room_in_turn():
    """Bank, each guarantor, pool, fund: each queue first come first served over what the earlier ones took."""
    rng = np.random.default_rng(5)
    nc, nb, ng, npool, nf = 12, 3, 2, 2, 1
    ch_bank, ch_pool = rng.integers(0, nb, nc), np.where(rng.random(nc) < 0.6, rng.integers(0, npool, nc), -1)
    g_share = np.where(rng.random((nc, ng)) < 0.5, rng.choice([0.5, 0.8], (nc, ng)), 0.0)
    ch_fund, fund_share = np.where(rng.random(nc) < 0.3, 0, -1), np.full(nc, 0.4)
    for _ in range(50):
        n = 40
        ch, amount = rng.integers(0, nc, n), rng.uniform(10, 300, n)
        room_b, room_g, room_p, room_f = (rng.uniform(200, 3000, m) for m in (nb, ng, npool, nf))
        ok = kernels.within_room(ch_bank[ch], amount, room_b)
        for g in range(ng):
            liability = amount * g_share[ch, g]
            ok &= kernels.within_room(np.where(ok & (liability > 0), 0, -1), liability, room_g[g : g + 1])
        ok &= kernels.within_room(np.where(ok, ch_pool[ch], -1), amount, room_p)
        keys = np.where(ok & (fund_share[ch] > 0), ch_fund[ch], -1)
        ok &= kernels.within_room(keys, amount * fund_share[ch], room_f)
        got = kernels.capacity(
            ch, amount, ch_bank, room_b, g_share, room_g, ch_pool, room_p, ch_fund, fund_share, room_f
        )
        assert np.array_equal(got, ok)
        assert 0 < ok.sum() < n  # the rooms bind
