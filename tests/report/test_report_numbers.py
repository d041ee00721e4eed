import json
import math
import re

import pandas as pd
import pytest

from experiments.report.i18n import metric_name
from experiments.report.load import load_folder
from experiments.report.names import scenario_label, scenario_titles

NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def strip_unit(label: str) -> str:
    """ "New credit (亿元)" or "新增贷款（亿元）" → the metric's name."""
    return re.sub(r"\s*[（(][^（()）]*[)）]$", "", label)


def numbers(cell: str) -> list[str]:
    return NUMBER.findall(cell)


def factor(label: str) -> float:
    """The scaling the unit a heading or cell ends with implies: 亿元 divides 万元 by 10,000; %, pp multiply shares
    by 100 (a heading's unit is in its last brackets, so "95% CI" in the heading's text does not count)."""
    unit = re.search(r"[（(]([^（()）]*)[)）]$", label)
    text = unit.group(1) if unit else label
    if "亿元" in text:
        return 1e-4
    if re.search(r"%|\bpp\b|百分点", text):
        return 100.0
    return 1.0


def close(shown: str, value: float, scale: float = 1.0) -> bool:
    """``shown`` is ``value × scale`` rounded to the decimals it displays."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown.replace(",", "")) - value * scale) <= 0.5 * 10**-decimals + 1e-9


def check(cell: str, values: list[float], scale: float) -> None:
    if all(pd.isna(v) for v in values):
        assert not numbers(cell) and "—" in cell, (cell, values)
        return
    shown = numbers(cell)
    assert len(shown) == len(values), (cell, values)
    for s, v in zip(shown, values, strict=True):
        assert close(s, v, scale), (cell, values, scale)


def beside(page, block: str, frame: pd.DataFrame) -> tuple[list[str], list[tuple[pd.Series, list[str]]]]:
    """Table ``block``'s header, and each of its rows beside the frame's row in the same place (as many of each)."""
    header, rows = page.table(block)
    assert len(rows) == len(frame), (block, len(rows), len(frame))
    return header, [(r, row) for (_, r), row in zip(frame.iterrows(), rows, strict=True)]


def scenario_keys(folder, lang: str) -> dict[str, str]:
    """A report's scenario name → the scenario key in the folder's tables."""
    data = load_folder(folder)
    titles = scenario_titles(data)
    return {scenario_label(titles, k, lang): k for k in data.scenarios}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_tables_equal_the_data(report, compare_dir, lang):
    page = report("compare", lang)
    keys = scenario_keys(compare_dir, lang)
    stats = pd.read_parquet(compare_dir / "stats.parquet")
    _, rows = page.table("tab-stats")
    names = {metric_name(m, lang): m for m in stats["metric"]}
    assert rows and {r[1] for r in rows} == set(keys)
    for label, scenario, mean, ci, sd, n in rows:
        metric = names[strip_unit(label)]
        r = stats[(stats["scenario"] == keys[scenario]) & (stats["metric"] == metric)].iloc[0]
        check(mean, [r["mean"]], factor(label))
        check(ci, [r["ci_low"], r["ci_high"]], factor(label))
        if not math.isnan(r["sd"]):
            check(sd, [r["sd"]], factor(label))
        assert int(n) == r["n"]
    paired = pd.read_parquet(compare_dir / "paired.parquet")
    _, rows = page.table("tab-paired")
    assert rows
    for label, scenario, diff, ci, n in rows:
        metric = names[strip_unit(label)]
        r = paired[(paired["scenario"] == keys[scenario]) & (paired["metric"] == metric)].iloc[0]
        check(diff, [r["mean_diff"]], factor(label))
        check(ci, [r["ci_low"], r["ci_high"]], factor(label))
        assert int(n) == r["n"]


def test_compare_findings_quote_the_paired_difference(report, compare_dir):
    page = report("compare", "en")
    keys = scenario_keys(compare_dir, "en")
    label = next(k for k, v in keys.items() if v == "xianning-2021-downturn")
    base = next(k for k, v in keys.items() if v == "xianning-2021")
    r = pd.read_parquet(compare_dir / "paired.parquet").set_index(["scenario", "metric"])
    r = r.loc[("xianning-2021-downturn", "credit_balance_end_wan")]
    sentence = next(s for s in page.items["findings"] if s.startswith(f"{label}: Tech-loan balance at end"))
    assert f"{abs(r['mean_diff']) / 1e4:,.2f}亿元 lower than {base}" in sentence
    assert f"95% CI {r['ci_low'] / 1e4:,.2f}亿元 to {r['ci_high'] / 1e4:,.2f}亿元" in sentence


def fund_names(folder, lang: str) -> dict[str, str]:
    """Each depletion entity's name as the folder's stored scenarios label it: the label's half in ``lang``."""
    out = {"guarantor": "guarantor capital" if lang == "en" else "担保机构资本"}
    for s in json.loads((folder / "scenarios.json").read_text(encoding="utf-8")).values():
        for kind, blocks in (("pool", s["government"]["pools"]), ("guarantor", s["guarantors"])):
            out.update({f"{kind}:{b['name']}": b["label"].split(" — ")[lang == "en"] for b in blocks})
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_depletion_tables_equal_the_data(report, depletion_dir, lang):
    page = report("depletion", lang)
    keys = scenario_keys(depletion_dir, lang)
    names = fund_names(depletion_dir, lang)
    median = pd.read_parquet(depletion_dir / "depletion_median.parquet")
    for r, row in beside(page, "tab-depletion-median", median)[1]:
        assert [keys[row[0]], row[1]] == [r["scenario"], names[r["entity"]]]
        assert row[5] == f"{r['events']} / {r['n']}"
        if math.isnan(r["median_month"]):
            assert not numbers(row[2]) and not numbers(row[3])
        else:
            check(row[2], [r["median_month"]], 1)
    by_year = pd.read_parquet(depletion_dir / "depletion_by_year.parquet")
    header, rows = page.table("tab-depletion-by-year")
    years = [int(re.search(r"20\d\d", h).group()) for h in header[2:]]
    for row in rows:
        entity = next(e for e in by_year["entity"].unique() if names[e] == row[1])
        for year, cell in zip(years, row[2:], strict=True):
            r = by_year[
                (by_year["scenario"] == keys[row[0]]) & (by_year["entity"] == entity) & (by_year["year"] == year)
            ]
            check(cell, [r["prob"].iloc[0]], 100)


