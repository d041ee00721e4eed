"""What a report calls things: scenarios by their titles, parameters by their labels, in the report's language.

A scenario's or a space's ``title`` and a space parameter's ``label`` are written "中文 — English"; the part
before " — " is the Chinese name, the part after it the English one (a title without " — " serves both). A
report shows these instead of scenario keys (``xianning-2021``) and parameter paths
(``government.pools.tech-credit.topup_wan``); :func:`localise` rewrites the scenario columns of a folder's tables
once, so every table, figure and sentence after it names scenarios the same way. A scenario's banks, pools,
products and funds are named by their labels too (``experiments.report.entities``), and so are a target and the
reason it is out of scope.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from experiments.report.entities import Entities, from_scenarios, half
from experiments.report.i18n import t
from experiments.report.labels import param_label
from experiments.store.folder import PARAM
from sim.schema_base import CJK

if TYPE_CHECKING:
    from experiments.report.load import ReportData


def target_label(label: object, lang: str) -> str:
    """A target's label in ``lang``; "" when it has none, or none in Chinese for a Chinese report (the report then
    names the target by its condition, which it writes in Chinese itself)."""
    if not isinstance(label, str) or not label.strip():
        return ""
    text = half(label, lang)
    return "" if lang == "zh" and not CJK.search(text) else text


def reason(text: object, lang: str) -> str:
    """Why a target is out of scope, in ``lang``; a reason without Chinese reads, in a Chinese report, as the
    model lacking what the target measures."""
    if not isinstance(text, str) or not text.strip():
        return ""
    out = half(text, lang).rstrip("。.")
    return t("target.no_reason", lang) if lang == "zh" and not CJK.search(out) else out


def entities(data: ReportData) -> Entities:
    """The named blocks of the scenarios a folder holds (an experiment's stored scenarios, a run's scenario)."""
    return from_scenarios([*data.stored_scenarios.values(), data.scenario])


def scenario_titles(data: ReportData) -> dict[str, str]:
    """Each scenario key's title, from the stored scenarios, the manifest or a run's summary."""
    out = {str(k): str(v.get("title") or "") for k, v in data.stored_scenarios.items()}
    for k, v in (data.manifest.get("scenarios") or {}).items():
        out.setdefault(str(k), str(v.get("title") or ""))
    if data.kind == "run":
        out[data.name] = str(data.summary.get("title") or "")
    return out


def scenario_label(titles: dict[str, str], key: str, lang: str) -> str:
    """The scenario's name in ``lang``; a second copy of one scenario (``name~2``) is numbered; a scenario without
    a title keeps its key."""
    base, tilde, n = key.partition("~")
    title = titles.get(key) or titles.get(base) or ""
    name = half(title, lang) if title else base
    return f"{name} ({n})" if tilde else name


def parameter_labels(space: dict[str, Any] | None, lang: str) -> dict[str, str]:
    """``param.<name>`` column → the parameter's label in ``lang`` (its name or path when it has none)."""
    out = {}
    for p in (space or {}).get("parameters") or []:
        key = p.get("name") or p.get("path")
        out[f"{PARAM}{key}"] = half(p["label"], lang) if p.get("label") else param_label(str(key), lang)
    return out


def _title(data: ReportData, labels: dict[str, str], lang: str) -> str:
    """A run's scenario, a designed experiment's space, or the scenarios an experiment compares."""
    space = data.manifest.get("space") or {}
    if space.get("title"):
        return half(str(space["title"]), lang)
    if data.kind == "run" or data.manifest.get("scenarios"):
        sep = "、" if lang == "zh" else ", "
        return sep.join(dict.fromkeys(labels.get(s, s) for s in data.scenarios)) or data.name
    return data.name


def localise(data: ReportData, lang: str) -> ReportData:
    """A copy of ``data`` whose tables, scenario order, baseline, horizons and start months name scenarios by their
    titles in ``lang``; ``data.labels`` maps each key to its label."""
    titles = scenario_titles(data)
    keys = set(titles) | set(data.scenarios)
    labels = {k: scenario_label(titles, k, lang) for k in keys}
    params = parameter_labels(data.manifest.get("space"), lang)
    tables = {}
    for name, df in data.tables.items():
        cols = [c for c in ("scenario", "baseline") if c in df.columns]
        df = df.assign(**{c: df[c].astype(str).map(lambda s: labels.get(s, s)) for c in cols})
        if name == "points":  # parameter columns keep their prefix, so they are still found as parameters
            df = df.rename(columns={c: PARAM + params[c] for c in df.columns if c in params})
        if name == "targets":
            df = df.assign(label=df["label"].map(lambda x: target_label(x, lang)))
            df = df.assign(reason=df["reason"].map(lambda x: reason(x, lang)))
        if name == "indices":
            df = df.assign(parameter=df["parameter"].map(lambda p: params.get(PARAM + str(p), str(p))))
        tables[name] = df
    out = dataclasses.replace(
        data,
        tables=tables,
        horizon={labels.get(k, k): v for k, v in data.horizon.items()},
        starts={labels.get(k, k): v for k, v in data.starts.items()},
    )
    out.labels = labels
    out.params = params
    out.title = _title(data, labels, lang)
    out.__dict__["scenarios"] = [labels.get(s, s) for s in data.scenarios]
    out.__dict__["stored_scenarios"] = data.stored_scenarios
    return out
