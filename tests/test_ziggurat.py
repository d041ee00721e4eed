"""The counter-based ziggurat normals (``sim.kernels.ziggurat``): standard normal in the body, the wedges and the
tail, a pure function of (key, slot), and independent across keys."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.kernels.ziggurat import R, zig_normal, zig_normals

KEY = np.uint64(0x243F6A8885A308D3)
N = 4_000_000


def test_the_draws_are_standard_normal_bin_by_bin():
    """A chi-square over 400 equiprobable bins of 4 million draws: a wedge or tail that is slightly wrong moves
    mass between neighbouring bins, which the moments and a KS test would not see."""
    z = zig_normals(N, KEY)
    edges = stats.norm.ppf(np.linspace(0, 1, 401)[1:-1])
    counts = np.bincount(np.searchsorted(edges, z), minlength=400)
    chi2 = ((counts - N / 400) ** 2 / (N / 400)).sum()
    assert stats.chi2.sf(chi2, 399) > 1e-4, chi2
    assert abs(z.mean()) < 5 / np.sqrt(N) and abs(z.var() - 1) < 5 * np.sqrt(2 / N)


def test_the_tail_beyond_the_base_layer_has_normal_frequency():
    """Draws beyond R ≈ 3.65 come from Marsaglia's tail algorithm: their frequency and their mean excess follow
    the normal tail (the mean of |z| − R given |z| > R is φ(R)/Q(R) − R)."""
    z = np.abs(zig_normals(2 * N, np.uint64(7)))
    p = 2 * stats.norm.sf(R)
    tail = z[z > R]
    assert abs(tail.size - p * z.size) < 5 * np.sqrt(p * z.size)
    excess = stats.norm.pdf(R) / stats.norm.sf(R) - R
    assert abs((tail - R).mean() - excess) < 5 * (tail - R).std() / np.sqrt(tail.size)
    assert (z > 4.5).sum() > 0  # the tail reaches beyond the base layer's edge


def test_a_slots_draw_depends_only_on_key_and_slot():
    z = zig_normals(10_000, KEY)
    assert all(zig_normal(s, KEY) == z[s] for s in (0, 1, 17, 9_999))
    other = zig_normals(10_000, KEY + np.uint64(1))
    assert abs(np.corrcoef(z, other)[0, 1]) < 5 / np.sqrt(z.size)
    assert not np.array_equal(z, other)
