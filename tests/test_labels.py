"""Names readers see are bilingual, "中文 — English": every bundled scenario names its institutions, pools,
products and funds, its targets and the reasons a target is out of scope in both languages, and the schema
refuses a label whose Chinese half has no Chinese."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sim.scenario import bundled_names, load_scenario
from sim.schema import SEP, BankParams, PoolParams, Target
from sim.schema_base import CJK


def _bilingual(text: str) -> bool:
    zh, sep, en = text.partition(SEP)
    return bool(sep) and bool(CJK.search(zh)) and bool(en.strip()) and not CJK.search(en)


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenarios_name_everything_in_both_languages(name):
    s = load_scenario(name)
    blocks = [*s.banks, *s.guarantors, *s.insurers, *s.vc_funds, *s.government.pools, *s.products]
    unnamed = [b.name for b in blocks if not (b.label and _bilingual(b.label))]
    assert not unnamed, f"{name}: no '中文 — English' label: {unnamed}"
    for t in s.targets:
        assert _bilingual(t.label), (name, t.label)
        assert t.out_of_scope is None or _bilingual(t.out_of_scope), (name, t.out_of_scope)


@pytest.mark.parametrize(
    "label",
    ["main bank — 主办银行", "主办银行 — ", " — main bank"],
)
def test_a_label_with_its_halves_wrong_is_refused(label):
    with pytest.raises(ValidationError, match="中文 — English"):
        BankParams(name="b", label=label)


def test_labels_in_one_language_are_accepted_and_trimmed():
    assert PoolParams(name="p", label=" 科技信贷风险补偿资金池 ").label == "科技信贷风险补偿资金池"
    assert BankParams(name="b").label is None
    with pytest.raises(ValidationError, match="中文 — English"):
        Target(date="2020-12", threshold=1, out_of_scope="not in the model — 模型不含")
