"""Write ``sample_firms.csv``: 200 synthetic but realistic-looking tech SMEs for a small industrial city.

The rows stand in for an extract of a city's enterprise database 科创企业库 (Panzhihua-sized: see
``scenarios/panzhihua-2017.yaml``), in the CSV format of ``agents.enterprise.CSV_COLUMNS`` without the
latent ``quality`` column (a real database does not know it; the model draws it). Deterministic:
``numpy.random.default_rng(2017)``; run ``python scenarios/data/make_sample_firms.py`` to regenerate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

N_FIRMS = 200
SEED = 2017
OUT = Path(__file__).resolve().parent / "sample_firms.csv"

STAGES = ("seed", "startup", "growth", "mature")
STAGE_MIX = (0.25, 0.35, 0.30, 0.10)  # schema default stage shares (EnterpriseParams.stage_mix)
REVENUE_MEDIAN_WAN = (5.0, 25.0, 80.0, 250.0)  # monthly, 万元; as panzhihua-2017.yaml (≈half the schema medians)
REVENUE_LOG_SD = 0.8  # schema default revenue_dispersion
AGE_RANGE_MONTHS = ((3, 36), (12, 72), (36, 180), (96, 360))  # plausible firm ages by stage
PATENT_MEAN = (0.6, 1.5, 4.0, 9.0)  # mean patents held by stage (assumption)
HIGH_TECH_BASE = (0.05, 0.2, 0.5, 0.7)  # chance of 高新技术企业 certification by stage (assumption)
VC_SHARE = (0.06, 0.05, 0.02, 0.0)  # share VC-backed by stage (assumption)
DATABASE_SHARE = 0.6  # schema default database_share

# Sector codes 0–7 (the model draws sectors as 0–7). Weights lean to Panzhihua's vanadium-titanium materials
# and equipment base (assumption).
SECTORS = ("钒钛新材料", "装备制造", "电子信息", "生物医药", "新能源", "节能环保", "现代农业", "科技服务")
SECTOR_WEIGHTS = (0.30, 0.20, 0.10, 0.08, 0.10, 0.10, 0.05, 0.07)


def make_rows(n: int = N_FIRMS, seed: int = SEED) -> list[dict[str, object]]:
    """Draw ``n`` firms; every column follows the stage the firm is in.

    Args:
        n: number of firms.
        seed: root seed of ``numpy.random.default_rng``.

    Returns:
        One mapping per firm with the CSV columns.
    """
    rng = np.random.default_rng(seed)
    stage = rng.choice(4, size=n, p=STAGE_MIX)
    sector = rng.choice(len(SECTORS), size=n, p=SECTOR_WEIGHTS)
    lo = np.array([a for a, _ in AGE_RANGE_MONTHS])[stage]
    hi = np.array([b for _, b in AGE_RANGE_MONTHS])[stage]
    age = rng.integers(lo, hi + 1)
    revenue = np.array(REVENUE_MEDIAN_WAN)[stage] * np.exp(REVENUE_LOG_SD * rng.standard_normal(n))
    patents = rng.poisson(np.array(PATENT_MEAN)[stage])
    high_tech = rng.random(n) < np.array(HIGH_TECH_BASE)[stage] * np.where(patents > 0, 1.2, 0.3)
    in_database = (rng.random(n) < DATABASE_SHARE) | high_tech
    vc_backed = rng.random(n) < np.array(VC_SHARE)[stage]
    return [
        {
            "stage": STAGES[stage[i]],
            "sector": int(sector[i]),
            "age_months": int(age[i]),
            "monthly_revenue_wan": round(float(revenue[i]), 1),
            "patents": int(patents[i]),
            "in_database": bool(in_database[i]),
            "high_tech": bool(high_tech[i]),
            "vc_backed": bool(vc_backed[i]),
        }
        for i in range(n)
    ]


def write_csv(rows: list[dict[str, object]], path: Path = OUT) -> None:
    """Write the rows with booleans as ``true``/``false`` (the form ``read_firms_csv`` accepts)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()})


if __name__ == "__main__":
    write_csv(make_rows())
    print(f"wrote {N_FIRMS} firms to {OUT}")
