"""The compiled loops (``sim.kernels``) against plain numpy statements of the same rules.

Each kernel replaced a chain of numpy operations; these tests keep the numpy statement as the reference, so a
kernel that drops a term, swaps a condition or mis-indexes a stage fails here rather than shifting results
quietly."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

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
    (``Streams.normal_at``/``uniform``: the kernel draws them inline for the alive slots only)."""
    f = population
    n = f["alive"].size
    rng = np.random.default_rng(9)
    kz, ku, kg = (np.uint64(k) for k in rng.integers(0, 2**63, 3))
    z, u, ug = kernels.normal_at(np.arange(n), kz), kernels.uniforms(n, ku), kernels.uniforms(n, kg)
    funded = f["debt"] > 0
    adv_stage, fa = monthly_prob(np.array([0.3, 0.25, 0.2, 0.0])), 1.5
    rdr, qd, fd, ud, hit, vol, decay, pg = 0.05, 0.02, 0.03, 0.04, 0.01, 0.3 / np.sqrt(12), 0.9, 0.2
    revenue, distress, stage, alive = f["revenue"].copy(), f["distress"].copy(), f["stage"].copy(), f["alive"].copy()
    black, until = rng.random(n) < 0.2, rng.integers(0, 20, n).astype(np.int32)
    age, fm = np.zeros(n, np.int32), np.zeros(n, np.int32)
    growth = np.empty(n)
    kernels.log_growth(f["theta"], funded, f["distress"], kz, rdr, qd, fd, ud, hit, vol, growth)
    a = f["alive"]
    drift = (rdr + qd * f["theta"] + fd * funded - ud * (f["distress"] > 0.05) - hit) / 12.0
    np.testing.assert_allclose(growth, drift - 0.5 * vol**2 + vol * z, rtol=1e-14, atol=1e-15)
    from sim.kernels.draws import word_one, ziggurat_rectangle

    second = [i for i in range(n) if not ziggurat_rectangle(np.uint64(word_one(i, kz)))[1]]
    assert 10 < len(second) < 200  # ≈1% of slots finished by the second pass (the ziggurat's wedges and tail)
    graduated = kernels.evolve(
        10, alive, np.exp(0.3 * f["theta"]), funded, distress, revenue, black.copy(), until, age, fm, stage,
        np.exp(growth), ku, kg, pg, decay, adv_stage, fa,
    )  # fmt: skip
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


@pytest.mark.parametrize("high_tech_only", [False, True])
def test_equity_and_bond_kernels_match_the_numpy_masks(population, high_tech_only):
    f = population
    n = f["alive"].size
    rng = np.random.default_rng(6)
    black, ht, vc_backed, key = rng.random(n) < 0.1, rng.random(n) < 0.4, rng.random(n) < 0.2, np.uint64(31)
    u = kernels.uniforms(n, key)
    kv, kl = np.uint64(5), np.uint64(6)
    uv, ul = kernels.uniforms(n, kv), kernels.uniforms(n, kl)
    listed, backed, need = f["listed"].copy(), vc_backed.copy(), np.ones(n)
    vc, lst = kernels.equity(f["alive"], listed, f["stage"], backed, f["theta"], f["revenue"], need, 0.5, 30.0, kv,
                             0.3, kl, 0.2)  # fmt: skip
    live = f["alive"] & ~f["listed"]
    early = live & (f["stage"] <= 1) & ~vc_backed & (f["theta"] > 0.5)
    big = live & (f["stage"] >= 2) & (f["revenue"] > 30.0)
    assert np.array_equal(vc, np.flatnonzero(early & (uv < 0.3))) and vc.size > 0
    assert np.array_equal(lst, np.flatnonzero(big & (ul < 0.2))) and lst.size > 0
    assert np.array_equal(backed, vc_backed | np.isin(np.arange(n), vc))
    assert np.array_equal(listed, f["listed"] | np.isin(np.arange(n), lst)) and (need[lst] == 0).all()
    assert need.sum() == n - lst.size
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


