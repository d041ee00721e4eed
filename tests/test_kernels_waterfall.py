"""The compiled loss settlement (``sim.kernels.waterfall``) against the numpy statements it replaced, bit for bit.

The numpy statements are kept here as the reference (as ``tests/test_kernels.py`` does for the other kernels):
a kernel that drops a term, sums in another order or mis-indexes a role fails here rather than shifting results
quietly."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import waterfall as kw
from sim.kernels.sums import numpy_sum
from sim.schema import PARTIES

NP = len(PARTIES)
BANK, POOL = PARTIES.index("bank"), PARTIES.index("pool")


def settle_numpy(loss, claims, accounts, funds):
    """The waterfall as numpy statements (``sim.waterfall.settle`` before it was compiled)."""
    acc = accounts.ravel()
    want = np.where(acc >= 0, claims.ravel(), 0.0)
    where = np.maximum(acc, 0)
    owed = np.bincount(where, weights=want, minlength=funds.size)
    avail = np.maximum(funds, 0.0)
    ratio = np.ones_like(owed)
    short = owed > avail
    ratio[short] = avail[short] / owed[short]
    paid = (want * ratio[where]).reshape(claims.shape)
    totals = np.bincount(where, weights=paid.ravel(), minlength=funds.size)
    totals = np.minimum(totals, np.where(np.isfinite(avail), avail, totals))
    shortfall = np.maximum(loss - paid.sum(axis=1), 0.0)
    return paid, shortfall, totals


def random_month(rng: np.random.Generator, k: int, n_acc: int = 9, n_banks: int = 3):
    """``k`` defaults' losses, claims (some capped below share × loss), bearer accounts (some none) and funds:
    banks unlimited, others short, ample, empty or negative."""
    loss = rng.lognormal(3.0, 1.5, k) * (rng.random(k) > 0.05)
    shares = rng.dirichlet(np.ones(NP), k) * (rng.random((k, NP)) > 0.4)
    claims = shares * loss[:, None] * np.where(rng.random((k, NP)) < 0.2, rng.random((k, NP)), 1.0)
    accounts = rng.integers(n_banks, n_acc, (k, NP))
    accounts[rng.random((k, NP)) < 0.3] = -1
    bank = rng.integers(0, n_banks, k)
    accounts[:, BANK] = bank
    funds = rng.choice([0.0, -5.0, 1.0, 50.0, 1e6], n_acc) * rng.random(n_acc)
    funds[:n_banks] = np.inf
    return loss, claims, accounts, funds, bank


@pytest.mark.parametrize("k", [1, 2, 7, 8, 40, 129, 700])
def test_settle_is_the_numpy_statement_bit_for_bit(k):
    rng = np.random.default_rng(k)
    for _ in range(20):
        loss, claims, accounts, funds, _ = random_month(rng, k)
        got, want = kw.settle(loss, claims, accounts, funds), settle_numpy(loss, claims, accounts, funds)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)


def test_settle_propagates_nan_funds_as_numpy_does():
    loss, claims, accounts, funds, _ = random_month(np.random.default_rng(5), 30)
    funds[accounts[0, 1:].max()] = np.nan
    for g, w in zip(kw.settle(loss, claims, accounts, funds), settle_numpy(loss, claims, accounts, funds), strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("k", [1, 3, 8, 64, 300])
def test_settle_losses_sums_as_the_numpy_statements(k):
    rng = np.random.default_rng(100 + k)
    nb = 3
    for _ in range(10):
        loss, claims, accounts, funds, bank = random_month(rng, k, n_banks=nb)
        principal = loss / rng.uniform(0.3, 0.9, k)
        paid, totals, sums, by_bank, error = kw.settle_losses(loss, claims, accounts, funds, principal, bank, nb, BANK)
        ref_paid, ref_short, ref_totals = settle_numpy(loss, claims, accounts, funds)
        np.testing.assert_array_equal(paid, ref_paid)
        np.testing.assert_array_equal(totals, ref_totals)
        cols = [float(ref_paid[:, j].sum()) for j in range(NP)]
        assert sums.tolist() == [*cols, float(loss.sum()), float(ref_short.sum())]
        np.testing.assert_array_equal(by_bank[0], np.bincount(bank, weights=ref_paid[:, BANK], minlength=nb))
        np.testing.assert_array_equal(by_bank[1], np.bincount(bank, weights=ref_short, minlength=nb))
        np.testing.assert_array_equal(by_bank[2], np.bincount(bank, weights=principal, minlength=nb))
        assert error == float(np.abs(ref_paid.sum(axis=1) + ref_short - loss).max())


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 136, 255, 256, 1000, 1031, 4097, 100_003])
def test_numpy_sum_is_numpys_pairwise_sum(n):
    """Columns of a (n, 7) array (strided) and whole arrays, across numpy's block and halving cuts; the terms'
    magnitudes vary so that any other order of addition rounds differently."""
    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, NP)) * 10.0 ** rng.integers(-6, 6, (n, NP))
    for j in range(NP):
        assert numpy_sum(x[:, j]) == float(x[:, j].sum())
    flat = x.ravel()
    assert numpy_sum(flat) == float(flat.sum())
    if n >= 128:  # the test can tell orders apart: a plain loop's sum differs
        assert numpy_sum(flat) != float(np.cumsum(flat)[-1])


def test_default_claims_are_the_numpy_statements_and_close_the_loans():
    rng = np.random.default_rng(7)
    n, firms, P, nb = 500, 200, 5, 3
    active = rng.random(n) < 0.8
    firm = rng.integers(0, firms, n)
    defaulted = rng.random(firms) < 0.1
    principal, lgd = rng.lognormal(4, 1, n), rng.uniform(0.2, 0.9, n)
    product, bank = rng.integers(0, P, n).astype(np.int32), rng.integers(0, nb, n).astype(np.int32)
    shares = rng.dirichlet(np.ones(NP), P)
    accounts = rng.integers(-1, 3, (P, NP))
    roles = np.repeat(accounts, nb, axis=0)
    roles[:, BANK] = np.tile(np.arange(nb), P)
    entities = np.where(roles >= 0, roles + 10 * np.arange(NP), -1)
    debt = rng.random(firms)
    # the numpy statements of sim.settlement.settle_defaults before they were compiled
    rows = np.flatnonzero(active)
    rows = rows[defaulted[firm[rows]]]
    ref_loss = principal[rows] * lgd[rows]
    ref_claims = shares[product[rows]] * ref_loss[:, None]
    ref_roles = accounts[product[rows]].copy()
    ref_roles[:, BANK] = bank[rows]
    ref_debt = debt.copy()
    ref_debt[firm[rows]] = 0.0
    ref_active = active.copy()
    ref_active[rows] = False

    got = kw.default_claims(active, firm, defaulted, principal, lgd, product, bank, shares, roles, entities, nb, debt)
    p, loss, claims, role, entity, held = got
    assert rows.size > 10
    np.testing.assert_array_equal(p, principal[rows])
    np.testing.assert_array_equal(loss, ref_loss)
    np.testing.assert_array_equal(claims, ref_claims)
    np.testing.assert_array_equal(role, ref_roles)
    np.testing.assert_array_equal(entity, np.where(ref_roles >= 0, ref_roles + 10 * np.arange(NP), -1))
    np.testing.assert_array_equal(held, (ref_roles >= 0).sum(axis=0))
    np.testing.assert_array_equal(active, ref_active)
    np.testing.assert_array_equal(debt, ref_debt)
    # a month with no defaults among the open loans changes nothing
    again = kw.default_claims(active, firm, defaulted, principal, lgd, product, bank, shares, roles, entities, nb, debt)
    assert again[1].size == 0 and not again[5].any()
    np.testing.assert_array_equal(active, ref_active)
