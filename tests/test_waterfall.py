from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from agents.guarantor import Guarantor
from sim.accounts import Account, Ledger
from sim.kernels import within_room
from sim.model import EcosystemModel
from sim.scenario import Scenario
from sim.schema import PARTIES
from sim.waterfall import BANK, settle

POOL, GUAR, REGUAR, GOV = (PARTIES.index(p) for p in ("pool", "guarantor", "reguarantor", "government"))
NP = len(PARTIES)


def contract(loss: np.ndarray, shares: dict[str, float]) -> np.ndarray:
    return np.outer(loss, [shares.get(p, 0.0) for p in PARTIES])


def no_accounts(k: int) -> np.ndarray:
    """Role indices (bank, pool, guarantor, re-guarantor, insurer, government, vc) of ``k`` claims: bank 0, no one
    else."""
    acc = -np.ones((k, NP), dtype=np.int64)
    acc[:, BANK] = 0
    return acc


def ledger(pool=(), guar=(), ins=(), gov=None, vc=()) -> Ledger:
    """One bank and the given entities, each with its opening balance."""
    return Ledger(
        [Account("bank:b", 1e9)],
        [Account(f"pool:{i}", v) for i, v in enumerate(pool)],
        [Account(f"guarantor:{i}", v) for i, v in enumerate(guar)],
        [Account(f"insurer:{i}", v) for i, v in enumerate(ins)],
        Account("fund", 0.0 if gov is None else gov),
        [Account(f"vc:{i}", v) for i, v in enumerate(vc)],
    )


def settle_with(loss, claims, roles, led: Ledger):
    """``settle`` on a ledger's accounts; returns paid, shortfall and what each entity paid."""
    return settle(loss, claims, led.entity_ids(roles), led.funds())


# ---- settle: unit cases ------------------------------------------------------------------------------------


def test_pool_short_pays_pro_rata_and_the_bank_bears_the_rest():
    loss = np.array([12.0, 8.0])
    claims = contract(loss, {"bank": 0.5, "pool": 0.5})  # pool owes 6 + 4 = 10 but holds 5
    acc = no_accounts(2)
    acc[:, POOL] = 0
    led = ledger(pool=[5.0])
    paid, shortfall, totals = settle_with(loss, claims, acc, led)
    np.testing.assert_allclose(paid[:, POOL], [3.0, 2.0])
    np.testing.assert_allclose(paid[:, BANK], [6.0, 4.0])
    np.testing.assert_allclose(shortfall, [3.0, 2.0])
    np.testing.assert_allclose(totals[led.pool(0)], 5.0)
    np.testing.assert_allclose(paid.sum(axis=1) + shortfall, loss)


def test_pool_with_enough_funds_pays_in_full():
    loss = np.array([10.0, 30.0])
    claims = contract(loss, {"bank": 0.4, "pool": 0.6})
    acc = no_accounts(2)
    acc[:, POOL] = 0
    led = ledger(pool=[100.0])
    paid, shortfall, totals = settle_with(loss, claims, acc, led)
    np.testing.assert_allclose(paid[:, POOL], [6.0, 18.0])
    np.testing.assert_allclose(shortfall, 0.0)
    np.testing.assert_allclose(totals[led.pool(0)], 24.0)


def test_each_pool_is_rationed_on_its_own_claims():
    loss = np.array([10.0, 10.0, 10.0])
    claims = contract(loss, {"bank": 0.5, "pool": 0.5})
    acc = no_accounts(3)
    acc[:, POOL] = [0, 1, 1]  # pool 0 owes 5 and holds 100; pool 1 owes 10 and holds 2.5
    led = ledger(pool=[100.0, 2.5])
    paid, shortfall, totals = settle_with(loss, claims, acc, led)
    np.testing.assert_allclose(paid[:, POOL], [5.0, 1.25, 1.25])
    np.testing.assert_allclose(shortfall, [0.0, 3.75, 3.75])
    np.testing.assert_allclose(totals[[led.pool(0), led.pool(1)]], [5.0, 2.5])


