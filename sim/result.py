"""Run results: the monthly table, the institutions table and the run-level summary (docs/model.md §12)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import metrics, tables
from sim.calendar import YearMonth
from sim.targets import check_targets, count_states

if TYPE_CHECKING:
    from sim.model import EcosystemModel

#: The run summary's single-number figures (what a calibration target or an experiment outcome may name); the
#: registry (``sim.metrics``) defines them.
SCALARS: tuple[str, ...] = metrics.scalars()


@dataclass
class RunResult:
    """What one run produced. ``monthly``: one row per simulated month (``date`` is the month end);
    ``institutions``: one row per month × bank / guarantor / insurer / pool / fund; ``summary``: run figures."""

    monthly: pd.DataFrame
    institutions: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def with_baseline(self, baseline: RunResult, without_fiscal: RunResult | None = None) -> RunResult:
        """Fill the additionality figures (docs/model.md §7) from paired runs under the same seed.

        Args:
            baseline: The same region without any policy (``without_policy``).
            without_fiscal: The same region with only the free regulatory levers (``without_fiscal``); when
                given, the additional balance is split into what the fiscal instruments and what the regulatory
                levers add, and ``fiscal_credit_per_public_wan`` credits public money with the fiscal part only.

        Additionality is measured on balances: the paired difference in average outstanding tech credit over
        the run and in the end balance. New lending (which counts every rollover) is reported as a difference
        but never called additional.
        """
        s, cost = self.summary, self.summary["net_public_cost_wan"]
        extra = _mean_gap(self.monthly, baseline.monthly)
        s["additional_balance_avg_wan"] = extra
        s["additional_balance_end_wan"] = s["credit_balance_end_wan"] - baseline.summary["credit_balance_end_wan"]
        s["baseline_balance_end_wan"] = baseline.summary["credit_balance_end_wan"]
        s["new_lending_diff_wan"] = s["new_credit_wan"] - baseline.summary["new_credit_wan"]
        s["credit_per_public_wan"] = extra / cost if cost > 0 else None
        covered = s["covered_balance_avg_wan"]
        s["additionality_ratio"] = extra / covered if covered > 0 else None
        s["substitution_share"] = 1.0 - extra / covered if covered > 0 else None
        if without_fiscal is not None:
            regulatory = _mean_gap(without_fiscal.monthly, baseline.monthly)
            s["additional_balance_avg_regulatory_wan"] = regulatory
            s["additional_balance_avg_fiscal_wan"] = extra - regulatory
            s["fiscal_credit_per_public_wan"] = (extra - regulatory) / cost if cost > 0 else None
        return self


def _mean_gap(policy: pd.DataFrame, baseline: pd.DataFrame) -> float:
    """Average over the run of the paired difference in outstanding tech credit, 万元."""
    gap = policy["tech_loan_balance_wan"].to_numpy() - baseline["tech_loan_balance_wan"].to_numpy()
    return float(gap.mean())


def build_result(m: EcosystemModel) -> RunResult:
    """Assemble tables and summary from a model that has run."""
    monthly, start_row = tables.monthly_frame(m.datacollector.model_vars)
    inst = tables.institutions_frame(*m.recorder.institution_records())
    return RunResult(monthly, inst, summarise(m, monthly, start_row))


def _num(x: Any) -> Any:
    if isinstance(x, (np.floating, np.integer)):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def summarise(m: EcosystemModel, mo: pd.DataFrame, start_row: Mapping[str, Any]) -> dict[str, Any]:
    """Run-level figures: credit growth, fiscal leverage, depletion, guarantor claims, targets."""
    balance0 = float(start_row["tech_loan_balance_wan"])
    months = len(mo)

    def last(name: str) -> Any:  # the metric's value in the last month
        return mo[name].to_numpy()[-1]

    bal_end = float(last("tech_loan_balance_wan"))
    balances, labels = mo["tech_loan_balance_wan"].to_numpy(), mo["month_label"].tolist()
    year_end = {lbl[:4]: float(v) for lbl, v in zip(labels, balances, strict=True) if lbl.endswith("-12")}
    year_end.setdefault(str(labels[-1])[:4], bal_end)
    spend = float(last("fiscal_spending_cum_wan"))
    new_credit = float(last("new_loans_cum_wan"))
    pools = {
        p.name: {
            "depleted": p.depleted_month is not None,
            "depletion_month": p.depleted_month,
            "months_to_depletion": (
                m.start.months_until(YearMonth.parse(p.depleted_month)) + 1 if p.depleted_month else None
            ),
            "balance_end_wan": p.balance_wan,
            "payouts_wan": float(_payouts(m, p.name)),
        }
        for p in m.government.pools
    }
    depl = sorted((v["months_to_depletion"], v["depletion_month"]) for v in pools.values() if v["depleted"])
    gs = [g for g in m.guarantors if not g.p.reguarantor]
    g_bal = mo["guarantee_balance_wan"].mean()
    summary = {
        "scenario": m.s.name,
        "title": m.s.title,
        "seed": _num(m.seed) if not hasattr(m.seed, "spawn") else None,
        "start": str(m.start),
        "end": str(mo["month_label"].iloc[-1]),
        "months": months,
        "credit_balance_start_wan": balance0,
        "credit_balance_end_wan": bal_end,
        "year_end_balance_wan": year_end,
        "credit_cagr": (bal_end / balance0) ** (12 / months) - 1 if balance0 > 0 else None,
        "new_credit_wan": new_credit,
        "borrowers_end": int(last("borrowers")),
        "first_loan_firms": int(last("first_loan_firms_cum")),
        "firms_served": int(last("firms_served_cum")),
        "npl_ratio_end": float(last("npl_ratio")),
        "avg_cost_rate_mean": _num(mo["avg_cost_rate"].mean()),
        "start_scale": m.start_scale,
        "net_public_cost_wan": spend,
        "covered_balance_avg_wan": float(mo["covered_loan_balance_wan"].mean()),
        "policy_balance_avg_wan": float(mo["policy_loan_balance_wan"].mean()),
        "gross_lending_per_public_wan": new_credit / spend if spend > 0 else None,
        "policy_new_credit_wan": float(last("policy_new_loans_cum_wan")),
        "policy_lending_per_public_wan": float(last("policy_new_loans_cum_wan")) / spend if spend > 0 else None,
        "additional_balance_avg_wan": None,
        "additional_balance_end_wan": None,
        "credit_per_public_wan": None,
        "fiscal_credit_per_public_wan": None,
        "additionality_ratio": None,
        "substitution_share": None,
        **vintage_defaults(m),
        "pools": pools,
        "pool_depleted": bool(depl),
        "pool_depletion_month": depl[0][1] if depl else None,
        "pool_months_to_depletion": depl[0][0] if depl else None,
        "pool_balance_end_wan": float(last("pool_balance_wan")),
        "guarantor_claims_rate": (sum(g.claims_total_wan for g in gs) / g_bal * 12 / months) if g_bal > 0 else None,
        "guarantor_leverage_max": _num(mo["guarantor_leverage"].max()) if gs else None,
        "guarantor_net_assets_end_wan": sum(g.net_assets_wan for g in gs) if gs else None,
        "guarantor_insolvent": any(g.insolvent_month is not None for g in gs),
        "guarantors": {
            g.name: {
                "reguarantor": g.p.reguarantor,
                "insolvent": g.insolvent_month is not None,
                "insolvent_month": g.insolvent_month,
                "months_to_insolvency": (
                    m.start.months_until(YearMonth.parse(g.insolvent_month)) + 1 if g.insolvent_month else None
                ),
                "net_assets_end_wan": g.net_assets_wan,
                "claims_wan": g.claims_total_wan,
            }
            for g in m.guarantors
        },
        "budget_exhausted_months": list(m.government.exhausted_months),
        "listings": int(last("listings_cum")),
        "patents_end": float(last("patents")),
        "rd_spending_wan": float(mo["rd_spending_wan"].sum()),
        "firms_alive_end": int(last("firms_alive")),
        "conservation_error_wan": m.conservation_error_wan,
        "products": m.funnel.summary(),
    }
    summary["scale"] = m.scale
    summary["targets"] = check_targets(m.s.targets, mo, start_row, m.scale)
    summary |= count_states(summary["targets"])
    return {k: _num(v) for k, v in summary.items()}


def _payouts(m: EcosystemModel, name: str) -> float:
    """Payouts of the pool ``name`` over the run, summed in the institutions table's order."""
    _, by_month, reports_by_month = m.recorder.institution_records()
    return sum(
        report["payouts_wan"]
        for kinds, reports in zip(by_month, reports_by_month, strict=True)
        for (kind, pool), report in zip(kinds, reports, strict=True)
        if pool == name and kind == "pool"
    )


def vintage_defaults(m: EcosystemModel) -> dict[str, float | None]:
    """Who borrowed under policy and how they fared: of the firms whose first loan in the run was written in its
    first 12 months, the share that defaulted within 12 and within 24 months of it, for loans written under a
    policy product and without one (Cowan, Drexler & Yañez 2015 compare guaranteed and other loans this way)."""
    pop, n = m.pop, m.pop.n
    v, d = pop.vintage_month[:n], pop.default_month[:n]
    cohort = (v >= 1) & (v <= 12)
    out: dict[str, float | None] = {}
    for name, sel in (("policy", cohort & pop.vintage_policy[:n]), ("plain", cohort & ~pop.vintage_policy[:n])):
        for months in (12, 24):
            seen = sel & (v + months <= m.month)  # only cohorts observed for the whole window
            hit = seen & (d >= v) & (d < v + months)
            out[f"{name}_borrower_default_rate_{months}m"] = float(hit.sum() / seen.sum()) if seen.any() else None
        out[f"{name}_borrowers_year1"] = int(sel.sum())
    return out
