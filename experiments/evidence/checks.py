"""What the model must reproduce: one entry per line of ``../shared/design/EVIDENCE.md``, plus the analytic checks.

A new piece of evidence is one ``Check`` here: what is known (English and Chinese), its source, the set-up in
the model, the measure (``measures.py`` / ``analytic.py``), its unit and the range the model must land in.
``noisy`` marks checks whose seed-to-seed spread at the quick size is large against their range (a yearly
default factor dominates them): with few seeds they pass when the 95% interval reaches into the range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from experiments.evidence import analytic as a
from experiments.evidence import measures as m


@dataclass(frozen=True)
class Check:
    """One published figure (or closed-form answer), the set-up that reproduces it and the range to land in."""

    id: str
    claim: str
    claim_zh: str
    source: str
    setup: str
    measure: Callable[[int, str], float]
    unit: str  # "ratio", "share" (shown in %), "pp" (percentage points), "x" (multiple)
    low: float | None = None
    high: float | None = None
    kind: str = "published"  # or "analytic"
    noisy: bool = False


FOGAPE = "Cowan, Drexler & Yañez (2015, JBF 59), Chile FOGAPE"

CHECKS: tuple[Check, ...] = (
    Check(
        "E1",
        "a public guarantee adds about 0.65 of credit per unit guaranteed; the rest is substitution",
        "公共担保每担保1元约增加0.65元贷款，其余为替代",
        FOGAPE,
        "region vs region + FOGAPE-like product (70% cover, 1% fee, small firms): additional ÷ covered balance",
        m.e1_additionality,
        "ratio",
        0.3,
        1.0,
    ),
    Check(
        "E2-12",
        "covered loans default more often: about +1 pp at 12 months",
        "担保贷款违约更多：12个月约高1个百分点",
        FOGAPE,
        "as E1: 12-month default rate of first-year covered borrowers vs the same stages without the guarantee",
        m.e2_delinquency(12),
        "pp",
        0.0,
        0.03,
    ),
    Check(
        "E2-24",
        "covered loans default more often: about +2 pp at 24 months",
        "担保贷款违约更多：24个月约高2个百分点",
        FOGAPE,
        "as E2-12, within 24 months",
        m.e2_delinquency(24),
        "pp",
        0.003,
        0.03,
    ),
    Check(
        "E2-grows",
        "the 24-month effect is at least the 12-month effect",
        "24个月效应不小于12个月效应",
        FOGAPE,
        "E2-24 − E2-12",
        m.e2_gap,
        "pp",
        0.0,
        None,
        noisy=True,
    ),
    Check(
        "E3-balance",
        "cheaper credit is borrowed more: an interest subsidy raises borrowing",
        "融资越便宜借得越多：贴息提高贷款需求",
        "loan-demand price elasticity of small borrowers about 0.3–1 (Karlan & Zinman 2008 and later field evidence)",
        "plain product with 50% vs 0% interest subsidy, ample budget: relative change in the average balance",
        m.e3_balance,
        "share",
        0.02,
        None,
    ),
    Check(
        "E3-defaults",
        "an interest subsidy does not raise defaults",
        "贴息不提高违约",
        "as E3",
        "as E3: change in the NPL ratio (months 13 on)",
        m.e3_defaults,
        "pp",
        None,
        0.0025,
    ),
    Check(
        "E4",
        "about half of registered tech SMEs hold a bank loan (获贷率 46.8% 2023, 46.9% 2024, 50.2% 2025)",
        "约一半科技型中小企业获得银行贷款（获贷率2023年46.8%、2024年46.9%、2025年50.2%）",
        "PBoC statistics on 科技型中小企业贷款",
        "a city with a typical plan (xianning-2021): borrowers ÷ firms alive over the run",
        m.e4_borrower_share,
        "share",
        0.40,
        0.55,
    ),
    Check(
        "E5",
        "tech/inclusive small-firm NPL about 1–3% (inclusive small-firm NPL 2.99% in 2020H1)",
        "科技/普惠小微不良率约1–3%（2020年上半年普惠小微不良率2.99%）",
        "CBIRC/NFRA releases",
        "bundled plans, months 13 on: mean NPL ratio",
        m.e5_npl,
        "share",
        0.01,
        0.04,
    ),
    Check(
        "E6-claims",
        "government guarantors' compensation rate 代偿率 about 2–5% a year",
        "政府性融资担保机构代偿率每年约2–5%",
        "国办发〔2019〕6号; 融资担保公司监督管理条例; 2026 national plan (tolerance 4% → 5%)",
        "plans with a government guarantor: claims ÷ guarantee balance a year",
        m.e6_claims,
        "share",
        0.01,
        0.06,
    ),
    Check(
        "E6-leverage",
        "policy guarantors run at 2–5× leverage, below the 10× (15×) cap",
        "政策性担保机构放大倍数2–5倍，低于10（15）倍上限",
        "融资担保公司监督管理条例",
        "plans with a guarantor: highest leverage as a share of its cap",
        m.e6_leverage,
        "share",
        None,
        1.0,
    ),
    Check(
        "E7",
        "compensation pools back 5–10× their size in loans",
        "风险补偿资金池撬动其规模5–10倍的贷款",
        "Zhejiang (Hangzhou, Jinhua) pool rules; docs/model.md §11.5",
        "plans with a pool: covered balance ÷ pool balance",
        m.e7_pool_multiple,
        "x",
        3.0,
        10.0,
    ),
    Check(
        "E8-share",
        "a region without policy does not drift: borrower share",
        "无政策地区不漂移：获贷企业占比",
        "docs/model.md §8",
        "baseline, 36 months: last 6 months minus first 6 months",
        m.drift("share"),
        "pp",
        -0.03,
        0.03,
    ),
    Check(
        "E8-npl",
        "a region without policy does not drift: NPL ratio",
        "无政策地区不漂移：不良率",
        "docs/model.md §8",
        "baseline, 36 months: last 6 months minus first 6 months",
        m.drift("npl_ratio"),
        "pp",
        -0.01,
        0.01,
        noisy=True,
    ),
    Check(
        "E9-contract",
        "contract rates of policy loans LPR + 0–1.5 pp",
        "政策贷款合同利率为LPR加0–1.5个百分点",
        "PBoC loan-rate releases; city scheme rules",
        "the plans' policy loans: contract rate − LPR at origination",
        m.prices("contract"),
        "pp",
        0.0,
        0.015,
    ),
    Check(
        "E9-net",
        "subsidised tech loans cost about LPR + 0.3–0.5 pp net of subsidies",
        "贴息后科技贷款成本约为LPR加0.3–0.5个百分点",
        "PBoC loan-rate releases; city scheme rules",
        "the plans' interest-subsidised loans 贴息贷款: all-in cost net of subsidies − LPR at origination",
        m.prices("net"),
        "pp",
        0.003,
        0.005,
    ),
    Check(
        "A1",
        "mean pool payout = Σ exposure × PD × LGD × coverage",
        "资金池平均代偿 = Σ 敞口 × 违约率 × 违约损失率 × 补偿比例",
        "docs/model.md §13 (binomial)",
        "fixed mode, 5,000 loans of 1万, annual PD 30%, LGD 0.6, coverage 0.5: model ÷ formula",
        a.pool_mean,
        "ratio",
        0.95,
        1.05,
        kind="analytic",
    ),
    Check(
        "A2",
        "variance of the pool payout = binomial variance",
        "资金池代偿方差 = 二项分布方差",
        "docs/model.md §13 (binomial)",
        "as A1: variance around the known mean ÷ n p (1 − p) × (LGD × coverage)²",
        a.pool_variance,
        "ratio",
        0.7,
        1.3,
        kind="analytic",
    ),
    Check(
        "A3",
        "a guarantee fee of share × PD × LGD breaks even",
        "担保费率 = 分担比例 × 违约率 × 违约损失率 时盈亏平衡",
        "docs/model.md §13",
        "fixed mode, 1,000 loans, PD 3%, LGD 0.6, share 0.5, 120 months: change in net assets ÷ claims",
        a.break_even_fee,
        "ratio",
        -0.1,
        0.1,
        kind="analytic",
    ),
    Check(
        "A4",
        "the one-year default rate follows the Vasicek distribution for the scenario's ρ",
        "一年违约率服从给定ρ的Vasicek分布",
        "Vasicek (2002); Basel II IRB",
        "fixed mode, 3,000 firms, PD 3%, ρ 0.12, ten years: squared deviation of the yearly rate ÷ Vasicek variance",
        a.vasicek_variance,
        "ratio",
        0.5,
        1.6,
        kind="analytic",
        noisy=True,
    ),
    Check(
        "A5",
        "the chance a pool runs dry equals the binomial closed form",
        "资金池耗尽概率等于二项分布解析解",
        "docs/model.md §13",
        "fixed mode, 200 loans, PD 1%/month, a pool of 10: share empty by the median month − closed form",
        a.depletion_probability,
        "share",
        -0.1,
        0.1,
        kind="analytic",
        noisy=True,
    ),
)

BY_ID = {c.id: c for c in CHECKS}
