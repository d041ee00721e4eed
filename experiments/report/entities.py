"""What a report calls a scenario's lenders, guarantors, insurers, funds, pools and products.

A scenario refers to each of them by its ``name`` (``tech-credit``, ``xn-guarantor``), a key, not a name for a
reader. A report shows its ``label`` ("中文 — English") instead, in the report's language; one without a label
(or without Chinese, in a Chinese report) is named by kind and position — "资金池1", "pool 1" — so a Chinese
report never shows a key. ``naming(entities)`` makes a folder's names the ones every table, figure and sentence
of the report being built uses (metric labels such as ``pool.<name>.depleted`` included).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.schema_base import CJK, SEP

GENERIC: dict[str, tuple[str, str]] = {
    "bank": ("lender {n}", "贷款机构{n}"),
    "guarantor": ("guarantor {n}", "担保机构{n}"),
    "reguarantor": ("re-guarantor {n}", "再担保机构{n}"),
    "insurer": ("insurer {n}", "保险机构{n}"),
    "vc": ("fund {n}", "创投基金{n}"),
    "pool": ("pool {n}", "资金池{n}"),
    "product": ("product {n}", "产品{n}"),
}
"""How a block without a usable label is named, by kind: English, Chinese."""


def half(text: str, lang: str) -> str:
    """The Chinese (``lang`` "zh") or English part of a "中文 — English" text; a text without " — " is both."""
    zh, sep, en = str(text).partition(SEP)
    if not sep:
        return str(text).strip()
    return (zh if lang == "zh" else en).strip()


def _blocks(scenario: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(kind, block)`` of every named block of a scenario (its validated content, as a folder stores it)."""
    for kind, items in (
        ("bank", scenario.get("banks")),
        ("guarantor", scenario.get("guarantors")),
        ("insurer", scenario.get("insurers")),
        ("vc", scenario.get("vc_funds")),
        ("pool", (scenario.get("government") or {}).get("pools")),
        ("product", scenario.get("products")),
    ):
        for block in items or []:
            if isinstance(block, dict) and block.get("name"):
                yield ("reguarantor" if block.get("reguarantor") else kind), block


@dataclass
class Entities:
    """Labels and positions of the named blocks of one or more scenarios, by (kind, name)."""

    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    order: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, kind: str, name: str, label: str | None) -> None:
        """Record a block; the first scenario that has ``name`` sets its label and position."""
        if (kind, name) not in self.order:
            self.order[kind, name] = 1 + sum(k == kind for k, _ in self.order)
            self.labels[kind, name] = str(label or "")

    def name(self, kind: str, name: str, lang: str) -> str:
        """The block's name in ``lang``: its label's half, else (in Chinese always) its kind and position."""
        if kind == "guarantor" and ("guarantor", name) not in self.order and ("reguarantor", name) in self.order:
            kind = "reguarantor"
        self.add(kind, name, None)  # a name no scenario declared is numbered after those that were
        text = half(self.labels[kind, name], lang) if self.labels[kind, name] else ""
        if lang == "zh" and not CJK.search(text):
            return GENERIC.get(kind, GENERIC["product"])[1].format(n=self.order[kind, name])
        return text or name


def from_scenarios(scenarios: Iterable[dict[str, Any]]) -> Entities:
    """The named blocks of ``scenarios`` (validated contents: ``scenarios.json`` values, a run's ``scenario.json``)."""
    out = Entities()
    for scenario in scenarios:
        for kind, block in _blocks(scenario or {}):
            out.add(kind, str(block["name"]), block.get("label"))
    return out


def of_folder(folder: Path) -> Entities:
    """The named blocks of the scenarios a run or experiment folder stored (``scenario.json``, ``scenarios.json``)."""
    from experiments.store import folder as schema

    stored = []
    for name, many in ((schema.SCENARIOS, True), (schema.SCENARIO, False)):
        path = Path(folder) / name
        if path.is_file():
            content = json.loads(path.read_text(encoding="utf-8"))
            stored += list(content.values()) if many else [content]
    return from_scenarios(stored)


_CURRENT: ContextVar[Entities | None] = ContextVar("report_entities", default=None)


@contextmanager
def naming(entities: Entities) -> Iterator[Entities]:
    """Within the block, :func:`entity` names blocks as ``entities`` does."""
    token = _CURRENT.set(entities)
    try:
        yield entities
    finally:
        _CURRENT.reset(token)


def entity(kind: str, name: str, lang: str) -> str:
    """The name of block ``name`` of ``kind`` in the report being built; outside one (no scenario known) its key
    in English and its kind numbered 1 in Chinese."""
    return (_CURRENT.get() or Entities()).name(kind, name, lang)
