from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main
from sim.scenario import bundled_names

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_file(write_yaml, small_scenario_data) -> Path:
    data = small_scenario_data | {
        "government": {"annual_budget_wan": 100.0, "pools": [{"name": "pool", "initial_wan": 2000.0}]},
        "products": [
            {"name": "credit", "banks": ["bank"]},
            {"name": "covered", "banks": ["bank"], "pool": "pool", "shares": {"bank": 0.5, "pool": 0.5}},
        ],
        "targets": [{"metric": "tech_loan_balance_wan", "date": "2018-06", "threshold": 1.0, "label": "any credit"}],
    }
    return write_yaml("small.yaml", data)


def test_run_writes_tables_and_summary(small_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", str(small_file), "--months", "6", "--seed", "3", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    for stem in ("monthly", "institutions"):
        assert (out / f"{stem}.parquet").is_file()
        assert (out / f"{stem}.csv").is_file()
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert len(monthly) == 6
    assert monthly["month"].tolist() == [1, 2, 3, 4, 5, 6]
    assert monthly["month_label"].iloc[-1] == "2018-06"
    assert len(pd.read_csv(out / "monthly.csv")) == 6
    inst = pd.read_parquet(out / "institutions.parquet")
    assert {"bank", "pool", "government"} <= set(inst["kind"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("credit_cagr", "gross_lending_per_public_wan", "pool_depletion_month", "targets"):
        assert key in summary
    assert summary["months"] == 6
    assert summary["seed"] == 3
    assert summary["targets"][0]["met"] is True
    assert summary["targets"][0]["value"] == pytest.approx(monthly["tech_loan_balance_wan"].iloc[-1])
    assert summary["credit_balance_end_wan"] == pytest.approx(monthly["tech_loan_balance_wan"].iloc[-1])
    assert summary["additional_balance_avg_wan"] is not None  # the paired no-policy run was made
    assert "small" in text and "small test region" in text
    assert str(out) in text
    assert not list(tmp_path.glob(".out-*")), "a staging folder was left behind"


def test_run_is_reproducible_and_refuses_a_non_empty_out_folder(small_file, tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(small_file), "--months", "3", "--no-baseline", "--out", str(a)]) == 0
    assert main(["run", str(small_file), "--months", "3", "--no-baseline", "--out", str(b)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(a / "monthly.parquet"), pd.read_parquet(b / "monthly.parquet"))
    capsys.readouterr()
    assert main(["run", str(small_file), "--months", "3", "--out", str(a)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert len(pd.read_parquet(a / "monthly.parquet")) == 3  # untouched


def test_run_applies_set_overrides(small_file, tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["run", str(small_file), "--months", "2", "--no-baseline", "--out", str(out)]
    assert main([*argv, "--set", "enterprises.initial_count=50", "--set", "name=renamed"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "renamed"
    scenario = json.loads((out / "scenario.json").read_text(encoding="utf-8"))
    assert scenario["enterprises"]["initial_count"] == 50


def test_scenarios_lists_every_bundled_name(capsys):
    assert main(["scenarios"]) == 0
    captured = capsys.readouterr()
    listed = {line.split()[0] for line in captured.out.splitlines() if line.strip()}
    assert set(bundled_names()) <= listed, captured.err


def test_validate_a_good_file_and_a_bundled_name(small_file, capsys):
    assert main(["validate", str(small_file), "baseline"]) == 0
    out = capsys.readouterr().out
    assert "small.yaml: ok" in out
    assert "baseline: ok" in out


def test_console_script(tmp_path):
    script = Path(sys.executable).parent / "techfin"
    done = subprocess.run([str(script), "scenarios"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "baseline" in done.stdout


def test_module_entry_point(tmp_path):
    # experiments/cli/__main__.py runs main(), so `python -m experiments.cli` must work
    argv = [sys.executable, "-m", "experiments.cli", "scenarios"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "baseline" in done.stdout
