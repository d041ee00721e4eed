"""Experiment folders for report tests, made the way a user makes them: each fixture runs a real, small
experiment once per test session (``techfin compare``/``sweep``/``sensitivity``/``depletion``/``targets``/``run``
on Xianning's plan with 300 firms), so a report test reads exactly the files and columns the store and the
analyses write."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

RUN_SCENARIO = "xianning-2021"
SCENARIOS = ("xianning-2021", "xianning-2021-downturn")
SMALL = ["--set", "enterprises.initial_count=300", "--quiet"]
SPACE = {
    "name": "tiny-pool",
    "title": "小型资金池设计 — Tiny pool design",
    "base": "xianning-2021",
    "months": 12,
    "metrics": ["credit_cagr", "net_public_cost_wan", "pool_depleted", "new_credit_wan"],
    "parameters": [
        {
            "path": "government.pools.tech-credit.topup_wan",
            "label": "资金池每年补充（万元） — yearly pool top-up (万元)",
            "role": "lever",
            "bounds": [0, 3000],
        },
        {
            "path": "products.tech-pool-loan.interest_subsidy_share",
            "label": "贷款贴息比例 — interest subsidy share",
            "role": "lever",
            "bounds": [0.0, 0.5],
        },
    ],
}


def techfin(*args: str) -> None:
    from experiments.cli import main

    assert main([*map(str, args)]) == 0, args


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "folder"
    techfin("compare", *SCENARIOS, "--replicates", 3, "--months", 18, "--seed", 11, *SMALL, "--out", out)
    return out


@pytest.fixture(scope="session")
def depletion_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("depletion") / "folder"
    pool = "government.pools.tech-credit.initial_wan=150"  # a small pool, so that some runs exhaust it
    techfin("depletion", *SCENARIOS, "--replicates", 4, "--months", 24, *SMALL, "--set", pool, "--out", out)
    return out


@pytest.fixture(scope="session")
def targets_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("targets") / "folder"
    techfin("targets", RUN_SCENARIO, "--replicates", 4, "--months", 24, *SMALL, "--out", out)
    return out


@pytest.fixture(scope="session")
def space_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("space") / "tiny-pool.yaml"
    path.write_text(yaml.safe_dump(SPACE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory, space_file) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "folder"
    techfin("sweep", space_file, "--points", 2, "--replicates", 2, *SMALL, "--out", out)
    return out


@pytest.fixture(scope="session")
def sensitivity_dir(tmp_path_factory, space_file) -> Path:
    out = tmp_path_factory.mktemp("sensitivity") / "folder"
    techfin("sensitivity", space_file, "--method", "sobol", "--n", 4, *SMALL, "--out", out)
    return out


@pytest.fixture(scope="session")
def morris_dir(tmp_path_factory, space_file) -> Path:
    out = tmp_path_factory.mktemp("morris") / "folder"
    techfin("sensitivity", space_file, "--method", "morris", "--n", 3, *SMALL, "--out", out)
    return out


@pytest.fixture(scope="session")
def bundled_dirs(tmp_path_factory) -> dict[str, Path]:
    """Every bundled scenario compared, its targets scored and its pools and guarantors' depletion estimated, small
    (a twentieth of each region, a year, two replicates); the scenario read from a CSV of firms, which cannot be
    scaled, has a folder of its own."""
    from sim.scenario import bundled_names

    csv = "panzhihua-2017-firms"
    names = [n for n in bundled_names() if n != csv]
    small = ["--replicates", 2, "--months", 12, "--scale", 0.05, "--quiet"]
    out = {}
    for kind in ("compare", "targets", "depletion"):
        out[kind] = tmp_path_factory.mktemp(f"bundled-{kind}") / "folder"
        mixed = ["--allow-mismatch"] if kind == "compare" else []  # regions differ: only the names are under test
        techfin(kind, *names, *small, *mixed, "--out", out[kind])
    out[csv] = tmp_path_factory.mktemp("bundled-csv") / "folder"
    techfin("targets", csv, "--replicates", 1, "--months", 6, "--quiet", "--out", out[csv])
    return out


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "xianning"
    techfin("run", RUN_SCENARIO, "--months", 12, "--out", out)
    return out


PROVENANCE = {"tab-provenance", "tab-digests", "tab-libraries"}  # command lines, file paths: verbatim by design


class Page(HTMLParser):
    """A report page read back: headings, figures, tables (cell text), list items, element ids and links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.headings: list[tuple[str, str]] = []
        self.figures: dict[str, dict[str, str]] = {}
        self.tables: dict[str, dict] = {}
        self.items: dict[str, list[str]] = {}
        self.tags: list[str] = []
        self.urls: list[str] = []
        self._buf: list[str] | None = None
        self._figure = self._table = self._list = None
        self._row: list[str] | None = None
        self._head = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "figure":
            self._figure = a.get("id")
            self.figures[self._figure] = {}
        elif tag == "img" and self._figure:
            self.figures[self._figure] |= {"src": a.get("src", ""), "alt": a.get("alt", "")}
        elif tag == "table":
            self._table = a.get("id")
            self.tables[self._table] = {"caption": "", "header": [], "rows": []}
        elif tag == "tr":
            self._row = []
        elif tag == "thead":
            self._head = True
        elif tag == "ul":
            self._list = a.get("id")
            self.items[self._list] = []
        if tag in ("h1", "h2", "h3", "th", "td", "caption", "figcaption", "li"):
            self._buf = []

    def handle_data(self, data):
        if self._buf is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._buf or [])
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, text))
        elif tag in ("th", "td") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._table:
            t = self.tables[self._table]
            t["header" if self._head else "rows"].append(self._row)
            self._row = None
        elif tag == "caption" and self._table:
            self.tables[self._table]["caption"] = text
        elif tag == "figcaption" and self._figure:
            self.figures[self._figure]["caption"] = text
        elif tag == "li" and self._list is not None:
            self.items[self._list].append(text)
        elif tag == "thead":
            self._head = False
        elif tag == "table":
            self._table = None
        elif tag == "figure":
            self._figure = None
        if tag in ("h1", "h2", "h3", "th", "td", "caption", "figcaption", "li"):
            self._buf = None

    def readable(self) -> str:
        """Everything a reader reads except the provenance tables (which quote command lines and file paths)."""
        parts = [text for _, text in self.headings]
        parts += [f.get("caption", "") + f.get("alt", "") for f in self.figures.values()]
        parts += [item for items in self.items.values() for item in items]
        for tid, table in self.tables.items():
            if tid not in PROVENANCE:
                parts += [table["caption"], *(c for row in table["header"] + table["rows"] for c in row)]
        return "\n".join(parts)

    def table(self, tid: str) -> tuple[list[str], list[list[str]]]:
        t = self.tables[tid]
        header = t["header"][0] if t["header"] else []
        return header, t["rows"]