def test_one_entity_in_two_roles_is_rationed_once_on_the_sum():
    # A guarantor that is guarantor on one loan and re-guarantor on another owes 40 + 30 = 70 and holds 35:
    # it pays half of each claim, 35 in all, never 35 per role.
    loss = np.array([100.0, 100.0])
    claims = np.zeros((2, NP))
    claims[0, GUAR], claims[0, BANK] = 40.0, 60.0
    claims[1, REGUAR], claims[1, BANK] = 30.0, 70.0
    acc = no_accounts(2)
    acc[0, GUAR] = 0
    acc[1, REGUAR] = 0
    led = ledger(guar=[35.0])
    paid, shortfall, totals = settle_with(loss, claims, acc, led)
    np.testing.assert_allclose([paid[0, GUAR], paid[1, REGUAR]], [20.0, 15.0])
    np.testing.assert_allclose(totals[led.guarantor(0)], 35.0)
    np.testing.assert_allclose(shortfall, [20.0, 15.0])


def test_several_short_parties_all_fall_back_to_the_bank():
    loss = np.array([100.0])
    claims = contract(loss, {"bank": 0.2, "pool": 0.4, "guarantor": 0.3, "government": 0.1})
    acc = no_accounts(1)
    acc[:, POOL] = 0
    acc[:, GUAR] = 0
    acc[:, GOV] = 0
    paid, shortfall, _ = settle_with(loss, claims, acc, ledger(pool=[10.0], guar=[0.0], gov=4.0))
    np.testing.assert_allclose(paid[0], [20.0, 10.0, 0.0, 0.0, 0.0, 4.0, 0.0])
    np.testing.assert_allclose(shortfall, [30.0 + 30.0 + 6.0])


def test_negative_funds_pay_nothing():
    loss = np.array([10.0])
    claims = contract(loss, {"bank": 0.5, "guarantor": 0.5})
    acc = no_accounts(1)
    acc[:, GUAR] = 0
    led = ledger(guar=[-50.0])
    paid, shortfall, totals = settle_with(loss, claims, acc, led)
    assert paid[0, GUAR] == 0.0
    np.testing.assert_allclose(shortfall, [5.0])
    np.testing.assert_allclose(totals[led.guarantor(0)], 0.0)


def test_claim_on_nobody_becomes_shortfall():
    loss = np.array([10.0])
    claims = contract(loss, {"bank": 0.5, "insurer": 0.5})
    acc = no_accounts(1)  # the insurer's column names no account
    paid, shortfall, _ = settle_with(loss, claims, acc, ledger())
    np.testing.assert_allclose(paid[0, BANK], 5.0)
    np.testing.assert_allclose(shortfall, [5.0])


def test_capped_claims_below_the_share_leave_a_shortfall():
    loss = np.array([10.0])
    claims = contract(loss, {"bank": 0.5, "pool": 0.5})
    claims[0, POOL] = 1.0  # e.g. a per-loan cap cut the pool's claim from 5 to 1
    acc = no_accounts(1)
    acc[:, POOL] = 0
    paid, shortfall, _ = settle_with(loss, claims, acc, ledger(pool=[100.0]))
    assert paid[0, POOL] == 1.0
    np.testing.assert_allclose(paid.sum() + shortfall.sum(), 10.0)


# amounts are 0 or at least 0.01 yuan; shares 0 or at least 0.1%
MONEY = st.one_of(st.just(0.0), st.floats(1e-6, 1000.0))
FRACTION = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))
FUNDS = st.one_of(st.floats(-10.0, 0.0), MONEY, st.floats(1000.0, 2000.0))


