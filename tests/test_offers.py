"""The compiled month of offers (``sim.offers``) against a numpy statement of the same rules, on real months.

The kernel wires many parties' terms into each (firm, channel) offer: which view of the firm each party
sees, which subsidy share applies, which collateral and room count. A slip in that wiring (the guarantor
screening through the bank's view, the first-loan share swapped, a pledge on the wrong channel, the discount
before the bank's acceptance) leaves every whole-run invariant intact, so each month's offers are checked
element by element here against the rules written out in numpy from their definitions (docs/model.md §4).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import sim.offers
import sim.pricing
from sim import kernels
from sim.model import EcosystemModel
from sim.scenario import load_scenario


def eligible(a: dict) -> np.ndarray:
    """(k, channels) eligibility in numpy: the product's stages, its requirements, the asset it pledges."""
    stage, in_db, high_tech, patents, vc = a["firm_class"]
    rules, p = a["rules"][a["ch_prod"]], a["ch_prod"]
    ok = a["stage_ok"][p].T[stage]
    for j, have in enumerate((vc, in_db, high_tech, patents > 0)):
        ok &= (rules[:, j] == 0) | (have[:, None] > 0)
    return ok & ((rules[:, 4] < 0) | a["holds"][:, np.maximum(rules[:, 4], 0)])


def reference(a: dict) -> dict[str, np.ndarray]:
    """The month's offers in numpy, from the kernel's arguments ``a``."""
    elig = eligible(a)
    k = elig.shape[0]
    theta, stage_pd, debt, distress, vc = a["firm_pd"]
    z = np.array([kernels.normal_at(a["slots"], key) for key in a["view_keys"]]).reshape(-1, k)
    seen = theta + a["view_scale"][:, None] * z
    views = np.minimum(stage_pd * np.exp(-a["pd_elasticity"] * seen) * debt * distress * vc, 0.99)
    views = np.vstack([views, np.full(k, np.nan)])  # row -1: no view (a NaN fails every screen)
    bank = a["bank_terms"][a["ch_bank"]].T[:, None, :]  # (6, 1, nc)
    spread, max_prem, funding, loss_weight, hurdle, months = bank
    lgd, kept, kept_limit, cap, reward, max_loan, room, g_share = a["ch_terms"].T[:, None, :]
    collateral, revenue, assets, need, ret, discount = a["firm_terms"][:, :, None]
    pd_bank = views[a["ch_views"][:, 0]].T
    rate = np.minimum(a["lpr"] + np.minimum(spread + kept * pd_bank * lgd, max_prem), cap)
    accept = rate - funding - kept * pd_bank * lgd * loss_weight + reward >= hurdle - 1e-12  # rounding allowed
    pledged = np.where(a["ch_pledge"] >= 0, a["pledge"][np.maximum(a["ch_pledge"], 0)].T, 0.0)
    limit = (months * revenue + collateral + pledged) / np.maximum(kept_limit, 1e-3)
    rate = rate - discount
    subs = a["ch_subs"].T[:, None, :]
    int_sub = np.where(a["first_loan"][:, None], subs[1], subs[0])
    cost = rate * (1 - int_sub) + subs[2] * (1 - subs[3]) + subs[4] * (1 - subs[5]) + subs[6]
    eta, small, large = a["demand_terms"]
    want = need * (np.maximum(ret, 1e-9) / np.maximum(cost, 0.005)) ** eta
    want = np.where(cost < ret, np.clip(want, small, large), 0.0)
    amount = np.minimum(np.minimum(want, max_loan), limit)
    accept &= amount >= small - 1e-9
    g, ins, fund = a["ch_parties"].T
    gt, it = a["guar_terms"][np.maximum(g, 0)].T, a["ins_terms"][np.maximum(ins, 0)].T
    liability = amount * g_share
    pd_g, pd_i = views[a["ch_views"][:, 1]].T, views[a["ch_views"][:, 2]].T
    guaranteed = (pd_g <= gt[0]) & (liability <= gt[1]) & ((gt[2] == 0) | (assets >= liability)) & (gt[3] > 0)
    accept &= (g < 0) | guaranteed
    accept &= (ins < 0) | ((pd_i <= it[0]) & (it[1] > 0))
    accept &= (fund < 0) | a["fund_ok"][np.maximum(fund, 0)].T
    live = a["open_ch"][None, :] & elig
    worth = live & (want > 0)
    posted = np.where(worth, cost, np.inf) + (amount < want - 1e-9) * a["partial_penalty"]
    written = np.where(live & accept & (amount <= room + 1e-9), posted, np.inf)
    nb = a["bank_terms"].shape[0]
    bank_price = np.array(
        [np.where(live, posted, np.inf)[:, a["ch_bank"] == b].min(axis=1, initial=np.inf) for b in range(nb)]
    ).T
    return {
        "elig": elig,
        "rate": np.where(live, rate, 0.0),  # an offer not priced is inert: 0
        "cost": np.where(live, cost, 0.0),
        "want": np.where(live, want, 0.0),
        "amount": np.where(live, amount, 0.0),
        "written": written,
        "worth": worth,
        "bank_price": bank_price,
    }