def test_depletion_findings_give_probability_by_plan_end(report, depletion_dir):
    page = report("depletion", "en")
    keys = scenario_keys(depletion_dir, "en")
    surv = pd.read_parquet(depletion_dir / "survival.parquet")
    for label, key in keys.items():
        s = surv[(surv["scenario"] == key) & (surv["entity"] == "pool:tech-credit") & (surv["month"] <= 24)]
        prob = 100 * (1 - s.sort_values("month")["survival"].iloc[-1])
        pool = fund_names(depletion_dir, "en")["pool:tech-credit"]
        sentence = next(x for x in page.items["findings"] if x.startswith(f"{label}: {pool}"))
        assert f"before the plan ends (2023-07) in {prob:.1f}% of runs" in sentence


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_targets_table_equals_the_data(report, targets_dir, lang):
    from experiments.report.names import target_label

    page = report("targets", lang)
    keys = scenario_keys(targets_dir, lang)
    targets = pd.read_parquet(targets_dir / "targets.parquet")
    header, rows = beside(page, "tab-targets", targets)
    for r, row in rows:
        assert keys[row[0]] == r["scenario"] and row[3] == r["date"]
        if r["state"] == "scored":
            assert row[5] == f"{r['successes']} / {r['n']}"
            check(row[6], [r["prob"]], factor(header[6]))
            check(row[7], [r["ci_low"], r["ci_high"]], factor(header[7]))
        else:  # no probability: the verdict says why
            assert row[6] == row[7] == "—"
            reason = r["reason"].split(" — ")[lang == "en"] if r["state"] == "out_of_scope" else ""  # its half
            want = reason or {"en": "not reached", "zh": "未到期"}[lang]
            assert want in row[5]
        if r["state"] == "not_reached" or pd.isna(r["value_median"]):  # nothing achieved to show
            assert row[4] == "—"
        else:  # the achieved median and its 10–90% range, in the threshold's unit
            # the unit the registry's formatter chose, as the cell shows it
            scale = 1e-4 if ("亿" in row[4] or "100m" in row[4]) else 100.0 if "%" in row[4] else 1.0
            got = [float(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*\.?\d*", row[4])[:3]]
            want_v = [r["value_median"], r["value_p10"], r["value_p90"]]
            assert got == pytest.approx([v * scale for v in want_v], rel=0.01, abs=0.01)
        assert row[1] == target_label(r["label"], lang) != ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sweep_points_table_equals_the_data(report, sweep_dir, lang):
    from experiments.report.names import parameter_labels

    page = report("sweep", lang)
    points = pd.read_parquet(sweep_dir / "points.parquet")
    header, rows = beside(page, "tab-points", points)
    params = [c for c in points.columns if c.startswith("param.")]
    labels = parameter_labels(load_folder(sweep_dir).manifest["space"], lang)
    assert header[1 : 1 + len(params)] == [labels[p] for p in params]
    metrics = [c.removesuffix(".mean") for c in points.columns if c.endswith(".mean")]
    for r, row in rows:
        assert int(row[0]) == r["point"]
        for p, cell in zip(params, row[1 : 1 + len(params)], strict=True):
            check(cell, [r[p]], 1)
        for m, h, cell in zip(metrics, header[1 + len(params) :], row[1 + len(params) :], strict=True):
            check(cell, [r[f"{m}.mean"], r[f"{m}.ci_low"], r[f"{m}.ci_high"]], factor(h))


@pytest.mark.parametrize("kind", ["sensitivity", "morris"])
def test_sensitivity_tables_equal_the_data(report, dirs, kind):
    from experiments.report.names import parameter_labels

    page = report(kind, "en")
    folder = dirs[kind]
    labels = parameter_labels(load_folder(folder).manifest["space"], "en")
    idx = pd.read_parquet(folder / "indices.parquet")
    idx = idx.assign(parameter=[labels[f"param.{p}"] for p in idx["parameter"]])
    idx = idx.set_index(["method", "metric", "parameter"])
    names = {metric_name(m, "en"): m for m in idx.index.get_level_values("metric")}
    if kind == "sensitivity":
        _, rows = page.table("tab-indices-sobol")
        assert len(rows) == len(idx.dropna(subset=["ST"]))
        for label, param, s1, s1c, st, stc in rows:
            r = idx.loc[("sobol", names[label], param)]
            check(f"{s1} {s1c} {st} {stc}", [r["S1"], r["S1_conf"], r["ST"], r["ST_conf"]], 1)
        sts = [float(r[4]) for r in rows if r[0] == rows[0][0]]
        assert sts == sorted(sts, reverse=True)
    else:
        _, rows = page.table("tab-indices-morris")
        assert rows
        for label, param, mu, muc, sigma in rows:
            r = idx.loc[("morris", names[strip_unit(label)], param)]
            check(f"{mu} {muc} {sigma}", [r["mu_star"], r["mu_star_conf"], r["sigma"]], factor(label))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_report_tables_equal_the_summary(report, run_dir, lang):
    page = report("run", lang)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    _, rows = page.table("tab-key")
    shown = dict(rows)
    for key in ("credit_balance_end_wan", "new_credit_wan", "credit_cagr", "borrowers_end", "net_public_cost_wan"):
        cell = shown[metric_name(key, lang)]
        check(cell, [summary[key]], factor(cell))
    header, rows = page.table("tab-year-end")
    assert [r[0] for r in rows] == list(summary["year_end_balance_wan"])
    for year, cell in rows:
        check(cell, [summary["year_end_balance_wan"][year]], factor(header[1]))
    _, rows = page.table("tab-run-targets")
    assert len(rows) == summary["targets_total"]
    _, what = page.table("tab-what")
    assert [str(summary["seed"])] == [v for k, v in what if k in ("Seed", "随机种子")]
    _, prov = page.table("tab-provenance")
    version = dict(prov)["Code version" if lang == "en" else "代码版本"]
    assert version == json.loads((run_dir / "provenance.json").read_text(encoding="utf-8"))["code_version"] != ""


def test_outcomes_table_summarises_completed_runs_only(report, depletion_dir):
    page = report("depletion", "en")
    keys = scenario_keys(depletion_dir, "en")
    runs = pd.read_parquet(depletion_dir / "runs.parquet")
    outcomes = pd.read_parquet(depletion_dir / "outcomes.parquet").merge(runs[runs["status"] == "ok"], on="run_id")
    _, rows = page.table("tab-outcomes")
    names = {metric_name(m, "en"): m for m in outcomes.columns}
    assert rows
    for label, scenario, mean, sd, n in rows:
        values = outcomes.loc[outcomes["scenario"] == keys[scenario], names[strip_unit(label)]].dropna()
        check(mean, [values.mean()], factor(label))
        check(sd, [values.std()], factor(label))
        assert int(n) == len(values)
