"""What was run and where it came from: the opening table and the closing provenance block of a report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from experiments.report.doc import Table
from experiments.report.fmt import plain
from experiments.report.i18n import TEXT, metric_name, t
from experiments.report.load import ReportData, run_counts
from experiments.report.tables import seed_list


def kind_name(kind: str, lang: str) -> str:
    """ "scenario comparison" for ``compare``; an unknown kind keeps its name."""
    return t(f"kind.{kind}", lang) if f"kind.{kind}" in TEXT else kind


def _text(v: Any) -> str:
    if v is None or v == "" or v == {} or v == []:
        return "—"
    if isinstance(v, list | tuple):
        return ", ".join(x if isinstance(x, str) else plain(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {plain(x)}" for k, x in v.items())
    return plain(v)


def _raw(v: Any) -> str:
    """Seeds, commands and other identifiers: as written, no thousands separators."""
    return "—" if v is None or v == "" else str(v)


def what_table(data: ReportData, lang: str) -> Table:
    """Kind, name, scenarios, replicates, seeds, months and run counts."""
    rows = _run_rows(data, lang) if data.kind == "run" else _experiment_rows(data, lang)
    return Table("tab-what", t("h.what", lang), [t("col.item", lang), t("col.value", lang)], rows, kv=True)


def _run_rows(data: ReportData, lang: str) -> list[list[str]]:
    s = data.summary
    return [
        [t("k.kind", lang), kind_name("run", lang)],
        [t("k.scenarios", lang), data.title],
        [t("k.seed", lang), _raw(s.get("seed"))],
        [t("k.period", lang), f"{s.get('start', '—')} → {s.get('end', '—')}"],
        [t("k.months", lang), _text(s.get("months"))],
    ]


def _experiment_rows(data: ReportData, lang: str) -> list[list[str]]:
    m = data.manifest
    rows = [
        [t("k.kind", lang), kind_name(data.kind, lang)],
        [t("k.name", lang), data.title],
        [t("k.created", lang), _text(m.get("created"))],
        [t("k.scenarios", lang), ", ".join(data.scenarios) or "—"],
    ]
    if data.baseline:
        rows.append([t("k.baseline", lang), data.baseline])
    rows += [
        [t("k.replicates", lang), _text(m.get("replicates"))],
        [t("k.master_seed", lang), _raw(m.get("master_seed"))],
    ]
    runs = data.table("runs")
    if runs is not None and {"replicate", "seed"} <= set(runs.columns):
        seeds = runs.sort_values("replicate").drop_duplicates("replicate")["seed"].tolist()
        rows.append([t("k.seeds", lang), seed_list(seeds)])
    rows.append([t("k.months", lang), _text(m.get("months") or data.horizon)])
    if runs is not None:
        c = run_counts(runs)
        total, ok = int(c["runs"].sum()), int(c["ok"].sum())
        rows.append([t("k.runs", lang), t("runs.count", lang, total=total, ok=ok, failed=total - ok)])
    if m.get("metrics"):
        rows.append([t("k.metrics", lang), "; ".join(metric_name(str(x), lang) for x in m["metrics"])])
    if m.get("space"):
        rows.append([t("k.space", lang), f"{data.title}: {'; '.join(data.params.values())}"])
    if data.kind in ("compare", "depletion", "targets"):
        p = m.get("posterior")
        shown = (
            t("k.posterior.yes", lang, sets=p["sets"], name=p.get("calibration") or "?")
            if p
            else t("k.posterior.no", lang)
        )
        rows.append([t("k.posterior", lang), shown])
    return rows


def _provenance_rows(data: ReportData, lang: str) -> tuple[list[list[str]], dict[str, str]]:
    """Key/value rows and the library versions recorded with the results (an experiment's manifest, a run
    folder's ``provenance.json``), and the code version writing the report."""
    from experiments.store.provenance import code_version

    made = f"{code_version()} · {datetime.now():%Y-%m-%d %H:%M}"
    rec = data.provenance if data.kind == "run" else data.manifest
    rows = [
        [t("k.command", lang), _raw(rec.get("command"))],
        [t("k.code_version", lang), _text(rec.get("code_version"))],
    ]
    if data.kind == "run":
        rows += [
            [t("k.scenarios", lang), data.title],
            [t("k.seed", lang), _raw(data.summary.get("seed"))],
            [t("k.scenario_digest", lang), _raw(rec.get("scenario_digest"))],
        ]
    else:
        rows.append([t("k.master_seed", lang), _raw(rec.get("master_seed"))])
    rows += [[t("k.created", lang), _text(rec.get("created"))], [t("k.report_version", lang), made]]
    return rows, {str(k): str(v) for k, v in (rec.get("library_versions") or {}).items()}


def provenance_tables(data: ReportData, lang: str) -> list[Table]:
    """Command line, code version, seeds, scenario digests and library versions."""
    rows, libs = _provenance_rows(data, lang)
    header = [t("col.item", lang), t("col.value", lang)]
    tables = [Table("tab-provenance", t("h.provenance", lang), header, rows, kv=True)]
    scen = data.manifest.get("scenarios") or {}
    if scen:
        header = [t("col.scenario", lang), t("col.file", lang), t("col.digest", lang)]
        digests = [
            [data.labels.get(str(n), str(n)), _text(e.get("file")), _raw(e.get("digest"))] for n, e in scen.items()
        ]
        tables.append(Table("tab-digests", t("k.scenario_digest", lang), header, digests))
    if libs:
        header = [t("col.library", lang), t("col.version", lang)]
        tables.append(Table("tab-libraries", t("col.library", lang), header, [[k, v] for k, v in libs.items()]))
    return tables
