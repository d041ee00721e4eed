"""Words of the report section on instruments with little or no business (``instruments_section``), en and zh;
merged into ``experiments.report.i18n.TEXT``. The instruments' metrics are named in the metric registry,
``sim.metrics``."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "h.no_business": ("Instruments with little or no business", "业务很少或没有业务的政策工具"),
    "n.no_business": (
        (
            "Products that wrote less than 1% of the run's new lending, and the step from a firm's need to a"
            " written loan at which they lose most firms (counts are firm-months with a need)."
        ),
        "新增贷款占本次运行全部新增贷款不足1%的产品，以及从企业融资需求到放款的哪一步流失了最多企业（计数为有融资需求的企业·月）。",
    ),
    "col.product": ("Product", "产品"),
    "col.loans_written": ("Loans written", "放款笔数"),
    "col.written_amount": ("Amount written", "放款金额"),
    "col.why": ("Why", "原因"),
    "why.no_eligible_firms": (
        "no eligible firms: few firms with a need meet its eligibility ({eligible:,.0f} firm-months)",
        "没有符合条件的企业：有融资需求的企业中符合其准入条件的很少（{eligible:,.0f}企业·月）",
    ),
    "why.not_yet_available": (
        "not yet available: eligible firms came while it was outside its availability window (phase-in)",
        "尚未推出：符合条件的企业出现时产品尚未开办（分阶段实施）",
    ),
    "why.capacity": (
        (
            "capacity: its lender, pool, guarantor, insurer or fund was full or suspended (open in {open:,.0f} of"
            " {eligible:,.0f} eligible firm-months)"
        ),
        "容量：其贷款机构、资金池、担保、保险或基金额度已满或暂停（{eligible:,.0f}个符合条件的企业·月中仅{open:,.0f}个可申请）",
    ),
    "why.priced_out": (
        (
            "priced out: its all-in cost is above the investment return of most eligible firms (worth it in"
            " {worth:,.0f} of {open:,.0f})"
        ),
        "价格过高：综合成本高于多数符合条件企业的投资回报（{open:,.0f}个中仅{worth:,.0f}个值得申请）",
    ),
    "why.refused": (
        (
            "refused: the lender's margin rule, a risk sharer's screening or the loan-size limit turned most firms away"
            " (accepted {accepted:,.0f} of {worth:,.0f})"
        ),
        "被拒：贷款机构的收益要求、分险机构的筛选或额度限制拒绝了多数企业（{worth:,.0f}个中接受{accepted:,.0f}个）",
    ),
    "why.dominated": (
        (
            "dominated: firms it accepted had a cheaper accepted offer, mostly {rival} (cheapest for {cheapest:,.0f} of"
            " {accepted:,.0f})"
        ),
        "被替代：获批企业另有更便宜的获批产品，主要是{rival}（{accepted:,.0f}个中仅{cheapest:,.0f}个以其为最便宜）",
    ),
    "why.origination": (
        (
            "lost at origination: firms spent their applications on lenders with a lower posted price, the"
            " application was not seen, or earlier firms took the room"
        ),
        "放款环节流失：企业把申请次数用在了报价更低的机构上、申请未被看到，或额度已被先到企业占用",
    ),
    "col.runs_little": ("Runs with little business", "业务很少的运行次数"),
    "col.loans_mean": ("Loans written (mean)", "平均放款笔数"),
    "reason.no_eligible_firms": ("no eligible firms", "没有符合条件的企业"),
    "reason.not_yet_available": ("not yet available (phase-in)", "尚未推出（分阶段实施）"),
    "reason.capacity": ("capacity or suspension", "容量已满或暂停"),
    "reason.priced_out": ("priced out", "价格过高"),
    "reason.refused": ("refused by lender or sharer", "被贷款或分险机构拒绝"),
    "reason.dominated": ("dominated by a cheaper product", "被更便宜的产品替代"),
    "reason.origination": ("lost at origination", "放款环节流失"),
}