@st.composite
def settle_inputs(draw):
    k = draw(st.integers(1, 30))
    loss = draw(hnp.arrays(float, k, elements=MONEY))
    raw = draw(hnp.arrays(float, (k, NP), elements=FRACTION))
    raw[:, BANK] += 1e-3
    shares = raw / raw.sum(axis=1, keepdims=True)
    # caps (per-loan, corridor, yearly) only ever lower a claim below share × loss
    cut = draw(hnp.arrays(float, (k, NP), elements=FRACTION))
    claims = shares * loss[:, None] * np.where(draw(st.booleans()), cut, 1.0)
    claims[:, BANK] = shares[:, BANK] * loss
    n_pool, n_guar, n_ins, n_vc = (draw(st.integers(1, 3)) for _ in range(4))
    sizes = [1, n_pool, n_guar, n_guar, n_ins, 1, n_vc]  # guarantor and re-guarantor roles share the same entities
    roles = np.stack([draw(hnp.arrays(np.int64, k, elements=st.integers(-1, n - 1))) for n in sizes], axis=1)
    roles[:, BANK] = 0
    led = ledger(
        pool=draw(hnp.arrays(float, n_pool, elements=FUNDS)),
        guar=draw(hnp.arrays(float, n_guar, elements=FUNDS)),
        ins=draw(hnp.arrays(float, n_ins, elements=FUNDS)),
        gov=draw(FUNDS),
        vc=draw(hnp.arrays(float, n_vc, elements=FUNDS)),
    )
    return loss, claims, roles, led


@settings(max_examples=80, deadline=None)
@given(settle_inputs())
def test_settle_parts_plus_shortfall_equal_the_loss_and_no_entity_pays_more_than_it_holds(inputs):
    loss, claims, roles, led = inputs
    entity = led.entity_ids(roles)
    funds = led.funds()
    paid, shortfall, totals = settle(loss, claims, entity, funds)
    scale = max(1.0, float(loss.sum()))
    np.testing.assert_allclose(paid.sum(axis=1) + shortfall, loss, rtol=0, atol=1e-9 * scale)
    assert (paid >= 0).all() and (shortfall >= 0).all()
    assert (paid <= claims + 1e-12 * scale).all()
    assert (paid[entity < 0] == 0).all()
    np.testing.assert_array_equal(paid[:, BANK], claims[:, BANK])
    by_entity = np.bincount(
        np.maximum(entity, 0).ravel(), weights=np.where(entity >= 0, paid, 0).ravel(), minlength=funds.size
    )
    np.testing.assert_allclose(totals, by_entity, rtol=1e-12, atol=1e-9 * scale)
    finite = np.isfinite(funds)
    assert (totals[finite] <= np.maximum(funds[finite], 0.0) + 1e-9 * scale).all()


# ---- within_room -------------------------------------------------------------------------------------------


def test_within_room_first_come_first_served():
    keys = np.array([0, 0, 0])
    ok = within_room(keys, np.array([3.0, 3.0, 3.0]), np.array([7.0]))
    assert ok.tolist() == [True, True, False]


def test_within_room_keys_are_independent_and_negative_keys_unlimited():
    keys = np.array([1, 0, -1, 1, 0, -1, 1])
    amounts = np.array([4.0, 5.0, 1e9, 4.0, 5.0, 1e9, 4.0])
    ok = within_room(keys, amounts, np.array([9.0, 8.0]))
    assert ok.tolist() == [True, True, True, True, False, True, False]


def test_within_room_exact_fit_and_zero_room():
    assert within_room(np.array([0, 0]), np.array([2.5, 2.5]), np.array([5.0])).all()
    assert not within_room(np.array([0]), np.array([0.1]), np.array([0.0])).any()
    assert within_room(np.array([0]), np.array([0.0]), np.array([0.0])).all()
    assert within_room(np.array([], dtype=np.int64), np.array([]), np.array([1.0])).size == 0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda k: st.tuples(
            hnp.arrays(np.int64, k, elements=st.integers(-1, 3)),
            hnp.arrays(float, k, elements=st.floats(0.0, 100.0)),
            hnp.arrays(float, 4, elements=st.floats(0.0, 300.0)),
        )
    )
)
def test_within_room_never_exceeds_room_and_accepts_in_arrival_order(args):
    keys, amounts, room = args
    ok = within_room(keys, amounts, room)
    assert ok[keys < 0].all()
    for key in range(room.size):
        mine = np.flatnonzero(keys == key)
        accepted = ok[mine]
        assert amounts[mine][accepted].sum() <= room[key] + 1e-9
        if accepted.size and not accepted.all():
            first_rejected = int(np.argmin(accepted))
            # accepted applications are the first ones in arrival order: no later one jumps a rejected one
            assert not accepted[first_rejected:].any()
            # and the first rejected one would not have fitted after all earlier ones
            assert amounts[mine][: first_rejected + 1].sum() > room[key]


