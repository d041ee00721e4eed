"""Readable names of space parameters in English and Chinese, and their values with units.

A parameter of a space file is named by its ``name`` or its dotted scenario path. Known paths (the bundled
spaces' and the common levers and uncertainties) get a plain name in each language, the pool, product, bank or
guarantor in them named as the scenario names it (``experiments.report.entities``); any other keeps its key.
"""

from __future__ import annotations

import re

from experiments.report.entities import entity
from experiments.report.fmt import scale_for

NAMES: dict[str, tuple[str, str]] = {
    "coverage": ("the pool's loss share", "资金池风险分担比例"),
    "npl_tolerance": ("banks' NPL tolerance", "银行不良容忍度"),
    "government.annual_budget_wan": ("the special fund's annual budget", "专项资金年度预算"),
    "enterprises.loan_demand_elasticity": ("loan demand elasticity", "企业贷款需求弹性"),
    "enterprises.default_correlation": ("default correlation", "违约相关系数"),
    "government.vc_guidance_multiplier": ("VC guidance multiplier", "创投引导倍数"),
}
PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"government\.pools\.(?P<pool>[^.]+)\.initial_wan", "initial size of {0}", "{0}初始规模"),
    (r"government\.pools\.(?P<pool>[^.]+)\.leverage_multiple", "leverage multiple of {0}", "{0}放大倍数"),
    (r"government\.pools\.(?P<pool>[^.]+)\.topup_wan", "yearly top-up of {0}", "{0}年度补充额"),
    (r"macro\.shocks\.\d+\.pd_multiplier", "the downturn's default multiplier", "经济下行期违约率倍数"),
    (r"macro\.shocks\.\d+\.revenue_hit_rate", "the downturn's revenue hit", "经济下行期营收降幅"),
    (r"macro\.shocks\.\d+\.months", "the downturn's length", "经济下行期时长"),
    (
        r"products\.(?P<product>[^.]+)\.first_loan_interest_subsidy_share",
        "first-loan interest subsidy on {0}",
        "{0}首贷贴息比例",
    ),
    (r"products\.(?P<product>[^.]+)\.interest_subsidy_share", "interest subsidy on {0}", "{0}贴息比例"),
    (r"products\.(?P<product>[^.]+)\.fee_subsidy_share", "guarantee-fee subsidy on {0}", "{0}担保费补贴比例"),
    (r"products\.(?P<product>[^.]+)\.premium_subsidy_share", "premium subsidy on {0}", "{0}保费补贴比例"),
    (r"products\.(?P<product>[^.]+)\.shares\.pool", "the pool's loss share on {0}", "{0}资金池分担比例"),
    (r"products\.(?P<product>[^.]+)\.shares\.guarantor", "the guarantor's loss share on {0}", "{0}担保机构分担比例"),
    (r"banks\.(?P<bank>[^.]+)\.npl_tolerance", "NPL tolerance of {0}", "{0}不良容忍度"),
    (r"guarantors\.(?P<guarantor>[^.]+)\.net_assets_wan", "net assets of {0}", "{0}净资产"),
    (r"guarantors\.(?P<guarantor>[^.]+)\.max_leverage", "leverage cap of {0}", "{0}放大倍数上限"),
)
"""Parameter paths by regex; the named group says what kind of block the path names (``entities``)."""


def param_label(key: str, lang: str) -> str:
    """``"macro.shocks.1.pd_multiplier"`` → "the downturn's default multiplier" / "经济下行期违约率倍数"."""
    key = key.removeprefix("param.")
    i = 1 if lang == "zh" else 0
    if key in NAMES:
        return NAMES[key][i]
    for pattern, en, zh in PATTERNS:
        if m := re.fullmatch(pattern, key):
            names = [_named(kind, slug, lang) for kind, slug in m.groupdict().items()]
            return (zh if lang == "zh" else en).format(*names)
    return _path_zh(key) if lang == "zh" else key


BLOCKS = {"banks": "bank", "guarantors": "guarantor", "insurers": "insurer", "vc_funds": "vc", "products": "product"}


def _path_zh(key: str) -> str:
    """A path no table above names, for a Chinese report: "参数", the block by its name, then the field
    (``products.ip-pledge.lgd`` → "参数：知识产权质押贷款 · lgd"), never the scenario's key for the block."""
    parts = key.split(".")
    if len(parts) > 2 and parts[0] in BLOCKS:
        parts[:2] = [entity(BLOCKS[parts[0]], parts[1], "zh")]
    elif len(parts) > 3 and parts[:2] == ["government", "pools"]:
        parts[:3] = [entity("pool", parts[2], "zh")]
    return "参数：" + " · ".join(parts)


def _named(kind: str, slug: str, lang: str) -> str:
    """The block's name; an English report on an unlabelled block says its kind before its key."""
    name = entity(kind, slug, lang)
    return f"{kind} {slug}" if name == slug else name


def param_value(key: str, value: float, lang: str) -> str:
    """A parameter's value with its unit (万元 / 亿元 money, % shares), as sentences show it."""
    scale = scale_for(key.removeprefix("param."), [value])
    if scale.unit == "" and abs(value) < 1000:
        return f"{value:.3g}"
    return scale.text(value, lang, compact=True)
