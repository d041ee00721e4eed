"""Monthly series: flows recorded by the phases, stocks read off the state, one row per month.

Reporters are named (picklable) functions so runs travel to worker processes; Mesa's DataCollector stores
the rows, which is also what ``mesa.batch_run`` reads.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim import kernels, metrics, tables
from sim.schema import STAGES
from sim.schema_instruments import PLEDGES

if TYPE_CHECKING:
    from sim.model import EcosystemModel

FLOWS: tuple[str, ...] = metrics.of_kind("flow")
CUMULATIVE: dict[str, str] = metrics.cumulative()
STOCKS: tuple[str, ...] = (*metrics.INDEX_COLUMNS, *metrics.of_kind("stock"))
#: Balances by kind of loan (``_balances``): borrower VC-backed, kinds of product, kinds of lender.
BALANCES: tuple[str, ...] = (
    "vc_linked_loan_balance_wan",
    "ip_pledge_loan_balance_wan",
    "policy_loan_balance_wan",
    "covered_loan_balance_wan",
    *(f"{k}_pledge_loan_balance_wan" for k in PLEDGES),
    "microcredit_loan_balance_wan",
    "leasing_balance_wan",
)
#: The monthly table's columns: ``month``, ``date`` and every monthly metric of the registry (``sim.metrics``).
METRICS: tuple[str, ...] = (*metrics.INDEX_COLUMNS, *metrics.monthly())


class MonthlyRecorder:
    """Collects the month's flows from the phases and assembles the month's row and institution rows."""

    def __init__(self, model: EcosystemModel) -> None:
        self.m = model
        self.flows: dict[str, float] = dict.fromkeys(FLOWS, 0.0)
        self.cum: dict[str, float] = dict.fromkeys(CUMULATIVE, 0.0)
        self.row: dict[str, float | str] = {}
        # The institutions table, recorded month by month: the month and its label, (kind, name) of each
        # institution (the same list object while they stay the same) and their reports, one flat list. Nothing
        # here is a new container per month beyond what the month reports, so recording adds no work for the
        # garbage collector (a run that keeps containers triggers collections of the whole heap).
        self.inst_months: list[int] = []
        self.inst_labels: list[str] = []
        self.inst_kinds: list[list[tuple[str, str]]] = []
        self.inst_reports: list[dict] = []
        self.kinds: tuple[np.ndarray, np.ndarray] | None = None  # the masks of _balances (fixed for a run)

    def start_month(self) -> None:
        """Zero the flows."""
        self.flows = dict.fromkeys(FLOWS, 0.0)

    def add(self, values: dict[str, float]) -> None:
        """Add flow values reported by a phase (``avg_cost_rate`` is a level, stored as given)."""
        for k, v in values.items():
            self.flows[k] = self.flows.get(k, 0.0) + v if k != "avg_cost_rate" else v

    def close_month(self) -> None:
        """Build this month's row from flows and state, and the per-institution rows."""
        m = self.m
        row: dict = {k: self.flows.get(k, 0.0) for k in FLOWS}
        row["tech_finance_wan"] = row["policy_new_loans_wan"] + row["vc_investment_wan"] + row["direct_finance_wan"]
        row.update(_stocks(m, self.flows))
        for cum, flow in CUMULATIVE.items():
            self.cum[cum] += row[flow]
            row[cum] = self.cum[cum]
        row["listings_ipo_cum"] = row["listings_cum"] - row["listings_neeq_cum"]
        self.row = row
        if m.month > 0:
            agents = _institutions(m)
            kinds = [(kind, name) for kind, name, _ in agents]
            last = self.inst_kinds[-1] if self.inst_kinds else None
            self.inst_kinds.append(last if kinds == last else kinds)
            self.inst_months.append(m.month)
            self.inst_labels.append(m.label)
            self.inst_reports.extend(x.report() for _, _, x in agents)

    def institution_records(self) -> tuple[list[tuple[int, str]], list[list[tuple[str, str]]], list[list[dict]]]:
        """The institutions table as recorded: (month, label) of each month, (kind, name) of each institution by
        month, and the reports by month (``sim.tables.institutions_frame``)."""
        reports, i = [], 0
        for kinds in self.inst_kinds:
            reports.append(self.inst_reports[i : i + len(kinds)])
            i += len(kinds)
        return list(zip(self.inst_months, self.inst_labels, strict=True)), self.inst_kinds, reports

    @property
    def institutions(self) -> list[dict]:
        """The institutions table's rows so far (month, date label, kind, name and the institution's report)."""
        return tables.institution_rows(*self.institution_records())