# ---- random scenarios through the whole model --------------------------------------------------------------

LEVERAGE_LOG: list[tuple[str, float, float]] = []
BOOK_GUARANTEES = Guarantor.book_guarantees


def checked_booking(self: Guarantor, liability_wan: float) -> None:
    """Guarantor.book_guarantees, logging the balance after booking against cap × net assets."""
    BOOK_GUARANTEES(self, liability_wan)
    if liability_wan > 0:
        LEVERAGE_LOG.append((self.name, self.balance_wan, self.p.leverage_cap * max(self.net_assets_wan, 0.0)))


@st.composite
def risk_sharing_scenarios(draw) -> dict[str, Any]:
    months = draw(st.integers(12, 24))
    pool_pct = draw(st.integers(0, 80))
    guar_pct = draw(st.integers(0, 100 - pool_pct))
    gov_pct = draw(st.integers(0, min(30, 100 - pool_pct - guar_pct)))
    ins_pct = draw(st.integers(0, 100 - pool_pct - guar_pct - gov_pct))
    bank_pct = 100 - pool_pct - guar_pct - gov_pct - ins_pct
    pool: dict[str, Any] = {
        "name": "pool",
        "initial_wan": draw(st.sampled_from([0.0, 20.0, 200.0, 1000.0, 20000.0])),
        "topup_wan": draw(st.sampled_from([0.0, 100.0])),
        "per_loan_cap_wan": draw(st.one_of(st.none(), st.floats(1.0, 200.0))),
        "per_bank_year_cap_wan": draw(st.one_of(st.none(), st.floats(10.0, 500.0))),
        "npl_corridor": draw(st.sampled_from([None, [0.0, 0.05], [0.02, 0.1]])),
        "leverage_multiple": draw(st.one_of(st.none(), st.floats(2.0, 10.0))),
        "suspend_npl_ratio": draw(st.one_of(st.none(), st.floats(0.02, 0.2))),
    }
    guarantor = {
        "name": "guar",
        "net_assets_wan": draw(st.floats(50.0, 20000.0)),
        "leverage_cap": draw(st.floats(1.0, 15.0)),
        "counter_guarantee": draw(st.booleans()),
        "max_pd": draw(st.floats(0.05, 0.5)),
        "single_borrower_share": draw(st.sampled_from([0.1, 1.0])),
    }
    insurer = {"name": "ins", "capital_wan": draw(st.sampled_from([10.0, 500.0, 50000.0]))}
    # Sometimes the guarantor is also the re-guarantor of a second product: one entity in two roles.
    two_roles = draw(st.booleans())
    guarantor["reguarantor"] = two_roles
    shares = {
        "bank": bank_pct / 100,
        "pool": pool_pct / 100,
        "guarantor": guar_pct / 100,
        "insurer": ins_pct / 100,
        "government": gov_pct / 100,
    }
    n_banks = draw(st.integers(1, 2))
    banks = [{"name": f"bank{i}"} for i in range(n_banks)]
    products = [
        {
            "name": "shared",
            "banks": [b["name"] for b in banks],
            "pool": "pool",
            "guarantor": "guar",
            "insurer": "ins",
            "shares": shares,
            "guarantee_fee_rate": draw(st.sampled_from([0.0, 0.01, 0.02])),
            "interest_subsidy_share": draw(st.sampled_from([0.0, 0.5])),
        }
    ]
    if draw(st.booleans()):
        products.append({"name": "credit", "banks": [banks[0]["name"]]})
    guarantors = [guarantor]
    if two_roles:
        guarantors.append({"name": "guar2", "net_assets_wan": 20000.0, "counter_guarantee": False})
        products.append(
            {
                "name": "reguaranteed",
                "banks": [b["name"] for b in banks],
                "guarantor": "guar2",
                "reguarantor": "guar",
                "shares": {"bank": 0.2, "guarantor": 0.3, "reguarantor": 0.5},
                "guarantee_fee_rate": 0.01,
                "reguarantee_fee_rate": 0.004,
            }
        )
    data: dict[str, Any] = {
        "name": "hypothesis",
        "start": "2018-01",
        "horizon_months": months,
        "enterprises": {
            "initial_count": draw(st.integers(200, 500)),
            "default_correlation": draw(st.sampled_from([0.0, 0.2])),
        },
        "banks": banks,
        "guarantors": guarantors,
        "insurers": [insurer],
        "government": {"annual_budget_wan": draw(st.sampled_from([0.0, 5.0, 50.0, 300.0])), "pools": [pool]},
        "products": products,
    }
    multiplier = draw(st.floats(1.0, 6.0))
    if draw(st.booleans()):
        data["macro"] = {"shocks": [{"start": "2018-01", "months": months, "pd_multiplier": multiplier}]}
    else:
        base = {"seed": 0.08, "startup": 0.05, "growth": 0.03, "mature": 0.015}
        data["enterprises"]["annual_pd"] = {k: min(v * multiplier, 0.9) for k, v in base.items()}
    data["seed"] = draw(st.integers(0, 2**31))
    return data


