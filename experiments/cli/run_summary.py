"""The readable summary ``techfin run`` prints of one run: credit, additionality, risk, idle instruments and the
plan's targets, amounts in 亿元 / 万元 by ``experiments.report.fmt`` (imported when a summary is printed)."""

from __future__ import annotations

from typing import Any


def yi(wan: float | None) -> str:
    """万元 as a readable amount in 亿元 or 万元."""
    from experiments.report.fmt import scale_of

    return scale_of("money", [wan]).text(wan, "en")


def pct(x: float | None) -> str:
    """A share as a percentage."""
    from experiments.report.fmt import scale_of

    return scale_of("pct").text(x, "en")


def times(x: float | None) -> str:
    """A multiple such as a leverage."""
    from experiments.report.fmt import scale_of

    return scale_of("times").text(x, "en")


def format_summary(s: dict[str, Any]) -> str:
    """The run summary a planner reads first."""
    lines = [
        f"{s['scenario']}  {s.get('title', '')}".rstrip(),
        f"  period          {s['start']} → {s['end']} ({s['months']} months), seed {s['seed']}",
        f"  region scale    {scale_text(s.get('scale', 1.0))}",
    ]
    lines += _credit_lines(s)
    lines.append(f"  net public cost {yi(s['net_public_cost_wan'])}")
    if s.get("additional_balance_avg_wan") is not None:
        lines += _additionality_lines(s)
    lines += _risk_lines(s) + _idle_lines(s) + format_targets(s)
    return "\n".join(lines)


def _credit_lines(s: dict[str, Any]) -> list[str]:
    """Tech-loan balance by year end, growth, new credit, borrowers, NPL and cost, and each pool."""
    lines = ["  tech-loan balance at year end:"]
    lines += [f"    {y}          {yi(v)}" for y, v in s["year_end_balance_wan"].items()]
    cagr = s["credit_cagr"]
    lines += [
        f"  start balance   {yi(s['credit_balance_start_wan'])}   CAGR {pct(cagr)}",
        (
            f"  new credit      {yi(s['new_credit_wan'])}   borrowers at end {s['borrowers_end']:,}"
            f"   first-loan firms {s['first_loan_firms']:,}"
        ),
        f"  NPL ratio (end) {pct(s['npl_ratio_end'])}   mean all-in cost {pct(s['avg_cost_rate_mean'])}",
    ]
    for name, p in s["pools"].items():
        when = f"depleted {p['depletion_month']}" if p["depleted"] else "not depleted"
        lines.append(f"  pool {name}: balance {yi(p['balance_end_wan'])}, paid {yi(p['payouts_wan'])}, {when}")
    return lines


def _additionality_lines(s: dict[str, Any]) -> list[str]:
    """Balance above the same region without the policy, per 万 of public cost, and its split (paired runs)."""
    lines = [
        (
            f"  additionality   average balance {yi(s['additional_balance_avg_wan'])} above the same region"
            f" without the policy (same seed); end balance {yi(s['additional_balance_end_wan'])} above"
        ),
        (
            f"  credit per 万   {times(s['credit_per_public_wan'])} of additional average balance per 万 of net"
            " public cost"
        ),
    ]
    if s.get("fiscal_credit_per_public_wan") is not None:
        lines.append(
            f"    of which      fiscal instruments {yi(s['additional_balance_avg_fiscal_wan'])}"
            f" ({times(s['fiscal_credit_per_public_wan'])} per 万), free regulatory levers"
            f" {yi(s['additional_balance_avg_regulatory_wan'])}"
        )
    if s.get("additionality_ratio") is not None:
        lines.append(
            f"  covered loans   average {yi(s['covered_balance_avg_wan'])}; additional per unit covered"
            f" {s['additionality_ratio']:.2f}, the rest substitution"
        )
    return lines


def _risk_lines(s: dict[str, Any]) -> list[str]:
    """Borrower defaults with and without the policy, gross lending, the budget and the guarantors."""
    lines = []
    for who in ("policy", "plain"):
        rate = s.get(f"{who}_borrower_default_rate_24m")
        if rate is not None:
            label = "under policy" if who == "policy" else "without policy"
            lines.append(
                f"  defaults        {pct(rate)} of first-year borrowers {label} defaulted within 24 months"
                f" ({s[f'{who}_borrowers_year1']:,} firms)"
            )
    if s.get("gross_lending_per_public_wan") is not None:
        lines.append(
            f"  gross lending   {times(s['gross_lending_per_public_wan'])} new loans per 万 of net public cost, every"
            " renewal counted (not additional)"
        )
    if s["budget_exhausted_months"]:
        lines.append(f"  budget ran out  {', '.join(s['budget_exhausted_months'])}")
    if s["guarantor_net_assets_end_wan"] is not None:
        lines.append(
            f"  guarantors      net assets {yi(s['guarantor_net_assets_end_wan'])}, max leverage "
            f"{s['guarantor_leverage_max'] or 0:.1f}×, claims rate {pct(s['guarantor_claims_rate'])}/yr"
        )
    return lines


def _idle_lines(s: dict[str, Any]) -> list[str]:
    """Instruments that wrote little or no business, with the reason (and the product that won instead)."""
    idle = {k: v for k, v in (s.get("products") or {}).items() if v.get("little_business")}
    if not idle:
        return []
    lines = ["  instruments with little or no business (<1% of new lending):"]
    for name, row in idle.items():
        rival = f", mostly {row['beaten_by']}" if row.get("beaten_by") else ""
        lines.append(
            f"    {name}: {row['written']:,.0f} loans, {yi(row['written_wan'])}; {row['reason'].replace('_', ' ')}"
            f"{rival}"
        )
    return lines


MARKS = {"met": "met", "missed": "MISSED", "not_reached": "not reached", "out_of_scope": "out of scope"}


def target_counts(s: dict[str, Any]) -> str:
    """'2 met, 1 missed, 2 not reached (dated after the run's end), 1 out of scope, of 6'."""
    ts = s.get("targets") or []
    n = {k: sum(t.get("status", "met" if t.get("met") else "missed") == k for t in ts) for k in MARKS}
    parts = [f"{n['met']} met", f"{n['missed']} missed"]
    if n["not_reached"]:
        parts.append(f"{n['not_reached']} not reached (dated after the run's end {s.get('end', '')})")
    if n["out_of_scope"]:
        parts.append(f"{n['out_of_scope']} out of scope (the model lacks what they measure)")
    return ", ".join(parts) + f", of {len(ts)}"


def format_targets(s: dict[str, Any]) -> list[str]:
    """The plan targets block of the run summary: one line per target with its verdict."""
    from experiments.report.fmt import metric_text

    if not s.get("targets"):
        return []
    lines = [f"  plan targets    {target_counts(s)}"]
    for t in s["targets"]:
        status = t.get("status", "met" if t.get("met") else "missed")
        metric = t.get("metric")
        what = f"{metric} {t['op']} {metric_text(metric, t['threshold'])}" if metric else "(not in the model)"
        got = f" (got {metric_text(metric, t['value'])})" if metric and t.get("value") is not None else ""
        why = f" — {t['reason']}" if status == "out_of_scope" and t.get("reason") else ""
        lines.append(f"    {MARKS[status]:12s} {t['date']} {what}{got}  {t['label']}{why}".rstrip())
    return lines


def scale_text(k: float | None) -> str:
    """The population scale as the summary prints it."""
    if k is None or k == 1.0:
        return "1 (the whole region)"
    return f"{k:g} of the region: firms, entry, institutions' money and amount and count targets ×{k:g}"
