"""The loan book's compiled loops (``sim.kernels.book``, ``sim.kernels.sums``) against the numpy statements
they replaced: the same numbers bit for bit, sums included (numpy's pairwise order)."""

import numpy as np
import pytest

from sim import kernels
from sim.kernels import book as kb
from sim.kernels.sums import DEPTH, close_leaf, leaves
from sim.loanbook import _FLOATS, _INTS, COLUMNS, LoanBook


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 135, 200, 1000, 4097, 100_003])
def test_leaves_rebuild_numpys_pairwise_sum(n):
    """Summing leaf by leaf as ``leaves`` says gives ``ndarray.sum()`` bit for bit (values spread over many
    magnitudes, so a different order of addition would show)."""
    rng = np.random.default_rng(n)
    a = rng.lognormal(0, 6, n) * rng.choice([-1.0, 1.0], n)
    ends, merges = leaves(n)
    assert ends[-1] == n and np.all(np.diff(ends) > 0 if n else True) and np.all(np.diff(ends, prepend=0) <= 128)
    stack, sp, lo = np.full(DEPTH, -0.0), 0, 0
    for end, m in zip(ends.tolist(), merges.tolist(), strict=True):
        sp = close_leaf(a[lo:end].copy(), end - lo, stack, sp, m)
        lo = end
    assert sp == 1 and 0.0 + stack[0] == a.sum()
    assert n < 1000 or 0.0 + stack[0] != np.cumsum(a)[-1]  # (the check can tell a left-to-right sum apart)


def _book(rng, n, n_prod=5, n_bank=3, n_firms=400):
    principal = rng.lognormal(4, 1.5, n)
    active = rng.random(n) < 0.8
    rates = [rng.uniform(0, 0.06, n) * (rng.random(n) < 0.5) for _ in range(4)]
    shares = [rng.choice([0.0, 0.3, 1.0], n) for _ in range(3)]
    product, bank = rng.integers(0, n_prod, n).astype(np.int32), rng.integers(0, n_bank, n).astype(np.int32)
    return principal, active, rates, shares, product, bank, rng.integers(0, n_firms, n)


def _numpy_month(principal, active, rates, shares, product, bank, firm, year, cap, budget):
    """The numpy statements ``accrue``/``net_cost`` replaced (flows, per-firm cap, pro-rata payment, year totals,
    cost totals)."""
    p = principal * active
    interest, fee, refee, prem = (p * r / 12.0 for r in rates)
    asked = [interest * shares[0], fee * shares[1], prem * shares[2]]
    if cap is not None:
        asked[0] = np.minimum(asked[0], np.maximum(cap - year[firm], 0.0))
    subs = []
    for a in asked:
        total = float(a.sum())
        paid = min(total, budget) if total > 0 else 0.0
        budget -= paid
        subs.append(a * (paid / total) if total > 0 else np.zeros_like(a))
    np.add.at(year, firm[subs[0] > 0], subs[0][subs[0] > 0])
    net = interest + fee + prem - subs[0] - subs[1] - subs[2]
    by_product = [np.bincount(product, weights=w, minlength=5) for w in (fee, refee, prem)]
    return [p.sum(), interest.sum(), *(a.sum() for a in asked)], net.sum(), by_product, np.bincount(bank, interest)


@pytest.mark.parametrize(("cap", "budget"), [(None, 1e9), (1.5, 1e9), (1.5, 3.0), (0.2, 0.0)])
def test_accrue_and_net_cost_are_the_numpy_month(cap, budget):
    """Two passes give the month of the numpy statements bit for bit: totals asked (pairwise sums), the per-firm
    cap (several rows per firm, so rows see the year total from before the month), what each firm got added to its
    year total in row order, the net cost, fees by product and interest by bank."""
    rng = np.random.default_rng(8)
    principal, active, rates, shares, product, bank, firm = _book(rng, 3000)
    year = rng.uniform(0, 2, 300)  # firms 300-399 are beyond the year's array: none paid yet
    want_year = np.concatenate([year, np.zeros(100)])
    totals, net, by_product, by_bank = _numpy_month(
        principal, active, rates, shares, product, bank, firm, want_year, cap, budget
    )
    got, ask_i, got_bp, got_bb, top = kernels.accrue(
        principal, active, *rates, *shares, product, bank, firm, year, np.nan if cap is None else cap, 5, 3
    )
    assert got.tolist() == totals and top == firm.max()
    assert np.array_equal(got_bp, by_product) and np.array_equal(got_bb, by_bank)
    shares_paid = []
    for total in got[2:].tolist():
        paid = min(total, budget) if total > 0 else 0.0
        budget -= paid
        shares_paid.append(paid / total if total > 0 else np.nan)
    year = np.concatenate([year, np.zeros(100)])
    got_net = kernels.net_cost(
        principal, active, rates[0], rates[1], rates[3], shares[1], shares[2], ask_i, firm, year, *shares_paid
    )
    assert got_net == net and np.array_equal(year, want_year)
    assert cap is None or (ask_i < principal * active * rates[0] / 12.0 * shares[0]).any()  # the cap binds


def test_balances_by_kind_are_the_masked_numpy_sums():
    """Each kind's balance is ``principal[open][mask].sum()`` bit for bit, an empty kind 0."""
    rng = np.random.default_rng(12)
    n, n_prod, n_bank, n_firms = 20_000, 6, 3, 900
    principal, active = rng.lognormal(4, 3, n), rng.random(n) < 0.7
    firm = rng.integers(0, n_firms, n)
    product, bank = rng.integers(0, n_prod, n).astype(np.int32), rng.integers(0, n_bank, n).astype(np.int32)
    vc = rng.random(n_firms) < 0.2
    by_product = rng.random((4, n_prod)) < 0.5
    by_product[3] = False
    by_bank = np.array([[True, False, True], [False, False, False]])
    got = kernels.balances_by_kind(principal, active, firm, product, bank, vc, by_product, by_bank)
    prin = principal[active]
    masks = [np.ones(prin.size, bool), vc[firm[active]], *by_product[:, product[active]], *by_bank[:, bank[active]]]
    assert got.tolist() == [prin[mask].sum() for mask in masks] and got[5] == 0.0 and got[-1] == 0.0


def test_compact_drops_closed_rows_in_order_like_the_numpy_gather():
    """Closed rows go once they are more than a tenth of the rows; every column keeps the open rows in order."""
    assert set(COLUMNS) == {"firm", "active", *_INTS, *_FLOATS}  # every column is compacted
    rng = np.random.default_rng(3)
    book = LoanBook(64)
    n = 5000
    book.add(
        **{k: rng.integers(0, 10**6, n).astype(t) if t is not float else rng.random(n) for k, t in COLUMNS.items()}
        | {"active": np.ones(n, bool)}
    )
    before = {k: getattr(book, k)[:n].copy() for k in COLUMNS}
    book.close(rng.choice(n, 400, replace=False))  # 8%: kept as is
    book.compact()
    assert book.n == n
    closed = rng.choice(n, 700, replace=False)
    book.close(closed)
    keep = np.ones(n, bool)
    keep[closed] = False
    keep &= before["active"] & book.active[:n]
    book.compact()
    assert book.n == keep.sum() and book.active[: book.n].all()
    for k in COLUMNS:
        if k != "active":
            assert np.array_equal(getattr(book, k)[: book.n], before[k][keep]), k
    assert kb.compact(0, book.active, book.firm, (book.bank,), (book.rate,)) == 0
