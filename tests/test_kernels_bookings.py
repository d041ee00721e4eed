"""The compiled true-ups (``sim.kernels.bookings``) against the numpy statements they replaced, bit for bit.

The numpy statements are kept here as the reference (as ``tests/test_kernels.py`` does for the other kernels). The
sums by axis are checked where numpy's order of addition changes: more than 8 products (pairwise blocks) and a
single bank (numpy then reduces a column as a 1-d array)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import EcosystemModel, load_scenario
from sim.bookings import KINDS, layout
from sim.kernels import bookings as kb
from sim.products import GUAR, INS, POOL, REGUAR, VC
from sim.settlement import FEES


def flat(parts):
    """Arrays end to end and where each starts (the layout's flat tables)."""
    start = np.concatenate([[0], np.cumsum([p.size for p in parts])]).astype(np.int64)
    return np.concatenate(parts).astype(np.int64), start


def random_tables(rng, n_products, sizes):
    """Bearer tables of ``KINDS`` (``sizes``: parties of each kind) as ``sim.bookings.layout`` lays them out, and
    each kind's (products, bearer, share) for the reference."""
    kinds = []
    for n_parties in sizes:
        rows = np.flatnonzero(rng.random(n_products) < 0.6) if n_parties else np.zeros(0, dtype=np.int64)
        kinds.append((rows, rng.integers(0, max(n_parties, 1), rows.size), rng.random(rows.size), n_parties))
    rows, start = flat([k[0] for k in kinds])
    bearer = np.concatenate([k[1] for k in kinds]).astype(np.int64)
    share = np.concatenate([k[2] for k in kinds])
    parties = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return kinds, (rows, bearer, share, start, parties)


@pytest.mark.parametrize(("n_products", "n_banks"), [(3, 4), (12, 3), (12, 1), (20, 1), (9, 10)])
def test_true_up_is_the_numpy_statement(n_products, n_banks):
    rng = np.random.default_rng(n_products * 100 + n_banks)
    n = 3000
    active = rng.random(n) < 0.9
    principal = rng.lognormal(4, 2, n)
    product = rng.integers(0, n_products, n).astype(np.int32)
    bank = rng.integers(0, n_banks, n).astype(np.int32)
    kinds, tables = random_tables(rng, n_products, [2, 3, 3, 1, 0])
    pools = [np.flatnonzero(rng.random(n_products) < 0.5) for _ in range(2)] + [np.zeros(0, dtype=np.int64)]
    insurers = [np.flatnonzero(rng.random(n_products) < 0.7) for _ in range(2)]
    balances, exposure, pool_cover, ins_cover = kb.true_up(
        active, principal, product, bank, n_products, n_banks, *tables, *flat(pools), *flat(insurers)
    )
    # the numpy statements of sim.bookings.update_institutions before they were compiled
    rows = np.flatnonzero(active)
    by_pb = np.bincount(
        product[rows] * n_banks + bank[rows], weights=principal[rows], minlength=n_products * n_banks
    ).reshape(n_products, n_banks)
    by_p = by_pb.sum(axis=1)
    np.testing.assert_array_equal(balances, by_pb.sum(axis=0))
    parties = tables[4]
    for t, (prods, bearer, share, n_parties) in enumerate(kinds):
        ref = np.bincount(bearer, weights=by_p[prods] * share, minlength=n_parties)
        np.testing.assert_array_equal(exposure[parties[t] : parties[t + 1]], ref)
    for got, mine in zip(pool_cover, pools, strict=True):
        np.testing.assert_array_equal(got, by_pb[mine].sum(axis=0))
    assert ins_cover.tolist() == [float(by_p[mine].sum()) for mine in insurers]


def test_capacity_batch_is_the_numpy_statement():
    rng = np.random.default_rng(3)
    n_products, nb, ng, n_pools = 9, 4, 3, 2
    g_shares = rng.random((n_products, ng)) * (rng.random((n_products, ng)) < 0.5)
    pool_of = np.where(rng.random(n_products) < 0.6, rng.integers(0, n_pools, n_products), -1)
    rewarded_p = rng.random(n_products) < 0.5
    for k in (1, 3, 17, 200):
        bank = rng.integers(0, nb, k).astype(np.int32)
        prod = rng.integers(0, n_products, k).astype(np.int32)
        amount = rng.lognormal(5, 1.5, k)
        lent, liability, pool, per_pool, rewarded = kb.capacity_batch(
            bank, prod, amount, nb, g_shares, pool_of, n_pools, rewarded_p
        )
        np.testing.assert_array_equal(lent, np.bincount(bank, weights=amount, minlength=nb))
        # the liability was ``amount @ g_shares[prod]`` (BLAS, in a CPU-dependent order); now in row order
        in_order = np.zeros(ng)
        for i in range(k):
            in_order += amount[i] * g_shares[prod[i]]
        np.testing.assert_array_equal(liability, in_order)
        np.testing.assert_allclose(liability, amount @ g_shares[prod], rtol=1e-13)
        np.testing.assert_array_equal(pool, pool_of[prod])
        np.testing.assert_array_equal(per_pool, [(pool_of[prod] == q).sum() for q in range(n_pools)])
        np.testing.assert_array_equal(rewarded, rewarded_p[prod])


def test_by_bearer_is_the_numpy_statement():
    rng = np.random.default_rng(4)
    n_products = 10
    kinds, tables = random_tables(rng, n_products, [1, 2, 2, 2, 0])
    by_product = rng.lognormal(2, 2, (3, n_products))
    fee_kinds = np.array([KINDS.index(j) for j, _, _ in FEES])
    fee_rows = np.array([r for _, r, _ in FEES])
    rows, bearer, _, start, parties = tables
    per = kb.by_bearer(by_product, fee_kinds, fee_rows, rows, bearer, start, parties)
    for c, (t, r) in enumerate(zip(fee_kinds, fee_rows, strict=True)):
        prods, bearer, _, n_parties = kinds[t]
        first = parties[t]
        ref = np.bincount(bearer, weights=by_product[r][prods], minlength=n_parties)
        np.testing.assert_array_equal(per[c, first : first + n_parties], ref)


@pytest.mark.parametrize(
    ("name", "scale", "borne"),
    [("shanxi-2018", 0.05, (POOL, GUAR, INS, VC)), ("xianning-2021", 0.2, (POOL, GUAR, REGUAR, INS))],
)
def test_month_end_true_up_agrees_with_the_book(name, scale, borne):
    """Runs with every kind of bearer between them: after each month end the exposures, pools' covered balances,
    banks' and guarantors' balances are the numpy statements on the open book."""
    m = EcosystemModel(load_scenario(name, {"enterprises.scale": scale}), rng=3)
    lay = layout(m)
    nb, n_products = len(m.banks), len(m.products.names)
    assert all(len(lay.bearers[j][0]) for j in borne)
    for _ in range(6):
        m.step()
        rows = m.book.open_rows()
        by_pb = np.bincount(
            m.book.product[rows] * nb + m.book.bank[rows], weights=m.book.principal[rows], minlength=n_products * nb
        ).reshape(n_products, nb)
        by_p = by_pb.sum(axis=1)
        for j, (prods, bearer, share, n_parties) in lay.bearers.items():
            np.testing.assert_array_equal(m.exposure[j], np.bincount(bearer, by_p[prods] * share, n_parties))
        for pool in m.government.pools:
            mine = np.flatnonzero((m.products.accounts[:, POOL] == pool.index) & (m.products.shares[:, POOL] > 0))
            np.testing.assert_array_equal(pool.covered, by_pb[mine].sum(axis=0))
        assert [b.balance_wan for b in m.banks] == by_pb.sum(axis=0).tolist()
        for g in m.guarantors:
            assert g.balance_wan == float(m.exposure[GUAR][g.index] + m.exposure[REGUAR][g.index])


def test_due_rows_and_repay_are_the_numpy_statements():
    rng = np.random.default_rng(5)
    n, firms = 2000, 900
    active, maturity = rng.random(n) < 0.8, rng.integers(0, 40, n).astype(np.int32)
    firm = rng.integers(0, firms, n)
    debt, deferred = rng.random(firms), rng.integers(-1, 30, firms)
    alive, listed, black = rng.random(firms) < 0.9, rng.random(firms) < 0.1, rng.random(firms) < 0.1
    # the numpy statements of sim.settlement.repay_maturities before they were compiled
    rows = np.flatnonzero(active)
    ref_due = rows[maturity[rows] <= 12]
    ref_firms = firm[ref_due]
    ref_active, ref_debt, ref_deferred = active.copy(), debt.copy(), deferred.copy()
    ref_active[ref_due] = False
    ref_debt[ref_firms] = 0.0
    ref_deferred[ref_firms] = -1
    ref_renew = alive[ref_firms] & ~listed[ref_firms] & ~black[ref_firms]

    due = kb.due_rows(active, maturity, 12)
    np.testing.assert_array_equal(due, ref_due)
    got_firms, renewable = kb.repay(due, firm, active, debt, deferred, alive, listed, black)
    assert due.size > 100 and 0 < renewable.sum() < due.size
    np.testing.assert_array_equal(got_firms, ref_firms)
    np.testing.assert_array_equal(renewable, ref_renew)
    for got, ref in ((active, ref_active), (debt, ref_debt), (deferred, ref_deferred)):
        np.testing.assert_array_equal(got, ref)
    assert kb.due_rows(active, maturity, 12).size == 0  # repaid loans are no longer open
