import base64
import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from sim import metrics
from sim.scenario import bundled_names, load_scenario

KINDS = ("compare", "depletion", "targets", "sweep", "sensitivity", "morris", "run")
FANS = [f"fig-fan-{m}" for m in metrics.shown_in("fan")]
COMMON = {"tab-what", "tab-provenance", "tab-libraries"}
REPLICATED = COMMON | {"tab-runs", "tab-digests"}
EXPECTED = {
    "compare": ({"fig-paired", *FANS}, REPLICATED | {"tab-paired", "tab-stats"}),
    "depletion": (
        {"fig-survival", *FANS},
        REPLICATED | {"tab-depletion-median", "tab-depletion-by-year", "tab-outcomes"},
    ),
    "targets": ({"fig-targets", *FANS}, REPLICATED | {"tab-targets", "tab-outcomes"}),
    "sweep": ({"fig-heatmap"}, REPLICATED | {"tab-points"}),
    "sensitivity": ({"fig-sensitivity"}, REPLICATED | {"tab-indices-sobol"}),
    "morris": ({"fig-sensitivity"}, REPLICATED | {"tab-indices-morris"}),
    "run": (
        {f.replace("fan", "run") for f in FANS},
        COMMON | {"tab-key", "tab-year-end", "tab-pools", "tab-run-targets"},
    ),
}
SCENARIO_PATH = re.compile(r"\b(government|products|banks|enterprises|guarantors|insurers|macro|market)\.[\w.-]+")
CJK = re.compile(r"[\u4e00-\u9fff]")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_html_is_well_formed_and_self_contained(report, kind, lang):
    page = report(kind, lang)
    root = ET.fromstring(page.text.split("\n", 1)[1])  # strict XML parser after the doctype line
    assert root.tag == "html"
    assert root.get("lang") == ("zh-CN" if lang == "zh" else "en")
    assert "script" not in page.tags and "link" not in page.tags
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in page.urls)
    for fig in page.figures.values():
        assert base64.b64decode(fig["src"].split(",", 1)[1]).startswith(PNG)


@pytest.mark.parametrize("kind", KINDS)
def test_every_expected_figure_and_table_is_present(report, kind):
    page = report(kind, "en")
    figures, tables = EXPECTED[kind]
    assert figures <= set(page.figures)
    assert tables <= set(page.tables)
    for fig in page.figures.values():
        assert fig["alt"] and fig["caption"]
    for tid in tables:
        header, rows = page.table(tid)
        assert header and rows, tid
        assert all(len(r) == len(header) for r in rows), tid
    assert page.items["findings"], "the findings list is empty"


@pytest.mark.parametrize("kind", KINDS)
def test_zh_report_is_chinese_throughout(report, kind):
    page = report(kind, "zh")
    assert all(CJK.search(text) for _, text in page.headings)
    assert all(CJK.search(f["caption"]) for f in page.figures.values())
    assert all(CJK.search(t["caption"]) for t in page.tables.values())
    assert all(CJK.search(item) for item in page.items["findings"])
    technical = re.compile(r"^(S1|ST|μ\*|σ)( ±)?$|^[a-z0-9_]+(\.[a-z0-9_]+)+$")  # index symbols, parameter paths
    for tid in page.tables:
        for th in page.table(tid)[0]:
            assert CJK.search(th) or technical.match(th), (tid, th)


@pytest.mark.parametrize("kind", KINDS)
def test_en_report_headings_are_english(report, kind):
    page = report(kind, "en")
    assert not any(CJK.search(text) for _, text in page.headings)
    assert not any(CJK.search(re.sub("亿元|万元|万", "", f["caption"])) for f in page.figures.values())
    for tid in page.tables:
        assert not any(CJK.search(re.sub("亿元|万元", "", th)) for th in page.table(tid)[0]), tid


@pytest.mark.parametrize("kind", KINDS)
def test_markdown_report_has_its_figure_files(report, kind):
    page = report(kind, "en")
    md = (page.folder / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\((report_files/[^)]+\.png)\)", md)
    assert sorted(links) == sorted(f"report_files/{fid}.png" for fid in page.figures)
    for link in links:
        assert (page.folder / link).read_bytes().startswith(PNG)
    assert md.count("\n| ") >= sum(len(t["rows"]) for t in page.tables.values())


@pytest.mark.parametrize("kind", KINDS)
def test_zh_report_names_scenarios_and_parameters_in_chinese(report, kind, dirs):
    text = report(kind, "zh").readable()
    slugs = [s for s in bundled_names() if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
    assert not slugs, f"scenario keys in the Chinese report: {slugs}"
    assert not SCENARIO_PATH.search(text), SCENARIO_PATH.search(text)
    assert "未记录" not in report(kind, "zh").text


def _block_keys() -> set[str]:
    """Every key a bundled scenario gives a bank, guarantor, insurer, fund, pool or product, and the scenarios'."""
    out = set(bundled_names())
    for name in bundled_names():
        s = load_scenario(name)
        out |= {b.name for b in (*s.banks, *s.guarantors, *s.insurers, *s.vc_funds, *s.government.pools, *s.products)}
    return out


def _keys_in(text: str, keys: set[str]) -> list[str]:
    return [k for k in sorted(keys) if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]


@pytest.fixture(scope="module")
def bundled_zh(bundled_dirs, zh_text) -> dict[str, str]:
    """The Chinese reports on every bundled scenario compared, scored and its funds' depletion estimated."""
    return {kind: zh_text(folder) for kind, folder in bundled_dirs.items()}


def test_zh_reports_on_every_bundled_scenario_show_no_key_and_no_parameter_path(bundled_zh):
    keys = _block_keys()
    for kind, text in bundled_zh.items():
        assert not _keys_in(text, keys), f"{kind}: keys in the Chinese report: {_keys_in(text, keys)}"
        assert not SCENARIO_PATH.search(text), (kind, SCENARIO_PATH.search(text))


def test_zh_reports_give_targets_and_out_of_scope_reasons_in_chinese_only(bundled_zh):
    text = bundled_zh["targets"] + bundled_zh["panzhihua-2017-firms"]
    for name in bundled_names():
        for target in load_scenario(name).targets:
            for bilingual in filter(None, (target.label, target.out_of_scope)):
                zh, _, en = bilingual.partition(" — ")
                assert zh.rstrip("。") in text, (name, zh)
                assert en not in text, (name, en)


def test_an_unlabelled_pool_or_guarantor_is_named_by_kind_and_position(tmp_path, bundled_dirs, zh_text):
    """A folder whose scenarios label nothing (written before labels existed, or by a user who gave none)."""
    folder = tmp_path / "folder"
    shutil.copytree(bundled_dirs["depletion"], folder)
    stored = json.loads((folder / "scenarios.json").read_text(encoding="utf-8"))
    for content in stored.values():
        for block in (*content["guarantors"], *content["government"]["pools"], *content["products"]):
            block["label"] = None
    (folder / "scenarios.json").write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    text = zh_text(folder)
    assert "资金池1" in text and "担保机构1" in text
    assert not _keys_in(
        text, {b["name"] for c in stored.values() for b in (*c["guarantors"], *c["government"]["pools"])}
    )