# ---- counter-based draws inside the kernels -------------------------------------------------------------------
def _ziggurat_reference(words) -> float:
    """NumPy's ``random_standard_normal`` in Python on an iterator of 64-bit words, with ``sim.kernels.draws``'
    tables: a layer from the low 8 bits, a sign from bit 8, a 52-bit magnitude; the tail and the wedges take
    further words."""
    from sim.kernels import draws as d

    while True:
        w = next(words)
        idx, rabs = w & 0xFF, (w >> 9) & 0x000FFFFFFFFFFFFF
        x = -rabs * d._WI[idx] if (w >> 8) & 1 else rabs * d._WI[idx]
        if rabs < int(d._KI[idx]):
            return x
        if idx == 0:
            while True:
                xx = -d._ZIG_INV_R * math.log1p(-(next(words) >> 11) * 2.0**-53)
                yy = -math.log1p(-(next(words) >> 11) * 2.0**-53)
                if yy + yy > xx * xx:
                    return -(d.ZIG_R + xx) if (rabs >> 8) & 1 else d.ZIG_R + xx
        elif (d._FI[idx - 1] - d._FI[idx]) * (next(words) >> 11) * 2.0**-53 + d._FI[idx] < math.exp(-0.5 * x * x):
            return x


def test_the_ziggurat_is_numpys_rule_on_numpys_words():
    """On the words of NumPy's PCG64 the reference gives NumPy's own normals (to the last few bits: the tables
    here are computed in decimal arithmetic, NumPy's in doubles), so layers, signs, tail and wedges follow it."""
    n = 200_000
    words = iter(int(w) for w in np.random.PCG64(7).random_raw(3 * n))
    got = np.array([_ziggurat_reference(words) for _ in range(n)])
    want = np.random.Generator(np.random.PCG64(7)).standard_normal(n)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert (np.abs(want) > 3.6541528853610088).sum() > 10  # the tail was exercised


def test_counter_ziggurat_takes_the_slots_words_in_order():
    """``ziggurat_one(slot, key)`` is the reference on the slot's words: w₀ = SplitMix64(key + (slot + 1) × golden)
    then SplitMix64(w₀ + j × golden), j = 1, 2, …; ``Streams.normal`` is the same number for every slot."""
    from sim.streams import _GOLDEN, _MASK, _mix

    s = Streams(8)
    key = s.key("dynamics", 3)
    n = 50_000

    def words(slot):
        w0 = _mix((key + (slot + 1) * _GOLDEN) & _MASK)
        yield w0
        for j in itertools.count(1):
            yield _mix((w0 + j * _GOLDEN) & _MASK)

    want = np.array([_ziggurat_reference(words(i)) for i in range(n)])
    got = s.normal_at("dynamics", 3, np.arange(n))
    assert np.array_equal(got, want)
    assert np.array_equal(got[[5, 17, 40_000]], [kernels.ziggurat_one(i, np.uint64(key)) for i in (5, 17, 40_000)])


def test_counter_ziggurat_normals_are_standard_normal_bin_by_bin():
    """A chi-square over 400 equiprobable bins of 4 million draws: a wedge or a tail slightly wrong moves mass
    between neighbouring bins, which the moments and a KS test would not see."""
    from scipy import stats

    n = 4_000_000
    z = Streams(5).normal_at("dynamics", 7, np.arange(n))
    edges = stats.norm.ppf(np.linspace(0, 1, 401)[1:-1])
    counts = np.bincount(np.searchsorted(edges, z), minlength=400)
    chi2 = ((counts - n / 400) ** 2 / (n / 400)).sum()
    assert stats.chi2.sf(chi2, 399) > 1e-4, chi2
    assert abs(z.mean()) < 5 / np.sqrt(n) and abs(z.var() - 1) < 5 * np.sqrt(2 / n)