NAMES = list(inspect.signature(sim.offers.offers.py_func).parameters)  # the kernel's arguments, in order


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("guangyuan-2017", {"enterprises.scale": 0.3}),  # first-loan subsidy, red list, pledges
        ("xianning-2021", {"enterprises.scale": 0.3}),  # pledges of receivables and equity, insurers
        ("jiaxing-2017", {"enterprises.scale": 0.2, "guarantors.0.counter_guarantee": True}),
    ],
)
def test_offers_match_the_rules_written_in_numpy(name, overrides, monkeypatch):
    """Every offer of a sample of months, and the funnel of every month."""
    months: list[dict] = []
    kernel = sim.pricing.offers

    def spy(*args):
        kernel(*args)
        months.append({n: (x.copy() if isinstance(x, np.ndarray) else x) for n, x in zip(NAMES, args, strict=True)})

    monkeypatch.setattr(sim.pricing, "offers", spy)
    EcosystemModel(load_scenario(name, overrides), rng=5, burn_in_months=0).run()
    assert len(months) > 12
    checked = 0
    for a in months[:: max(len(months) // 8, 1)]:
        want = reference(a)
        rate, cost, asked, amount, written = a["out"]
        got = {"rate": rate, "cost": cost, "want": asked, "amount": amount, "written": written}
        for key, value in got.items():
            np.testing.assert_allclose(value, want[key], rtol=1e-12, atol=1e-12, err_msg=key)
        assert np.array_equal(a["worth"], want["worth"]) and np.array_equal(a["elig"], want["elig"])
        np.testing.assert_allclose(a["bank_price"], want["bank_price"], rtol=1e-12, atol=1e-12)
        assert np.array_equal(a["order"], np.argsort(a["bank_price"], axis=1, kind="stable"))
        assert np.array_equal(a["any_worth"], want["worth"].any(axis=1))
        checked += int(np.isfinite(written).sum())
    assert checked > 100, "the months checked must include accepted offers"
    for a in months:
        counts, beaten = funnel_reference(a, reference(a))
        assert np.array_equal(a["funnel"], counts) and np.array_equal(a["beaten"], beaten)


def funnel_reference(a: dict, offers: dict) -> tuple[np.ndarray, np.ndarray]:
    """The month's product funnel from the offers, in numpy (``sim.funnel``): per product, firms eligible,
    eligible while outside the window, eligible for an open channel, worth it, accepted, and cheapest accepted
    (the first channel on a tie); ``beaten[p, q]``: accepted for p, cheapest q ≠ p."""
    cp, P = a["ch_prod"], a["not_in_window"].size
    elig, written = offers["elig"], offers["written"]
    accepted = np.isfinite(written)
    best = np.where(accepted.any(axis=1), cp[np.argmin(written, axis=1)], -1)
    counts, beaten = np.zeros((6, P)), np.zeros((P, P))
    for p in range(P):
        cols = cp == p
        e, acc = elig[:, cols].any(axis=1), accepted[:, cols].any(axis=1)
        counts[:, p] = [
            e.sum(),
            (e & a["not_in_window"][p]).sum(),
            (elig[:, cols] & a["open_ch"][cols]).any(axis=1).sum(),
            offers["worth"][:, cols].any(axis=1).sum(),
            acc.sum(),
            (best == p).sum(),
        ]
        beaten[p] = np.bincount(best[acc & (best != p) & (best >= 0)], minlength=P)
    return counts, beaten


@pytest.fixture(scope="module")
def jiaxing_months() -> list[dict]:
    """The kernel's arguments in each month of a small Jiaxing run (guarantors, an insurer, a pool)."""
    months: list[list] = []
    kernel = sim.pricing.offers
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.pricing, "offers", lambda *args: (kernel(*args), months.append(list(args))))
        EcosystemModel(load_scenario("jiaxing-2017", {"enterprises.scale": 0.2}), rng=5, burn_in_months=0).run()
    return [dict(zip(NAMES, args, strict=True)) for args in months]


def writing(months: list[dict], party: int) -> list[dict]:
    """The months in which the channels of a guarantor (``party`` 0) or an insurer (1) are open, from the middle
    one outwards: each is out of business or suspended in some months."""
    some = [a for a in months if (a["open_ch"] & (a["ch_parties"][:, party] >= 0)).any()]
    assert some, "the party must write in some month"
    order = sorted(range(len(some)), key=lambda i: abs(i - len(some) // 2))
    return [some[i] for i in order]


def binding(a: dict, screen: str) -> dict:
    """``a`` with one sharer's screen tightened until it refuses some firms and the others loosened."""
    a = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
    g, ins = a["guar_terms"], a["ins_terms"]
    g[:, 0], g[:, 1], g[:, 2], ins[:, 0] = 1.0, np.inf, 0.0, 1.0  # appetite, single limit, counter, appetite
    if screen == "counter_guarantee":
        g[:, 2] = 1.0
        a["firm_terms"][2] *= 0.15  # assets
    elif screen == "single_borrower":
        g[:, 1] = np.median(a["firm_terms"][3]) * 0.5
    elif screen == "guarantor_appetite":
        g[:, 0] = 0.03
    elif screen == "insurer_appetite":
        ins[:, 0] = 0.03
    return a


@pytest.mark.parametrize("screen", ["counter_guarantee", "single_borrower", "guarantor_appetite", "insurer_appetite"])
def test_offers_match_where_each_screen_binds(jiaxing_months, screen):
    """A real month with one sharer's screen made decisive (it refuses offers the others would take)."""
    for month in writing(jiaxing_months, 1 if screen.startswith("insurer") else 0):  # one where it is decisive:
        loose, tight = binding(month, "none"), binding(month, screen)  # which sharers' channels are open (and
        decisive = np.isfinite(reference(loose)["written"]) & ~np.isfinite(reference(tight)["written"])
        if decisive.sum() > 10:  # with what shares) is the run's luck
            break
    assert decisive.sum() > 10, "the screen must refuse offers the others accept"
    sim.offers.offers(*tight.values())
    want = reference(tight)
    for key, value in zip(("rate", "cost", "want", "amount", "written"), tight["out"], strict=True):
        np.testing.assert_allclose(value, want[key], rtol=1e-12, atol=1e-12, err_msg=key)


def test_eligibility_bits_state_every_requirement():
    """``eligible_for`` on bits (``requirement_bits``, ``firm_bits``) against each requirement written out, for
    every combination of what a firm has and what a product asks — including a VC-only product, which no
    bundled plan has, and each pledge kind."""
    from itertools import product as combos

    from sim.products import eligible_for, firm_bits, requirement_bits

    kinds = 3
    rules = np.array([[*flags, pledge] for flags in combos((0, 1), repeat=4) for pledge in range(-1, kinds)])
    stage_ok = np.ones((rules.shape[0], 4), dtype=bool)
    stage_ok[::3, 2] = False
    for vc, db, ht, patents, *held in combos((0, 1), (0, 1), (0, 1), (0, 2), *[(0, 1)] * kinds):
        holds = np.array(held, dtype=bool)
        has = firm_bits(db, ht, patents, vc, holds)
        for p, (need_vc, need_db, need_ht, need_pat, pledge) in enumerate(rules):
            for stage in range(4):
                want = bool(stage_ok[p, stage]) and (not need_vc or vc) and (not need_db or db)
                want = want and (not need_ht or ht) and (not need_pat or patents > 0)
                want = want and (pledge < 0 or held[pledge])
                assert eligible_for(stage_ok, p, requirement_bits(rules, p), stage, has) == want
