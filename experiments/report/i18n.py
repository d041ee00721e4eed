"""Every word a report shows, in English and Chinese.

The words are kept by topic — the page's frame (``i18n_page``), figures (``i18n_figures``), findings and verdicts
(``i18n_findings``), calibration and evidence (``i18n_evidence``), instruments without business
(``i18n_instruments``) — and merged here into one table, ``TEXT``. ``t(key, lang, **fields)`` returns the sentence
for ``key`` with ``fields`` filled in; ``metric_name`` names a model metric with its label from the metric registry
(``sim.metrics``), and a pool, product or guarantor in it by its name in the scenario (``entities``).
"""

from __future__ import annotations

import re

from experiments.report import i18n_evidence, i18n_figures, i18n_findings, i18n_instruments, i18n_page
from experiments.report.entities import entity
from sim import metrics

LANGS = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {}
for _part in (i18n_page, i18n_evidence, i18n_figures, i18n_findings, i18n_instruments):
    if _twice := set(TEXT) & set(_part.TEXT):
        raise AssertionError(f"{_part.__name__} repeats {sorted(_twice)}")
    TEXT.update(_part.TEXT)

NAMED = re.compile(r"(?P<kind>pool|product|guarantor)\.(?P<name>[^.]+)\..+")
"""Outcomes of one pool, product or guarantor: ``pool.<name>.depleted``, ``product.<name>.written_wan`` …"""
KIND_WORD = re.compile(r"(?i:pool|product|guarantor) \{name\}|(?:资金池|产品|担保机构)\{name\}")
"""The kind word before ``{name}`` in a registry label, dropped when the name says what it is."""


def t(key: str, lang: str, **fields: object) -> str:
    """The text for ``key`` in ``lang`` ("en" or "zh"), with ``fields`` substituted.

    Raises:
        KeyError: if ``key`` is not in the dictionary (a missing translation is a bug, not a fallback).
    """
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def capital(text: str) -> str:
    """``text`` with its first letter upper case (a name at the start of an English sentence)."""
    return text[:1].upper() + text[1:]


def metric_name(metric: str, lang: str) -> str:
    """A metric's label from the metric registry (``sim.metrics``), naming the pool, product or guarantor of a
    per-instrument outcome as the scenario does (``entities``); a name the registry lacks (an output of a test
    function run in place of the simulator) keeps its column name."""
    hit = NAMED.fullmatch(metric)
    pattern = next((p for p in metrics.patterns() if hit and re.fullmatch(p.regex, metric)), None)
    if hit is None or pattern is None or metrics.registry().get(metric):
        return metrics.label(metric, lang)
    name = entity(hit["kind"], hit["name"], lang)
    parts = re.fullmatch(pattern.regex, metric).groupdict() | {"name": name}  # type: ignore[union-attr]
    template = pattern.zh if lang == "zh" else pattern.en
    if name != hit["name"]:  # a label or a numbered name says what it is; a bare key keeps the kind word
        template = KIND_WORD.sub("{name}", template)
    return capital(template.format(**parts)) if lang == "en" else template.format(**parts)


def entity_name(entity_key: str, lang: str) -> str:
    """A depletion table's fund: ``"pool:tech-credit"`` → the pool's name; ``"guarantor"`` → "guarantor
    capital" (the guarantors' summed net assets); ``"guarantor:<name>"`` → that guarantor's name."""
    kind, _, name = entity_key.partition(":")
    if kind == "guarantor" and not name:
        return t("entity.guarantor", lang)
    if kind in ("pool", "guarantor"):
        text = entity(kind, name, lang)  # a bare key (an English report on an unlabelled fund) keeps its kind
        return t("entity.pool" if kind == "pool" else "entity.one_guarantor", lang, name=name) if text == name else text
    return entity_key