def test_counter_ziggurat_tail_has_normal_frequency_and_excess():
    """Draws beyond the base layer's edge r ≈ 3.65 come from Marsaglia's tail algorithm: their frequency and their
    mean excess over r (φ(r)/Q(r) − r) are the normal tail's."""
    from scipy import stats

    from sim.kernels.draws import ZIG_R

    z = np.abs(Streams(6).normal_at("dynamics", 2, np.arange(8_000_000)))
    p = 2 * stats.norm.sf(ZIG_R)
    tail = z[z > ZIG_R] - ZIG_R
    assert abs(tail.size - p * z.size) < 5 * np.sqrt(p * z.size)
    excess = stats.norm.pdf(ZIG_R) / stats.norm.sf(ZIG_R) - ZIG_R
    assert abs(tail.mean() - excess) < 5 * tail.std() / np.sqrt(tail.size)
    assert (z > 4.5).any()


def test_population_draws_are_the_counter_based_draws_of_every_slot():
    s = Streams(12)
    u = s.uniform("needs", 4, 1000, "x")
    slots = np.array([0, 3, 999, 500])
    assert np.array_equal(u[slots], s.uniform_at("needs", 4, slots, "x"))
    assert np.array_equal(s.uniform("needs", 4, 10, "x"), u[:10])  # slot i's number whatever the size
    assert np.array_equal(u[slots], [kernels.uniform_one(i, np.uint64(s.key("needs", 4, "x"))) for i in slots])


def test_kernel_draws_of_a_slot_do_not_depend_on_which_other_slots_draw():
    """R&D patents and new needs of a slot are the same whichever other slots are funded or eligible: each slot's
    uniform is its own counter-based draw (``Streams.uniform_at``)."""
    rng = np.random.default_rng(3)
    n, key = 4000, np.uint64(Streams(2).key("progress", 9, "patents"))
    debt = rng.uniform(10, 500, n)
    patents = {}
    for share in (0.2, 0.9):
        funded = rng.random(n) < share
        funded[:50] = True
        pats, rd = np.zeros(n), np.zeros(n)
        kernels.invest(debt * funded, rd, pats, key, 0.5, 60.0)  # a firm without a loan has no debt
        assert np.array_equal(pats[funded], kernels.uniform_at(np.flatnonzero(funded), key) < debt[funded] * 0.5 / 60)
        assert not pats[~funded].any() and not rd[~funded].any() and np.array_equal(rd[funded], debt[funded] * 0.5)
        patents[share] = pats[:50]
    assert np.array_equal(patents[0.2], patents[0.9]) and patents[0.2].any()
    needs = {}
    for share in (0.3, 0.95):
        alive = rng.random(n) < share
        alive[:200] = True
        need = np.zeros(n)
        zero, stage = np.zeros(n, bool), np.ones(n, np.int8)
        kernels.draw_needs(alive, zero, zero, zero, stage, need, debt, key, np.array([0.2] * 4), 3.0, 50.0, 800.0)
        u = kernels.uniform_at(np.arange(n), key)
        assert np.array_equal(need > 0, alive & (u < 0.2))
        needs[share] = need[:200]
    assert np.array_equal(needs[0.3], needs[0.95])


def _within_binomial(count: int, n: int, p: float, sds: float = 4.0) -> bool:
    return abs(count - n * p) < sds * np.sqrt(n * p * (1 - p))