def run_checked(data: dict[str, Any]) -> tuple[EcosystemModel, pd.DataFrame, pd.DataFrame]:
    data = dict(data)
    seed = data.pop("seed")
    LEVERAGE_LOG.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Guarantor, "book_guarantees", checked_booking)
        model = EcosystemModel(Scenario.model_validate(data), rng=seed)
        start = {g.name: g.net_assets_wan for g in model.guarantors} | {
            p.name: p.balance_wan for p in model.government.pools
        }
        result = model.run()
    check_invariants(model, result.monthly, result.institutions, start)
    return model, result.monthly, result.institutions


def check_invariants(model: EcosystemModel, mo: pd.DataFrame, inst: pd.DataFrame, start: dict[str, float]) -> None:
    """Invariants of docs/model.md §13; ``start`` holds guarantor net assets and pool balances after set-up."""
    assert model.conservation_error_wan < 1e-6
    parts = mo[[f"loss_{p}_wan" for p in PARTIES]].sum(axis=1) + mo["shortfall_wan"]
    np.testing.assert_allclose(parts, mo["loss_wan"], rtol=1e-9, atol=1e-6)
    assert (mo["shortfall_wan"] >= 0).all()
    np.testing.assert_allclose(mo["loss_pool_wan"], mo["pool_payouts_wan"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(mo["loss_government_wan"], mo["spend_loss_share_wan"], rtol=1e-9, atol=1e-6)
    assert (mo["pool_balance_wan"] >= 0).all()
    assert (mo["budget_left_wan"] >= 0).all()
    pools = inst[inst["kind"] == "pool"]
    assert (pools["balance_wan"] >= 0).all()
    for name, rows in pools.groupby("name"):
        bal = rows["balance_wan"].to_numpy()
        prev = np.r_[start[name], bal[:-1]]
        np.testing.assert_allclose(bal, prev + rows["topup_wan"] - rows["payouts_wan"], rtol=1e-9, atol=1e-6)
    assert (inst.loc[inst["kind"] == "government", "budget_left_wan"] >= 0).all()
    insurers = inst[inst["kind"] == "insurer"]
    assert insurers.empty or (insurers["capital_wan"] >= 0).all()
    both = inst[inst["kind"].isin(["guarantor", "reguarantor"])]  # an entity may claim in both roles
    if both.empty:
        assert (mo["loss_guarantor_wan"] + mo["loss_reguarantor_wan"] == 0).all()
    else:
        claims = both.groupby("month")["claims_wan"].sum().reindex(mo["month"], fill_value=0.0).to_numpy()
        np.testing.assert_allclose(claims, mo["loss_guarantor_wan"] + mo["loss_reguarantor_wan"], rtol=1e-9, atol=1e-6)
    for kind in ("guarantor", "reguarantor"):
        guar = inst[inst["kind"] == kind]
        if guar.empty:
            continue
        assert (guar["net_assets_wan"] >= 0).all()
        for name, rows in guar.groupby("name"):
            cap = next(g.p.leverage_cap for g in model.guarantors if g.name == name)
            bal = rows["guarantee_balance_wan"].to_numpy()
            na_prev = np.r_[start[name], rows["net_assets_wan"].to_numpy()[:-1]]
            bal_prev = np.r_[0.0, bal[:-1]]
            # the balance grows only by new guarantees, written within cap × the net assets they were written on
            grown = bal > np.maximum(cap * na_prev, bal_prev) + 1e-6
            assert not grown.any(), (
                f"{kind} {name} wrote beyond its leverage cap in months {rows['month'][grown].tolist()}"
            )
    over = [(n, b, c) for n, b, c in LEVERAGE_LOG if b > c + 1e-6]
    assert not over, f"guarantees booked beyond the leverage cap: {over[:3]}"
    check_accounts(model, mo)


def check_accounts(model: EcosystemModel, mo: pd.DataFrame) -> None:
    """Money by entity (docs/model.md §6): every account's closing balance is its opening plus its flows; what
    each entity paid on defaults is what the waterfall said it paid (every party, insurer and re-guarantor
    included); no entity but a bank holds less than zero; transfers between entities net to zero."""
    accounts = model.ledger.accounts
    for a in accounts:
        assert abs(a.drift()) < 1e-6 * max(1.0, abs(a.opening)), f"{a.name}: balance moved outside its flows"
        if not a.name.startswith("bank:"):
            assert a.balance >= -1e-6, f"{a.name} holds {a.balance:.6g} < 0"

    def paid(prefix: str, kind: str) -> float:
        return sum(a.paid.get(kind, 0.0) for a in accounts if a.name.startswith(prefix))

    def received(prefix: str, kind: str) -> float:
        return sum(a.received.get(kind, 0.0) for a in accounts if a.name.startswith(prefix))

    tol = 1e-6 * max(1.0, float(mo["loss_wan"].sum()))
    assert paid("pool:", "payout") == pytest.approx(mo["loss_pool_wan"].sum(), abs=tol)
    assert paid("insurer:", "claim") == pytest.approx(mo["loss_insurer_wan"].sum(), abs=tol)
    both_roles = mo["loss_guarantor_wan"].sum() + mo["loss_reguarantor_wan"].sum()
    assert paid("guarantor:", "claim") == pytest.approx(both_roles, abs=tol)
    assert paid("fund", "loss_share") == pytest.approx(mo["loss_government_wan"].sum(), abs=tol)
    assert paid("vc:", "claim") == pytest.approx(mo["loss_vc_wan"].sum(), abs=tol)
    assert paid("bank:", "loss") == pytest.approx(mo["loss_bank_wan"].sum(), abs=tol)
    assert paid("bank:", "shortfall") == pytest.approx(mo["shortfall_wan"].sum(), abs=tol)
    # In total: what every entity paid on defaults is the loss itself.
    on_defaults = sum(
        paid(p, k)
        for p, k in (
            ("pool:", "payout"),
            ("insurer:", "claim"),
            ("guarantor:", "claim"),
            ("fund", "loss_share"),
            ("vc:", "claim"),
            ("bank:", "loss"),
            ("bank:", "shortfall"),
        )
    )
    assert on_defaults == pytest.approx(mo["loss_wan"].sum(), abs=tol)
    # Transfers between entities: re-guarantee fees, rewards to banks, stop-loss to insurers.
    refees = received("guarantor:", "reguarantee_fee")
    assert paid("guarantor:", "reguarantee_fee") == pytest.approx(refees, abs=tol)
    assert paid("fund", "bank_reward") == pytest.approx(received("bank:", "reward"), abs=tol)
    assert paid("fund", "stoploss") == pytest.approx(received("insurer:", "stoploss"), abs=tol)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(risk_sharing_scenarios())
def test_random_scenarios_conserve_loss_and_respect_limits(data):
    run_checked(data)


def test_stress_scenario_hits_every_limit_and_keeps_the_invariants():
    data = {
        "name": "stress",
        "start": "2018-01",
        "horizon_months": 24,
        "enterprises": {"initial_count": 500},
        "banks": [{"name": "bank", "loss_weight": 0.2}],
        "guarantors": [{"name": "guar", "net_assets_wan": 300.0, "leverage_cap": 3.0, "counter_guarantee": False}],
        "government": {"annual_budget_wan": 10.0, "pools": [{"name": "pool", "initial_wan": 150.0}]},
        "products": [
            {
                "name": "shared",
                "banks": ["bank"],
                "pool": "pool",
                "guarantor": "guar",
                "shares": {"bank": 0.2, "pool": 0.4, "guarantor": 0.3, "government": 0.1},
            }
        ],
        "macro": {"shocks": [{"start": "2018-01", "months": 24, "pd_multiplier": 5.0}]},
        "seed": 11,
    }
    model, mo, inst = run_checked(data)
    pool = model.government.pools[0]
    assert pool.depleted_month is not None
    assert mo["shortfall_wan"].sum() > 0
    assert mo["loss_pool_wan"].sum() == pytest.approx(150.0)
    assert model.government.exhausted_months
    assert mo["loss_guarantor_wan"].sum() > 0
    assert LEVERAGE_LOG, "no guarantee was booked"

    # How near its cap the guarantor comes is the run's luck (a peak of 1.5–3.5× its net assets over seeds 0–15
    # against a cap of 3×): within three seeds (the invariants checked on each run) it comes near it.
    def near_cap(inst: pd.DataFrame) -> bool:
        return bool((inst.loc[inst["kind"] == "guarantor", "leverage"] > 0.8 * 3.0).any())

    runs = (inst, *(run_checked(data | {"seed": seed})[2] for seed in (12, 13)))
    assert any(near_cap(x) for x in runs), "the guarantor never came near its leverage cap"


def test_covered_lending_can_start_from_an_empty_book():
    # no initial loan stock: the pool's covered balance is first trued up from an empty book
    data = {
        "name": "empty-book",
        "horizon_months": 6,
        "enterprises": {"initial_count": 300, "initial_borrower_share": 0.0},
        "burn_in_months": 0,
        "government": {"pools": [{"name": "pool", "initial_wan": 5000.0}]},
        "products": [{"name": "covered", "banks": ["bank"], "pool": "pool", "shares": {"bank": 0.5, "pool": 0.5}}],
        "seed": 1,
    }
    _, mo, inst = run_checked(data)
    assert mo["new_loans_wan"].sum() > 0
    covered = inst.loc[inst["kind"] == "pool", "covered_balance_wan"].to_numpy()
    np.testing.assert_allclose(covered, mo["tech_loan_balance_wan"].to_numpy(), rtol=1e-9)


def test_reguarantor_leverage_cap_binds_at_origination():
    data = {
        "name": "reguarantee",
        "horizon_months": 12,
        "enterprises": {"initial_count": 500},
        "guarantors": [
            {"name": "guar", "net_assets_wan": 20000.0, "counter_guarantee": False},
            {"name": "re", "reguarantor": True, "net_assets_wan": 100.0, "leverage_cap": 2.0},
        ],
        "products": [
            {
                "name": "guaranteed",
                "banks": ["bank"],
                "guarantor": "guar",
                "reguarantor": "re",
                "shares": {"bank": 0.2, "guarantor": 0.4, "reguarantor": 0.4},
            }
        ],
        "seed": 1,
    }
    _, mo, _ = run_checked(data)
    assert mo["new_loans_wan"].sum() > 0
