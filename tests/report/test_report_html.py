import base64
import re
import xml.etree.ElementTree as ET

import pytest

from sim import metrics
from sim.scenario import bundled_names

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
PROVENANCE = {"tab-provenance", "tab-digests", "tab-libraries"}  # command lines, file paths: verbatim by design
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


def _readable_text(page) -> str:
    """Everything a reader reads except the provenance tables (which quote command lines and file paths)."""
    parts = [text for _, text in page.headings] + [
        f.get("caption", "") + f.get("alt", "") for f in page.figures.values()
    ]
    parts += [item for items in page.items.values() for item in items]
    for tid, table in page.tables.items():
        if tid not in PROVENANCE:
            parts += [table["caption"], *(c for row in table["header"] + table["rows"] for c in row)]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", KINDS)
def test_zh_report_names_scenarios_and_parameters_in_chinese(report, kind, dirs):
    text = _readable_text(report(kind, "zh"))
    slugs = [s for s in bundled_names() if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
    assert not slugs, f"scenario keys in the Chinese report: {slugs}"
    assert not SCENARIO_PATH.search(text), SCENARIO_PATH.search(text)
    assert "未记录" not in report(kind, "zh").text