def _stocks(m: EcosystemModel, flows: dict[str, float]) -> dict[str, float | str]:
    pop = m.pop
    rec = m.recorder
    if rec.kinds is None:
        rec.kinds = _balance_kinds(m)
    bal, by_kind = _balances(m, *rec.kinds)
    gov = m.government
    gs = [g for g in m.guarantors if not g.p.reguarantor]
    rs = [g for g in m.guarantors if g.p.reguarantor]
    g_assets = sum(g.net_assets_wan for g in gs)
    g_bal = sum(g.balance_wan for g in gs)
    bad = sum(bk.defaults_12m.sum() for bk in m.banks)
    prem = sum(i.premium_month_wan + i.tech_premium_month_wan for i in m.insurers)
    claims = sum(i.claims_month_wan + i.tech_claims_month_wan for i in m.insurers)
    p12 = sum(i.premiums_12m.sum() for i in m.insurers)
    c12 = sum(i.claims_12m.sum() for i in m.insurers)
    census = pop.census()
    spend = {f"spend_{k}_wan": v for k, v in gov.spent_month.items()}
    out = {
        "month": m.month,
        "date": m.label,
        "lpr_rate": m.lpr,
        "tech_loan_balance_wan": bal,
        "borrowers": int(census["borrowers"]),  # a firm holds at most one loan
        "firms_served_cum": int(census["served"]),
        "approval_rate": flows["approvals"] / flows["applications"] if flows["applications"] else np.nan,
        "avg_cost_rate": flows.get("avg_cost_rate", np.nan),
        "avg_cost_over_lpr_rate": flows.get("avg_cost_rate", np.nan) - m.lpr,
        "npl_ratio": bad / (bal + bad) if bad > 0 else 0.0,
        "pool_balance_wan": float(sum(p.balance_wan for p in gov.pools)),
        "pool_payouts_wan": sum(p.payout_month_wan for p in gov.pools),
        "guarantor_net_assets_wan": g_assets,
        "guarantor_paid_in_capital_wan": sum(g.paid_in_wan for g in gs),
        "guarantee_balance_wan": g_bal,
        "guarantor_leverage": g_bal / g_assets if g_assets > 0 else (np.inf if g_bal > 0 else 0.0),
        "reguarantor_net_assets_wan": sum(g.net_assets_wan for g in rs),
        "insurer_premiums_wan": prem,
        "insurer_claims_wan": claims,
        "insurer_loss_ratio": c12 / p12 if p12 > 0 else 0.0,
        "tech_insurance_premium_wan": sum(i.tech_premium_month_wan for i in m.insurers),
        **spend,
        "fiscal_spending_wan": gov.spending_month_wan(),
        "budget_left_wan": gov.budget_left_wan,
        "patents": float(census["patents"]),  # whole numbers: exact in any order
        "firms_alive": int(census["alive"]),
        **{f"firms_{s}": int(c) for s, c in zip(STAGES, census["stages"], strict=True)},
        **by_kind,
        "tech_finance_firms_cum": int(census["tf_served"]),
    }
    return out | _instrument_stocks(m)


def _balance_kinds(m: EcosystemModel) -> tuple[np.ndarray, np.ndarray]:
    """The kinds of ``BALANCES``: products × (IP pledge, policy, covered, each pledge) and banks × (microcredit,
    lessor) masks."""
    pr = m.products
    kinds = np.array([bk.p.kind for bk in m.banks])
    by_product = np.array(
        [pr.ip_pledge, pr.policy, pr.shares[:, 0] < 1.0, *(pr.pledge == j for j in range(len(PLEDGES)))]
    )
    return by_product, np.array([kinds == "microcredit", kinds == "lessor"])


def _balances(m: EcosystemModel, by_product: np.ndarray, by_bank: np.ndarray) -> tuple[float, dict[str, float]]:
    """The open book's balance and its balances by kind of loan (VC-backed borrower, kinds of product and of
    lender), each summed as numpy sums the masked principals, in one compiled pass (``kernels.balances_by_kind``)."""
    b, n = m.book, m.book.n
    total, *sums = kernels.balances_by_kind(
        b.principal[:n], b.active[:n], b.firm[:n], b.product[:n], b.bank[:n], m.pop.vc_backed, by_product, by_bank
    ).tolist()
    return total, dict(zip(BALANCES, sums, strict=True))


def _instrument_stocks(m: EcosystemModel) -> dict[str, float]:
    """The issue-10 instruments' stocks beyond the balances: funds' cover, red list."""
    inst, red = getattr(m, "market", None) and m.market.inst, 0.0
    if inst is not None and inst.red_list_active():
        red = float(inst.red_listed(np.flatnonzero(m.pop.alive[: m.pop.n])).sum())
    return {"vc_fund_covered_balance_wan": float(sum(v.covered_wan for v in m.ventures)), "red_list_firms": red}


def _institutions(m: EcosystemModel) -> list[tuple[str, str, Any]]:
    """(kind, name, agent) of every institution with rows in the institutions table, in the table's order."""
    out: list[tuple[str, str, Any]] = [("bank", x.name, x) for x in m.banks]
    out += [("reguarantor" if x.p.reguarantor else "guarantor", x.name, x) for x in m.guarantors]
    out += [("insurer", x.name, x) for x in m.insurers]
    out += [("pool", x.name, x) for x in m.government.pools]
    out += [("vc_fund", x.name, x) for x in m.ventures]
    out.append(("government", "special fund", m.government))
    return out


def read_metric(name: str, model: EcosystemModel) -> float | str:
    """Reporter: the value of metric ``name`` in the model's current row."""
    return model.recorder.row[name]


class RowCollector(mesa.DataCollector):
    """Mesa's DataCollector with one named reporter per metric, fed the month's row (``MonthlyRecorder.row``) at
    once: the same ``model_vars`` as calling each reporter, without ~90 calls and deep copies of a number a month
    (the values are numbers and strings, which need no copy)."""

    def collect(self, model: EcosystemModel) -> None:
        """Append this month's value of every metric, and (Mesa 3.5) the model time, which ``mesa.batch_run``
        reads to find each collected step."""
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        row = model.recorder.row
        for var, values in self.model_vars.items():
            values.append(row[var])


def make_datacollector() -> mesa.DataCollector:
    """A DataCollector with one named reporter per metric."""
    return RowCollector(model_reporters={k: partial(read_metric, k) for k in METRICS})
