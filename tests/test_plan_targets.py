"""Each plan's numeric targets, against a table of the plan's clauses (/work/shared/seeds/, transcribed here).

A row: (clause, date, op, threshold, metric) — metric ``OUT`` for a target the model cannot score (it must
then be ``out_of_scope`` with a reason). The tables list every figure the plans set; a target added, dropped,
re-dated or pointed at another metric fails here.
"""

from __future__ import annotations

import pytest

from sim.scenario import load_scenario

OUT = None

PLANS = {
    # 000 广元 §二 工作目标: "为100家以上的科技型企业提供10-20亿元规模的科技金融服务", "新建科技支行1家",
    # "科技担保、租赁与保险专营机构1-2家", "贡献率达到52%", "2-3项…经验或模式".
    "guangyuan-2017": [
        ("000 §二", "2020-12", ">=", 100, "tech_finance_firms_cum"),
        ("000 §二", "2020-12", ">=", 100000, "tech_finance_cum_wan"),
        ("000 §二", "2020-12", ">=", 1, OUT),
        ("000 §二", "2020-12", ">=", 1, OUT),
        ("000 §二", "2020-12", ">=", 0.52, OUT),
        ("000 §二", "2020-12", ">=", 2, OUT),
    ],
    # 001 攀枝花 §二(二)2 "科技信贷额度达5000万元"; §二(二)3 担保公司1～2家, 科技保险险种1～2个; §二(二)4 "新增上市或
    # 挂牌企业2～3家；新增直接融资额度超过1亿元"; §二(二)5 评估机构1-2家; §六(二)1 2018 "科技支行…科技信贷额度超过
    # 2000万元"; §六(三)1 2019 "1～2家科技企业挂牌上市".
    "panzhihua-2017": [
        ("001 §六(二)1", "2018-12", ">", 2000, "policy_loan_balance_wan"),
        ("001 §二(二)2", "2019-12", ">=", 5000, "policy_loan_balance_wan"),
        ("001 §二(二)4", "2019-12", ">=", 2, "listings_cum"),
        ("001 §六(三)1", "2019-12", ">=", 1, "listings_new"),
        ("001 §二(二)4", "2019-12", ">", 10000, "direct_finance_cum_wan"),
        ("001 §二(二)3", "2019-12", ">=", 1, OUT),
        ("001 §二(二)3", "2019-12", ">=", 1, OUT),
        ("001 §二(二)5", "2019-12", ">=", 1, OUT),
        ("001 §六(二)1", "2018-12", ">=", 1, OUT),
    ],
    # 002 嘉兴 §一 余额800/1000亿, 新三板挂牌总数60/100, 上市40/80; §二(一)4 市本级注册资金2亿, 县(市)1亿; §二(二)6
    # 增速不低于各项贷款; §二(二)7 应收账款500/600亿, 投贷联动3/5亿, 专利权质押3/4亿; §二(二)8 保费收入1/2亿;
    # §二(二)10 股份制300/500家, 直接融资200/300亿, 并购重组50/80亿; §三(二) 基金小镇累计投资超过100亿.
    "jiaxing-2017": [
        ("002 §二(一)4", "2017-12", ">=", 70000, "guarantor_paid_in_capital_wan"),
        ("002 §一", "2018-12", ">=", 8000000, "tech_loan_balance_wan"),
        ("002 §一", "2020-12", ">=", 10000000, "tech_loan_balance_wan"),
        ("002 §一", "2018-12", ">=", 60, "listings_neeq_cum"),
        ("002 §一", "2018-12", ">=", 40, "listings_ipo_cum"),
        ("002 §一", "2020-12", ">=", 100, "listings_neeq_cum"),
        ("002 §一", "2020-12", ">=", 80, "listings_ipo_cum"),
        ("002 §二(二)6", "2020-12", ">=", 0, OUT),
        ("002 §二(二)7", "2018-12", ">=", 5000000, OUT),
        ("002 §二(二)7", "2020-12", ">=", 6000000, OUT),
        ("002 §二(二)7", "2018-12", ">=", 30000, "vc_linked_loan_balance_wan"),
        ("002 §二(二)7", "2020-12", ">=", 50000, "vc_linked_loan_balance_wan"),
        ("002 §二(二)7", "2018-12", ">=", 30000, "ip_pledge_loan_balance_wan"),
        ("002 §二(二)7", "2020-12", ">=", 40000, "ip_pledge_loan_balance_wan"),
        ("002 §二(二)8", "2018-12", ">=", 10000, "insurer_premiums_wan"),
        ("002 §二(二)8", "2020-12", ">=", 20000, "insurer_premiums_wan"),
        ("002 §二(二)10", "2018-12", ">=", 300, OUT),
        ("002 §二(二)10", "2020-12", ">=", 500, OUT),
        ("002 §二(二)10", "2018-12", ">=", 2000000, "direct_finance_cum_wan"),
        ("002 §二(二)10", "2020-12", ">=", 3000000, "direct_finance_cum_wan"),
        ("002 §二(二)10", "2018-12", ">=", 500000, OUT),
        ("002 §二(二)10", "2020-12", ">=", 800000, OUT),
        ("002 §三(二)", "2020-12", ">", 1000000, OUT),
    ],
    # 003 咸宁 §二 "信贷规模快速提升、融资成本稳步下降"; §三(四) "每年初…力争科创企业一季度信贷投放不低于上年同期";
    # §四(二) "科技企业新增'首贷'户数" assessed.
    "xianning-2021": [
        ("003 §二", "2022-07", ">", 0, "tech_loan_balance_wan"),
        ("003 §二", "2026-07", ">", 0, "tech_loan_balance_wan"),
        ("003 §二", "2026-07", "<", 0, "avg_cost_over_lpr_rate"),
        ("003 §三(四)", "2022-03", ">=", 0, OUT),
        ("003 §三(四)", "2023-03", ">=", 0, "new_loans_wan"),
        ("003 §三(四)", "2024-03", ">=", 0, "new_loans_wan"),
        ("003 §三(四)", "2025-03", ">=", 0, "new_loans_wan"),
        ("003 §三(四)", "2026-03", ">=", 0, "new_loans_wan"),
        ("003 §四(二)", "2026-07", ">=", 0, "first_loans_new"),
    ],
    "shanxi-2018": [],  # 004 sets no numeric target
}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_each_plan_encodes_every_numeric_target_of_its_clauses(name):
    s = load_scenario(name)
    got = [(t.clause, t.date, t.op, t.threshold, t.metric if t.out_of_scope is None else OUT) for t in s.targets]
    assert got == PLANS[name]


