"""``techfin calibrate``: recovery of known parameters, resume after kill -9, bad files, outputs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.calibration.run import target_value
from experiments.calibration.spec import Target, load_calibration
from experiments.cli import main
from experiments.plan.designs import replicate_seeds
from sim.model import EcosystemModel
from sim.result import SCALARS
from sim.runs import run_paired
from sim.scenario import ScenarioError, load_scenario
from tests.experiments.conftest import techfin

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"enterprises.initial_count": 400, "enterprises.entry_per_month": 2}
TRUTH = {"enterprises.renewal_share": 0.85, "enterprises.need_revenue_months": 2.5}
TARGETS = [
    {"metric": "borrower_share", "stat": "mean"},
    {"metric": "balance_per_borrower_wan", "stat": "mean"},
]


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _synthetic(tmp_path: Path, replicates: int = 2, months: int = 18) -> Path:
    """A calibration whose targets the model itself made with the TRUTH parameters, on the same seeds."""
    base = load_scenario("baseline", {**SMALL, **TRUTH})
    seeds = replicate_seeds(2017, replicates)
    runs = [EcosystemModel(base, rng=s).run(months) for s in seeds]
    targets = []
    for t in TARGETS:
        spec = Target(metric=t["metric"], stat=t["stat"], observed=0.0, sd=1.0)
        values = [target_value(spec, r.monthly, r.summary) for r in runs]
        observed = float(np.mean(values))
        targets.append({**t, "observed": observed, "sd": abs(observed) * 0.03, "source": "the model itself"})
    return _write(
        tmp_path / "synthetic.yaml",
        {
            "name": "synthetic",
            "base": "baseline",
            "overrides": SMALL,
            "months": months,
            "replicates": replicates,
            "parameters": [
                {"path": "enterprises.renewal_share", "bounds": [0.6, 0.98]},
                {"path": "enterprises.need_revenue_months", "bounds": [1.5, 4.5]},
            ],
            "targets": targets,
        },
    )


def test_calibration_recovers_known_parameters(tmp_path, capsys):
    file = _synthetic(tmp_path)
    out = tmp_path / "cal"
    assert main(["calibrate", str(file), "--trials", "30", "--out", str(out)]) == 0
    trials = pd.read_parquet(out / "trials.parquet")
    best = trials.loc[trials["chi2"].idxmin()]
    bounds = {"enterprises.renewal_share": (0.6, 0.98), "enterprises.need_revenue_months": (1.5, 4.5)}
    for path, (lo, hi) in bounds.items():
        assert abs(best[f"param.{path}"] - TRUTH[path]) < 0.2 * (hi - lo), (path, best[f"param.{path}"])
    fit = pd.read_parquet(out / "fit.parquet")
    assert (fit["z"].abs() < 2).all(), fit
    accepted = trials[trials["accepted"]]
    assert len(accepted) >= 1
    # the overlay extends the base with the best parameters and runs as a scenario
    overlay = yaml.safe_load((out / "best.yaml").read_text(encoding="utf-8"))
    assert overlay["extends"] == "baseline"
    s = load_scenario(out / "best.yaml")
    assert s.enterprises.renewal_share == pytest.approx(best["param.enterprises.renewal_share"], abs=1e-6)
    assert s.enterprises.initial_count == 400
    posterior = yaml.safe_load((out / "posterior.yaml").read_text(encoding="utf-8"))
    assert len(posterior["sets"]) == len(accepted)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="tab-fit"' in html and 'id="fig-parameters"' in html
    assert "borrower_share (mean): observed" in capsys.readouterr().out


def _complete(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_killed_calibration_resumes_the_same_study(tmp_path):
    file = _synthetic(tmp_path, replicates=1, months=12)
    out = tmp_path / "cal"
    cmd = techfin("calibrate", file, "--trials", 200, "--out", out)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _complete(out / "study.db") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _complete(out / "study.db")
    assert before >= 3
    with sqlite3.connect(out / "study.db") as con:
        kept = con.execute("SELECT trial_id, value FROM trial_values ORDER BY trial_id").fetchall()
    assert main(["calibrate", "--resume", str(out), "--trials", str(before + 2)]) == 0
    assert _complete(out / "study.db") == before + 2
    with sqlite3.connect(out / "study.db") as con:
        again = con.execute("SELECT trial_id, value FROM trial_values ORDER BY trial_id").fetchall()
    assert again[: len(kept)] == kept  # the finished trials are kept, not re-run
    assert len(pd.read_parquet(out / "trials.parquet")) == before + 2


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"targets": [{"metric": "borrowers_ratio", "observed": 1, "sd": 1}]}, "targets.0.metric", "unknown metric"),
        ({"parameters": [{"path": "enterprises.no_such", "bounds": [0, 1]}]}, "parameters.0.bounds", "unknown key"),
        ({"parameters": [{"path": "enterprises.renewal_share", "bounds": [0.5, 1.5]}]}, "parameters.0.bounds", "1.5"),
        ({"parameters": [{"path": "enterprises.renewal_share", "bounds": [0.9, 0.5]}]}, "parameters.0", "lower"),
        ({"targets": [{"metric": "npl_ratio", "observed": 0.02, "sd": 0}]}, "targets.0.sd", "greater than 0"),
        ({"base": "no-such-scenario"}, "base", "no such file"),
        ({"replicates": 0}, "replicates", "greater than or equal to 1"),
        ({"surprise": 1}, "surprise", "unknown key; valid keys here: accept_quantile, base"),
        ({"targets": [{"metric": "npl_ratio", "observed": float("nan"), "sd": 0.01}]}, "targets.0.observed", "finite"),
    ],
)
def test_bad_calibration_files_name_the_field_and_the_reason(tmp_path, capsys, change, field, reason):
    good = {
        "name": "bad",
        "base": "baseline",
        "parameters": [{"path": "enterprises.renewal_share", "bounds": [0.6, 0.95]}],
        "targets": [{"metric": "npl_ratio", "observed": 0.02, "sd": 0.01}],
    }
    file = _write(tmp_path / "bad.yaml", {**good, **change})
    with pytest.raises(ScenarioError) as e:
        load_calibration(file)
    assert any(path.startswith(field) and reason in text for path, text in e.value.problems), e.value.problems
    assert main(["calibrate", str(file), "--trials", "2", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(file) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_summary_scalars_are_the_registry():
    s = run_paired("xianning-2021", 1).summary
    scalars = {k for k, v in s.items() if (isinstance(v, int | float) and not isinstance(v, bool)) or v is None}
    assert scalars - {"seed", "pool_depletion_month"} == set(SCALARS)


def test_the_bundled_calibration_file_is_valid():
    cal, base = load_calibration(ROOT / "calibration" / "china-tech-sme.yaml")
    assert all(t.source for t in cal.targets), "every bundled target cites its source"
    assert base.name == cal.base


def test_experiments_carry_a_posterior_into_their_bands(tmp_path, capsys):
    post = _write(
        tmp_path / "posterior.yaml",
        {
            "calibration": "toy",
            "sets": [
                {"trial": 1, "chi2": 0.1, "overrides": {"enterprises.renewal_share": 0.80}},
                {"trial": 2, "chi2": 0.2, "overrides": {"enterprises.renewal_share": 0.95}},
            ],
        },
    )
    small = _write(
        tmp_path / "small.yaml",
        {
            "extends": "baseline",
            "name": "small",
            "horizon_months": 6,
            "enterprises": {"initial_count": 200, "entry_per_month": 1},
        },
    )
    out = tmp_path / "c"
    assert (
        main(["compare", str(small), "--replicates", "4", "--posterior", str(post), "--out", str(out), "--quiet"]) == 0
    )
    runs = pd.read_parquet(out / "plan.parquet").sort_values("replicate")
    import json

    assert [json.loads(o)["enterprises.renewal_share"] for o in runs["overrides"]] == [0.80, 0.95, 0.80, 0.95]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["posterior"]["sets"] == 2
    bad = _write(tmp_path / "bad.yaml", {"sets": [{"overrides": {"enterprises.no_such": 1}}]})
    assert (
        main(
            [
                "compare",
                str(small),
                "--replicates",
                "2",
                "--posterior",
                str(bad),
                "--out",
                str(tmp_path / "d"),
                "--quiet",
            ]
        )
        == 2
    )
    assert "does not apply to small" in capsys.readouterr().err
