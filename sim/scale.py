"""Population scale: simulate a consistent fraction of a region (``enterprises.scale``, ``--scale``).

A scale ``k`` in (0, 1] multiplies everything that grows with the size of the region — the initial firms and
their entry, the institutions' money (bank capital and set-aside quotas, guarantors' net assets, floors and
injections, insurers' capital, VC funds' loss-bearing capital, the special fund, pools and their yearly caps)
and the thresholds and offsets of the plan targets that are amounts or counts — and leaves everything per
firm, per loan or a rate as it is. A
region at ``k`` is then the whole region in miniature: per-firm outcomes (borrower share, NPL ratio, cost,
default rates) stay within noise, amounts and counts are ``k`` times the full region's.

Every money or count field of the schema is classified here, as growing with the region (:data:`REGION`) or
not (:data:`PER_UNIT`); a test fails when a field is added without being classified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario import Scenario

#: (schema block, field) pairs that grow with the region: multiplied by the scale.
REGION: frozenset[tuple[str, str]] = frozenset(
    {
        ("EnterpriseParams", "initial_count"),
        ("EnterpriseParams", "entry_per_month"),
        ("BankParams", "capital_wan"),
        ("BankParams", "annual_quota_wan"),
        ("GuarantorParams", "net_assets_wan"),
        ("GuarantorParams", "floor_wan"),
        ("GuarantorParams", "injections"),
        ("InsurerParams", "capital_wan"),
        ("VentureFundParams", "capital_wan"),
        ("GovernmentParams", "annual_budget_wan"),
        ("PoolParams", "initial_wan"),
        ("PoolParams", "topup_wan"),
        ("PoolParams", "refill_to_wan"),
        ("PoolParams", "per_bank_year_cap_wan"),
    }
)

#: Money and count fields that are per firm, per loan, per listing or per month of one firm: not scaled.
PER_UNIT: frozenset[tuple[str, str]] = frozenset(
    {
        ("EnterpriseParams", "monthly_revenue_wan"),
        ("EnterpriseParams", "need_min_wan"),
        ("EnterpriseParams", "need_max_wan"),
        ("EnterpriseParams", "patent_cost_wan"),
        ("EnterpriseParams", "vc_amount_wan"),
        ("EnterpriseParams", "listing_revenue_wan"),
        ("EnterpriseParams", "listing_raise_wan"),
        ("EnterpriseParams", "max_applications"),
        ("FixedMode", "loan_wan"),
        ("TechInsurance", "sum_insured_wan"),
        ("PoolParams", "per_loan_cap_wan"),
        ("Subsidies", "per_firm_year_cap_wan"),
        ("Subsidies", "listing_reward_wan"),
        ("ProductParams", "max_loan_wan"),
        ("Platforms", "matching_extra_applications"),
        ("Bonds", "amount_wan"),
        ("Bonds", "revenue_wan"),
        ("Grants", "amount_wan"),
    }
)

_INTENSIVE = ("rate", "ratio", "leverage", "spread", "share", "month", "date")


def extensive(metric: str | None) -> bool:
    """Whether a monthly metric grows with the region (amounts and counts), not a rate, ratio or date."""
    return metric is not None and not any(part in metric for part in _INTENSIVE)


def scaled_target(target: dict[str, Any], k: float) -> dict[str, Any]:
    """A target (as a mapping) of the region at scale ``k``: an amount or count threshold and its offset times
    ``k``; ``plan_threshold`` keeps the plan's figure."""
    out = dict(target)
    out.setdefault("plan_threshold", target["threshold"])
    if k != 1.0 and extensive(target.get("metric")):
        out["threshold"] = target["threshold"] * k
        out["offset"] = target.get("offset", 0.0) * k
    return out


def scale_data(data: dict[str, Any], k: float) -> dict[str, Any]:
    """The scenario mapping (``Scenario.model_dump(mode="json")``) of the region at scale ``k``, with
    ``enterprises.scale`` set to 1 (the scale is applied once)."""
    from sim.scenario import Scenario

    out = _walk(Scenario, data, k)
    out["targets"] = [
        {f: v for f, v in scaled_target(t, k).items() if f != "plan_threshold"} for t in data.get("targets", [])
    ]
    out["enterprises"] = dict(out["enterprises"], scale=1.0)
    return out


def apply_scale(s: Scenario) -> Scenario:
    """The scenario as simulated: ``s`` itself at scale 1, else the region at ``enterprises.scale``."""
    from sim.scenario import validate

    k = s.enterprises.scale
    if k == 1.0:
        return s
    return validate(scale_data(s.model_dump(mode="json"), k), f"{s.name} at scale {k:g}")


def _walk(model: Any, data: dict[str, Any], k: float) -> dict[str, Any]:
    from sim.scenario_errors import inner_model

    out = dict(data)
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None or value is None or name == "targets":
            continue
        if (model.__name__, name) in REGION:
            out[name] = _times(name, value, k)
            continue
        inner = inner_model(field.annotation)
        if inner is None:
            continue
        if isinstance(value, dict):
            out[name] = _walk(inner, value, k)
        elif isinstance(value, list):
            out[name] = [_walk(inner, x, k) if isinstance(x, dict) else x for x in value]
    return out


def _times(name: str, value: Any, k: float) -> Any:
    if name == "initial_count":
        return round(value * k)
    if name == "injections":
        return [[d, amount * k] for d, amount in value]
    return value * k


def override_warnings(base: Scenario, overrides: dict[str, Any]) -> list[str]:
    """Warnings for overrides that resize a region by halves: a new ``enterprises.initial_count`` without
    ``enterprises.entry_per_month`` keeps the full-size entry (the region then grows or shrinks by entry alone)."""
    if "enterprises.initial_count" not in overrides or "enterprises.entry_per_month" in overrides:
        return []
    p = base.enterprises
    n = int(overrides["enterprises.initial_count"])
    if n == p.initial_count or p.initial_count == 0:
        return []

    def rate(count: int) -> str:
        return f"{12 * p.entry_per_month / count:.1%} a year" if count else "no firms"

    text = (
        f"enterprises.initial_count set to {n:,} without enterprises.entry_per_month: entry stays at"
        f" {p.entry_per_month:g} firms a month, {rate(n)} of {n:,} firms instead of {rate(p.initial_count)} of"
        f" {p.initial_count:,}; to shrink the region consistently use --scale {n / p.initial_count:.4g}"
        " (or set enterprises.entry_per_month too)"
    )
    return [text]