@pytest.mark.parametrize("name", sorted(PLANS))
def test_targets_cite_their_own_plan_and_say_why_they_are_out_of_scope(name):
    s = load_scenario(name)
    doc = s.source[:3]
    for t in s.targets:
        assert t.clause.startswith(f"{doc} §"), (name, t.clause)
        assert t.label
        if t.out_of_scope is not None:
            assert len(t.out_of_scope) > 20, (name, t.label)


def test_flows_are_read_over_their_year_and_totals_carry_what_was_there_before():
    jx = {(t.metric, t.date): t for t in load_scenario("jiaxing-2017").targets}
    premium = jx[("insurer_premiums_wan", "2018-12")]
    assert premium.window_months == 12 and premium.base_date is None  # a year's premium income, not a running total
    for metric in ("listings_neeq_cum", "listings_ipo_cum"):
        assert jx[(metric, "2018-12")].offset == jx[(metric, "2020-12")].offset > 0  # city totals incl. pre-2017
    xn = [t for t in load_scenario("xianning-2021").targets if t.clause == "003 §三(四)" and t.out_of_scope is None]
    assert [(t.base_date, t.window_months) for t in xn] == [(f"{y - 1}-03", 3) for y in (2023, 2024, 2025, 2026)]


@pytest.mark.parametrize("variant", ["jiaxing-2017-downturn", "xianning-2021-downturn", "panzhihua-2017-firms"])
def test_variants_keep_their_plans_targets(variant):
    base = load_scenario(variant.rsplit("-", 1)[0])
    assert load_scenario(variant).targets == base.targets


def test_jiaxing_starts_at_the_balance_its_targets_back_cast():
    """002 §一: 800亿 end 2018 and 1,000亿 end 2020 (≈11.8% a year) back-cast to ≈690亿 in 2017-09; a tenth of
    the region starts at a tenth of it."""
    from sim.model import EcosystemModel

    starts = [
        EcosystemModel(load_scenario("jiaxing-2017", {"enterprises.scale": 0.1}), rng=seed).run(1).summary
        for seed in (1, 2)
    ]
    for s in starts:
        assert s["credit_balance_start_wan"] * 10 == pytest.approx(6_900_000, rel=0.05)
