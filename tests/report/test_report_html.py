import base64
import re
import xml.etree.ElementTree as ET

import pytest

KINDS = ("compare", "depletion", "targets", "sweep", "sensitivity", "run")
FANS = [
    f"fig-fan-{m}"
    for m in (
        "tech_loan_balance_wan",
        "borrowers",
        "pool_balance_wan",
        "guarantor_net_assets_wan",
        "fiscal_spending_cum_wan",
        "npl_ratio",
    )
]
COMMON = {"tab-what", "tab-provenance", "tab-libraries"}
EXPECTED = {
    "compare": ({"fig-paired", *FANS}, COMMON | {"tab-runs", "tab-digests", "tab-paired", "tab-stats"}),
    "depletion": (
        {"fig-survival", *FANS},
        COMMON | {"tab-runs", "tab-depletion-median", "tab-depletion-by-year", "tab-outcomes"},
    ),
    "targets": ({"fig-targets"}, COMMON | {"tab-runs", "tab-targets", "tab-outcomes"}),
    "sweep": ({"fig-heatmap"}, COMMON | {"tab-runs", "tab-points"}),
    "sensitivity": ({"fig-sensitivity"}, COMMON | {"tab-runs", "tab-indices-sobol", "tab-indices-morris"}),
    "run": (
        {f.replace("fan", "run") for f in FANS},
        COMMON | {"tab-key", "tab-year-end", "tab-pools", "tab-run-targets"},
    ),
}
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
    assert not any(CJK.search(f["caption"]) for f in page.figures.values())
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
