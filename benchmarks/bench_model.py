"""Speed and memory of one model run, with every instrument on.

Prints wall time, firm-months per second and peak memory (max RSS of a fresh process) for
10,000 firms × 60 months and 100,000 firms × 120 months. Targets on a 2-core machine: ≤ 0.5 s and ≤ 8 s,
peak memory ≤ 1.5 GB.

    python benchmarks/bench_model.py            # both sizes
    python benchmarks/bench_model.py 20000 36   # one size
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

# Every instrument switched on: pool with caps and corridor, 4321 guarantee with re-guarantor and
# government share, loan guarantee insurance with a premium subsidy, tech insurance, interest / fee
# subsidies, bank rewards, re-lending, platforms, VC guidance, listing support, a downturn with deferral.
ALL_ON = {
    "name": "bench-all-instruments",
    "start": "2018-01",
    "banks": [
        {
            "name": "tech-branch",
            "screening_noise": 0.5,
            "npl_tolerance": 0.05,
            "loss_weight": 0.7,
            "relending_discount_rate": 0.01,
            "capital_wan": 5e6,
        },
        {"name": "city-bank", "capital_wan": 5e6, "annual_quota_wan": 1e7},
    ],
    "guarantors": [
        {"name": "city-guarantor", "net_assets_wan": 2e5},
        {"name": "provincial-reguarantor", "reguarantor": True, "net_assets_wan": 1e6},
    ],
    "insurers": [{"name": "picc", "tech": {"uptake_share": 0.2}}],
    "government": {
        "annual_budget_wan": 5e4,
        "vc_guidance_multiplier": 1.5,
        "listing_multiplier": 1.5,
        "subsidies": {
            "bank_reward_share": 0.005,
            "listing_reward_wan": 100,
            "tech_premium_subsidy_share": 0.5,
            "per_firm_year_cap_wan": 20,
        },
        "pools": [
            {
                "name": "tech-credit",
                "initial_wan": 5e4,
                "topup_wan": 1e4,
                "per_loan_cap_wan": 200,
                "per_bank_year_cap_wan": 2e4,
                "npl_corridor": [0.0, 0.08],
                "leverage_multiple": 10,
                "suspend_npl_ratio": 0.2,
            }
        ],
    },
    "products": [
        {
            "name": "pool-loan",
            "banks": ["tech-branch", "city-bank"],
            "pool": "tech-credit",
            "shares": {"bank": 0.5, "pool": 0.5},
            "interest_subsidy_share": 0.3,
            "first_loan_interest_subsidy_share": 0.5,
        },
        {
            "name": "4321",
            "banks": ["city-bank"],
            "guarantor": "city-guarantor",
            "reguarantor": "provincial-reguarantor",
            "shares": {"bank": 0.2, "guarantor": 0.4, "reguarantor": 0.3, "government": 0.1},
            "guarantee_fee_rate": 0.01,
            "reguarantee_fee_rate": 0.004,
            "fee_subsidy_share": 0.5,
        },
        {
            "name": "insured-loan",
            "banks": ["tech-branch"],
            "insurer": "picc",
            "shares": {"bank": 0.3, "insurer": 0.7},
            "premium_subsidy_share": 0.5,
        },
        {
            "name": "ip-pledge",
            "banks": ["tech-branch"],
            "ip_pledge": True,
            "lgd": 0.45,
            "eligibility": {"patent_holders_only": True},
        },
        {"name": "plain", "banks": ["tech-branch", "city-bank"]},
    ],
    "platforms": {"matching_extra_applications": 1, "matching_visibility_share": 0.85, "credit_info_noise_factor": 0.8},
    "macro": {
        "shocks": [{"start": "2020-02", "months": 6, "pd_multiplier": 1.8, "revenue_hit_rate": 0.2, "deferral": True}]
    },
}


def one(firms: int, months: int) -> dict:
    """Build and run one model in this process; return the figures."""
    from sim import EcosystemModel, Scenario

    s = Scenario.model_validate(ALL_ON | {"horizon_months": months}).with_overrides(
        {"enterprises.initial_count": firms, "enterprises.entry_per_month": firms / 200}
    )
    t0 = time.perf_counter()
    model = EcosystemModel(s, rng=2017)
    result = model.run()
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fm = firms * months
    return {
        "firms": firms,
        "months": months,
        "wall_s": wall,
        "firm_months_per_s": fm / wall,
        "ns_per_firm_month": wall / fm * 1e9,
        "peak_mb": peak_mb,
        "firms_created": model.pop.n,
        "loans_written": int(result.monthly["new_loans"].sum()),
        "end_balance_wan": result.summary["credit_balance_end_wan"],
    }


def main(argv: list[str]) -> None:
    """Run each size in a fresh process (so peak memory is that run's) and print a table."""
    if argv and argv[0] == "--child":
        print(json.dumps(one(int(argv[1]), int(argv[2]))))
        return
    sizes = [(int(argv[0]), int(argv[1]))] if argv else [(10_000, 60), (100_000, 120)]
    targets = {(10_000, 60): 0.5, (100_000, 120): 8.0}
    print(
        f"{'firms':>8} {'months':>6} {'wall s':>8} {'target':>7} {'firm-months/s':>14} {'ns/firm-month':>14}"
        f" {'peak MB':>8} {'loans':>9}"
    )
    for firms, months in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(firms), str(months)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        tgt = targets.get((firms, months))
        print(
            f"{firms:>8,} {months:>6} {r['wall_s']:>8.3f} {'' if tgt is None else f'≤{tgt:g}':>7}"
            f" {r['firm_months_per_s']:>14,.0f} {r['ns_per_firm_month']:>14.0f} {r['peak_mb']:>8.0f}"
            f" {r['loans_written']:>9,}"
        )
    print("peak memory target ≤ 1,536 MB")


if __name__ == "__main__":
    main(sys.argv[1:])