def test_stage_advances_graduations_and_defaults_happen_at_their_probabilities():
    """Counts of a large population against the binomial: stage advance at its rate × e^{0.3θ} (θ = 0 here),
    graduation at its probability, defaults at the monthly PD (a fixed seed; tolerance four binomial s.d.)."""
    n = 400_000
    s = Streams(2024)
    stage = np.where(np.arange(n) % 2 == 0, 1, 3).astype(np.int8)  # start-ups and mature firms
    alive, zeros, theta = np.ones(n, bool), np.zeros(n), np.zeros(n)
    adv = np.array([0.0, 0.03, 0.0, 0.0])
    graduated = kernels.evolve(
        5, alive, np.ones(n), np.zeros(n, bool), zeros.copy(), np.ones(n), np.zeros(n, bool), np.zeros(n, np.int32),
        np.zeros(n, np.int32), np.zeros(n, np.int32), stage, np.ones(n), np.uint64(s.key("progress", 5)),
        np.uint64(s.key("progress", 5, "g")), 0.01, 1.0, adv, 1.0,
    )  # fmt: skip
    assert _within_binomial(int((stage == 2).sum()), n // 2, 0.03)
    assert _within_binomial(graduated, n // 2, 0.01) and graduated == (~alive).sum()
    annual = 0.2
    args = (
        np.ones(n, bool), np.zeros(n, bool), np.full(n, -1, np.int32), np.zeros(n, np.int8), theta, np.ones(n),
        zeros, zeros, np.full(n, 12, np.int32), np.ones(n), zeros, np.zeros(n, bool), np.array([annual] * 4), 0.5,
        0.0, 0.0, 1.0, 1.0, np.zeros(0), _LOG_PD[0], _LOG_PD[1] - _LOG_PD[0],
    )  # fmt: skip
    key = np.uint64(s.key("defaults", 6))
    d = kernels.defaults(6, key, np.zeros(0), 0.05, *args)
    assert _within_binomial(int(d.sum()), n, monthly_prob(annual))
    assert np.array_equal(d, kernels.defaults(6, key, np.zeros(0), 0.002, *args))  # the screen changes nothing
    assert np.array_equal(d, kernels.defaults(6, key, s.uniform("defaults", 6, n), 0.05, *args))


@pytest.mark.parametrize("month", [0, 7])
def test_entrants_get_the_numpy_rules_attributes_and_the_initial_values(month):
    """``Enterprises.add`` (the ``enter`` kernel) against the numpy statement of each drawn attribute, from the same
    generator; every other field of a new slot holds its initial value (``INITIAL``, else zero)."""
    from agents.enterprise import FIELDS, INITIAL, Enterprises
    from sim.scenario import load_scenario

    p = load_scenario("jiaxing-2017").enterprises
    pop = Enterprises(p, Streams(6), capacity=100)
    pop.add(40, 0)
    slots = pop.add(300, month)  # grows the arrays past their capacity
    g = pop.streams.gen("init" if month == 0 else "entry", month, "attributes")
    u, z = g.random((300, 8)), g.standard_normal((300, 3))
    mix = np.cumsum(list((p.stage_mix if month == 0 else p.entry_stage_mix).values()))
    stage = np.minimum(np.searchsorted(mix, u[:, 0], side="right"), 3)
    barred = p.black_list_months / 12.0 * (1 - p.exit_after_default_share) * float(np.mean(pop.stage_pd))
    barred_now = (u[:, 7] < barred) & (month == 0)
    want = {
        "alive": np.ones(300, bool),
        "stage": stage,
        "sector": (u[:, 1] * 8).astype(int),
        "age_months": (u[:, 2] * 12 * (1 + 2 * stage)).astype(int) * (month == 0),
        "theta": z[:, 0],
        "revenue_wan": np.array(list(p.monthly_revenue_wan.values()))[stage] * np.exp(p.revenue_dispersion * z[:, 1]),
        "patents": (u[:, 3] < p.patent_holder_share) * (1.0 + stage),
        "in_database": u[:, 4] < p.database_share,
        "high_tech": u[:, 5] < p.high_tech_share,
        "u_insure": u[:, 6],
        "return_z": z[:, 2],
        "black_list": barred_now,
        "black_list_until": np.where(barred_now, (u[:, 7] / barred * p.black_list_months).astype(int), -1),
        "pd_quality": np.exp(-p.quality_pd_elasticity * z[:, 0]),
        "advance_quality": np.exp(0.3 * z[:, 0]),
    }
    for name in FIELDS:
        got = getattr(pop, name)[slots]
        if name in want:
            np.testing.assert_allclose(got, want[name], rtol=1e-15, err_msg=name)
        else:
            assert (got == INITIAL.get(name, 0)).all(), name
    assert (stage == 0).any() and (stage > 0).any() and (month > 0 or barred_now.any())