@pytest.fixture(scope="session")
def dirs(compare_dir, depletion_dir, targets_dir, sweep_dir, sensitivity_dir, morris_dir, run_dir) -> dict[str, Path]:
    return {
        "compare": compare_dir,
        "depletion": depletion_dir,
        "targets": targets_dir,
        "sweep": sweep_dir,
        "sensitivity": sensitivity_dir,
        "morris": morris_dir,
        "run": run_dir,
    }


@pytest.fixture(scope="session")
def report(tmp_path_factory, dirs):
    """``report(kind, lang)`` → the parsed ``report.html`` of a fresh copy of that folder (``.folder`` set)."""
    from experiments.report import write_report

    cache: dict[tuple[str, str], Page] = {}

    def make(kind: str, lang: str) -> Page:
        if (kind, lang) not in cache:
            src = dirs[kind]
            dst = tmp_path_factory.mktemp(f"{kind}-{lang}") / src.name
            shutil.copytree(src, dst)
            write_report(dst, lang, "both")
            page = Page((dst / "report.html").read_text(encoding="utf-8"))
            page.folder = dst
            cache[kind, lang] = page
        return cache[kind, lang]

    return make


@pytest.fixture(scope="session")
def zh_text(tmp_path_factory):
    """``zh_text(folder)`` → the readable text of the Chinese report on a fresh copy of ``folder``."""
    from experiments.report import write_report

    def make(src: Path) -> str:
        dst = tmp_path_factory.mktemp("zh") / src.name
        shutil.copytree(src, dst)
        write_report(dst, "zh", "html")
        return Page((dst / "report.html").read_text(encoding="utf-8")).readable()

    return make
