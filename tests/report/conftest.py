"""Experiment folders for report tests: small synthetic tables that follow the experiment-folder contract, and
one real single-run folder written by ``techfin run``."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

START = pd.Period("2017-09", "M")
MONTHS = 24
REPS = 4
SCENARIOS = ("baseline", "jiaxing-2017", "jiaxing-stress")
BAND_METRICS = (
    "tech_loan_balance_wan",
    "borrowers",
    "pool_balance_wan",
    "guarantor_net_assets_wan",
    "fiscal_spending_cum_wan",
    "npl_ratio",
)
OUTCOMES = ("credit_cagr", "credit_per_public_wan", "new_credit_wan", "pool_depleted", "pool_months_to_depletion")
RUN_SCENARIO = "xianning-2021"


def manifest(kind: str, scenarios: tuple[str, ...], **extra) -> dict:
    base = {
        "kind": kind,
        "name": f"test-{kind}",
        "created": "2024-05-01T10:00:00",
        "command": ["techfin", kind, *scenarios, "--replicates", str(REPS)],
        "master_seed": 20170905,
        "replicates": REPS,
        "months": MONTHS,
        "scenarios": {
            s: {"file": f"scenarios/{s}.yaml", "digest": f"{i:02d}" + "ab" * 31} for i, s in enumerate(scenarios)
        },
        "code_version": "b50eab4",
        "library_versions": {"mesa": "3.3.1", "numpy": "2.4.6", "pandas": "3.1.1"},
        "baseline": None,
        "metrics": list(OUTCOMES),
        "space": None,
    }
    return base | extra


def write(folder: Path, man: dict, **tables: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(man, indent=2), encoding="utf-8")
    for name, df in tables.items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def runs_and_outcomes(rng: np.random.Generator, scenarios, params: dict | None = None):
    rows, outs = [], []
    seeds = [int(s) for s in rng.integers(1, 2**31, REPS)]
    for s_i, s in enumerate(scenarios):
        for r in range(REPS):
            run_id = f"{s}-{r}"
            status = "failed" if (s_i, r) == (len(scenarios) - 1, REPS - 1) else "ok"
            rows.append(
                {
                    "run_id": run_id,
                    "scenario": s,
                    "replicate": r,
                    "seed": seeds[r],
                    **(params or {}),
                    "status": status,
                    "error": "boom" if status == "failed" else None,
                    "wall_s": 1.5,
                }
            )
            depleted = float(rng.random() < 0.2 * s_i)
            outs.append(
                {
                    "run_id": run_id,
                    "credit_cagr": 0.08 + 0.03 * s_i + rng.normal(0, 0.01),
                    "credit_per_public_wan": 40 + 10 * s_i + rng.normal(0, 2),
                    "new_credit_wan": 5e5 + 1.2e5 * s_i + rng.normal(0, 1e4),
                    "pool_depleted": depleted,
                    "pool_months_to_depletion": 18.0 if depleted else np.nan,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(outs)


def series(rng: np.random.Generator, scenarios) -> pd.DataFrame:
    rows = []
    for s_i, s in enumerate(scenarios):
        for r in range(REPS):
            for m in range(1, MONTHS + 1):
                date = (START + (m - 1)).to_timestamp(how="end").normalize()
                growth = 1 + (0.005 + 0.003 * s_i) * m
                rows.append(
                    {
                        "run_id": f"{s}-{r}",
                        "scenario": s,
                        "replicate": r,
                        "month": m,
                        "date": date,
                        "tech_loan_balance_wan": 6.8e6 * growth * (1 + rng.normal(0, 0.01)),
                        "borrowers": int(20000 * growth + rng.integers(0, 300)),
                        "pool_balance_wan": max(0.0, 5000 - (60 + 40 * s_i) * m + rng.normal(0, 50)),
                        "guarantor_net_assets_wan": 70000 - 300 * m * s_i + rng.normal(0, 100),
                        "fiscal_spending_cum_wan": 400.0 * m * (1 + s_i),
                        "npl_ratio": 0.01 + 0.0004 * m * (1 + s_i) + rng.normal(0, 0.001),
                    }
                )
    return pd.DataFrame(rows)


def stats_of(outcomes: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    df = outcomes.merge(runs[["run_id", "scenario"]], on="run_id")
    long = df.melt(id_vars=["scenario"], value_vars=list(OUTCOMES), var_name="metric").dropna()
    g = long.groupby(["scenario", "metric"], sort=False)["value"]
    out = pd.concat({"mean": g.mean(), "sd": g.std(), "n": g.count()}, axis=1).reset_index()
    half = 2.0 * out["sd"].fillna(0) / np.sqrt(out["n"])
    return out.assign(ci_low=out["mean"] - half, ci_high=out["mean"] + half)[
        ["scenario", "metric", "mean", "ci_low", "ci_high", "sd", "n"]
    ]


def paired_of(outcomes: pd.DataFrame, runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    df = outcomes.merge(runs[["run_id", "scenario", "replicate"]], on="run_id")
    base = df[df["scenario"] == baseline].set_index("replicate")
    rows = []
    for s in [s for s in pd.unique(df["scenario"]) if s != baseline]:
        d = df[df["scenario"] == s].set_index("replicate")
        for m in ("credit_cagr", "credit_per_public_wan", "new_credit_wan", "pool_depleted"):
            diff = (d[m] - base[m]).dropna()
            half = 2.0 * diff.std() / np.sqrt(len(diff))
            rows.append(
                {
                    "scenario": s,
                    "baseline": baseline,
                    "metric": m,
                    "mean_diff": diff.mean(),
                    "ci_low": diff.mean() - half,
                    "ci_high": diff.mean() + half,
                    "n": len(diff),
                }
            )
    return pd.DataFrame(rows)


def bands_of(ser: pd.DataFrame) -> pd.DataFrame:
    long = ser.melt(id_vars=["scenario", "month", "date"], value_vars=list(BAND_METRICS), var_name="metric")
    g = long.groupby(["scenario", "month", "date", "metric"])["value"]
    return pd.concat({"median": g.median(), "p10": g.quantile(0.1), "p90": g.quantile(0.9)}, axis=1).reset_index()


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(1)
    runs, outcomes = runs_and_outcomes(rng, SCENARIOS)
    ser = series(rng, SCENARIOS)
    man = manifest("compare", SCENARIOS, baseline="baseline")
    return write(
        tmp_path_factory.mktemp("compare"),
        man,
        runs=runs,
        outcomes=outcomes,
        series=ser,
        stats=stats_of(outcomes, runs),
        paired=paired_of(outcomes, runs, "baseline"),
        bands=bands_of(ser),
    )


def survival_tables(scenarios, entities=("pool:tech-credit", "guarantor", "guarantor:jx-guarantor")):
    surv, by_year, median = [], [], []
    for s_i, s in enumerate(scenarios):
        for e_i, e in enumerate(entities):
            hazard = 0.01 * (1 + s_i) / (1 + e_i)
            at_risk, sv = 40, 1.0
            for m in range(1, MONTHS + 1):
                events = round(at_risk * hazard)
                sv *= 1 - events / at_risk
                surv.append(
                    {
                        "scenario": s,
                        "entity": e,
                        "month": m,
                        "survival": sv,
                        "ci_low": max(0, sv - 0.08),
                        "ci_high": min(1, sv + 0.08),
                        "at_risk": at_risk,
                        "events": events,
                    }
                )
                at_risk -= events
            for year in (2017, 2018, 2019):
                by_year.append(
                    {"scenario": s, "entity": e, "year": year, "prob": min(1.0, hazard * 12 * (year - 2016))}
                )
            reached = s_i == 1 and e_i == 0
            median.append(
                {
                    "scenario": s,
                    "entity": e,
                    "median_month": 19.0 if reached else np.nan,
                    "ci_low": 16.0 if reached else np.nan,
                    "ci_high": 23.0 if reached else np.nan,
                    "n": 40,
                    "events": 40 - at_risk,
                }
            )
    return pd.DataFrame(surv), pd.DataFrame(by_year), pd.DataFrame(median)


@pytest.fixture(scope="session")
def depletion_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(2)
    scen = ("jiaxing-2017", "jiaxing-stress")
    runs, outcomes = runs_and_outcomes(rng, scen)
    surv, by_year, median = survival_tables(scen)
    folder = write(
        tmp_path_factory.mktemp("depletion"),
        manifest("depletion", scen),
        runs=runs,
        outcomes=outcomes,
        series=series(rng, scen),
        survival=surv,
        depletion_by_year=by_year,
        depletion_median=median,
    )
    (folder / "horizon.json").write_text(json.dumps(dict.fromkeys(scen, 20)), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def targets_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    scen = ("jiaxing-2017", "jiaxing-stress")
    runs, outcomes = runs_and_outcomes(rng, scen)
    specs = [
        ("tech_loan_balance_wan", "2018-12", ">=", 8e6, "科技型企业贷款余额 800亿, end 2018"),
        ("guarantor_net_assets_wan", "2017-12", ">=", 70000.0, "guarantors ≥7亿"),
        ("npl_ratio", "2019-06", "<", 0.03, None),
        ("first_loan_firms_cum", "2026-07", ">=", 500.0, "≥500 first-loan firms by 2026"),  # after the runs end
        ("direct_finance_cum_wan", "2018-12", ">=", 2e6, "direct finance 200亿"),  # out of scope: bonds
    ]
    rows = []
    for s in scen:
        for i, (metric, date, op, th, label) in enumerate(specs):
            out = metric.startswith("direct")
            n = 0 if date > "2020" or out else 40
            k = int(rng.integers(0, n + 1))
            p = k / n if n else np.nan
            v = np.sort(rng.normal(th, abs(th) / 5 + 1, 3)) if n or out else np.full(3, np.nan)
            state = "out_of_scope" if out else "scored" if n else "not_reached"
            rows.append(
                {
                    "scenario": s,
                    "index": i,
                    "metric": metric,
                    "date": date,
                    "op": op,
                    "threshold": th,
                    "label": label,
                    "successes": k,
                    "n": n,
                    "prob": p,
                    "ci_low": max(0.0, p - 0.15) if n else np.nan,
                    "ci_high": min(1.0, p + 0.15) if n else np.nan,
                    "state": state,
                    "reason": "bonds and ABS are not in the model" if out else "",
                    "value_median": v[1],
                    "value_p10": v[0],
                    "value_p90": v[2],
                }
            )
    return write(
        tmp_path_factory.mktemp("targets"),
        manifest("targets", scen),
        runs=runs,
        outcomes=outcomes,
        targets=pd.DataFrame(rows),
    )


SWEEP_PARAMS = {
    "param.government.pools.0.coverage_share": (0.3, 0.5, 0.7, 0.9),
    "param.government.pools.0.size_wan": (2000.0, 5000.0, 8000.0),
    "param.banks.0.npl_tolerance": (0.05, 0.06),
}


@pytest.fixture(scope="session")
def sweep_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(4)
    grid = pd.MultiIndex.from_product(list(SWEEP_PARAMS.values()), names=list(SWEEP_PARAMS)).to_frame(index=False)
    cov, size = grid.iloc[:, 0], grid.iloc[:, 1]
    points = grid.assign(point=range(len(grid)))[["point", *SWEEP_PARAMS]]
    for metric, mean in {
        "pool_depleted": np.clip(cov - size / 1e4, 0, 1),
        "credit_cagr": 0.05 + 0.1 * cov,
        "new_credit_wan": 4e5 + 2e5 * cov + rng.normal(0, 5e3, len(grid)),
    }.items():
        points[f"{metric}_mean"] = mean
        points[f"{metric}_ci_low"] = mean * 0.9
        points[f"{metric}_ci_high"] = mean * 1.1
    runs = pd.DataFrame(
        {
            "run_id": [f"p{p}" for p in points["point"]],
            "scenario": "jiaxing-2017",
            "replicate": 0,
            "seed": 7,
            **{c: points[c] for c in SWEEP_PARAMS},
            "status": "ok",
            "error": None,
            "wall_s": 1.0,
        }
    )
    outcomes = pd.DataFrame({"run_id": runs["run_id"], "credit_cagr": points["credit_cagr_mean"]})
    space = {"parameters": [{"name": c.removeprefix("param."), "levels": list(v)} for c, v in SWEEP_PARAMS.items()]}
    man = manifest("sweep", ("jiaxing-2017",), replicates=1, space=space)
    return write(tmp_path_factory.mktemp("sweep"), man, runs=runs, outcomes=outcomes, points=points)


@pytest.fixture(scope="session")
def sensitivity_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(5)
    params = [
        "government.pools.0.coverage_share",
        "government.pools.0.size_wan",
        "macro.shock_rate",
        "banks.0.spread_rate",
    ]
    rows = []
    for metric in ("credit_cagr", "pool_depleted"):
        st = rng.dirichlet(np.ones(len(params)))
        for p, s in zip(params, st, strict=True):
            rows.append(
                {
                    "method": "sobol",
                    "metric": metric,
                    "parameter": p,
                    "S1": s * 0.8,
                    "S1_conf": 0.02,
                    "ST": s,
                    "ST_conf": 0.03,
                    "mu_star": np.nan,
                    "mu_star_conf": np.nan,
                    "sigma": np.nan,
                }
            )
    for p in params:  # a metric that did not vary: SALib gives NaN indices, the report leaves it out
        rows.append(
            {
                "method": "sobol",
                "metric": "pool_months_to_depletion",
                "parameter": p,
                "S1": np.nan,
                "S1_conf": np.nan,
                "ST": np.nan,
                "ST_conf": np.nan,
                "mu_star": np.nan,
                "mu_star_conf": np.nan,
                "sigma": np.nan,
            }
        )
    for p, mu in zip(params, (0.04, 0.01, 0.02, 0.003), strict=True):
        rows.append(
            {
                "method": "morris",
                "metric": "credit_cagr",
                "parameter": p,
                "S1": np.nan,
                "S1_conf": np.nan,
                "ST": np.nan,
                "ST_conf": np.nan,
                "mu_star": mu,
                "mu_star_conf": mu / 5,
                "sigma": mu / 2,
            }
        )
    runs = pd.DataFrame(
        {
            "run_id": ["a", "b"],
            "scenario": "jiaxing-2017",
            "replicate": 0,
            "seed": 7,
            "status": "ok",
            "error": None,
            "wall_s": 1.0,
        }
    )
    outcomes = pd.DataFrame({"run_id": ["a", "b"], "credit_cagr": [0.1, 0.12], "pool_depleted": [0.0, 1.0]})
    man = manifest(
        "sensitivity", ("jiaxing-2017",), replicates=1, space=[{"name": p, "bounds": [0, 1]} for p in params]
    )
    return write(tmp_path_factory.mktemp("sensitivity"), man, runs=runs, outcomes=outcomes, indices=pd.DataFrame(rows))


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    from experiments.cli import main

    out = tmp_path_factory.mktemp("run") / "xianning"
    assert main(["run", RUN_SCENARIO, "--months", "12", "--out", str(out)]) == 0
    return out


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

    def table(self, tid: str) -> tuple[list[str], list[list[str]]]:
        t = self.tables[tid]
        header = t["header"][0] if t["header"] else []
        return header, t["rows"]


@pytest.fixture(scope="session")
def dirs(compare_dir, depletion_dir, targets_dir, sweep_dir, sensitivity_dir, run_dir) -> dict[str, Path]:
    return {
        "compare": compare_dir,
        "depletion": depletion_dir,
        "targets": targets_dir,
        "sweep": sweep_dir,
        "sensitivity": sensitivity_dir,
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
