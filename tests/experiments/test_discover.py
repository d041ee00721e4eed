"""Scenario discovery: PRIM on a planted box, quasi-p by hand, outcome expressions, ``techfin discover`` end to end
on a small real sweep, and bad input."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from experiments import api
from experiments.analysis import discover_store
from experiments.analysis.discover import Settings, discover, quasi_p
from experiments.analysis.discover_outcomes import OutcomeError, cases, resolve
from experiments.cli import main


def _planted(n: int, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Inputs uniform on [0, 1]² × [0, 1] × [0, 10]; cases with probability 0.9 where a > 0.6 and b < 0.5, else
    0.05. Analytically the box holds 20% of the runs, its density is 0.9 and its coverage
    0.18 / (0.18 + 0.8 × 0.05) = 0.818."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n), "c": rng.uniform(0, 1, n), "d": rng.uniform(0, 10, n)}
    )
    inside = (x["a"] > 0.6) & (x["b"] < 0.5)
    y = rng.uniform(size=n) < np.where(inside, 0.9, 0.05)
    return x, y


def test_prim_finds_a_planted_box_with_the_analytic_coverage_and_density():
    x, y = _planted(2000)
    found = discover(x, y, Settings(resamples=6, seed=1))
    box = found.box.set_index("parameter")
    assert set(box.index[box["restricted"]]) == {"a", "b"}
    assert box.loc["a", "lower_restricted"] and not box.loc["a", "upper_restricted"]
    assert box.loc["b", "upper_restricted"] and not box.loc["b", "lower_restricted"]
    assert abs(box.loc["a", "lower"] - 0.6) < 0.05 and abs(box.loc["b", "upper"] - 0.5) < 0.05
    s = found.summary
    assert abs(s["coverage"] - 0.18 / 0.22) < 0.05 and abs(s["density"] - 0.9) < 0.06 and abs(s["mass"] - 0.2) < 0.03
    # against the analytic density and coverage of the box found (its limits are a little off the planted ones)
    la, ub = box.loc["a", "lower"], box.loc["b", "upper"]
    planted, extra = (1 - max(la, 0.6)) * min(ub, 0.5), (1 - la) * ub - (1 - max(la, 0.6)) * min(ub, 0.5)
    density = (0.9 * planted + 0.05 * extra) / (planted + extra)
    coverage = (0.9 * planted + 0.05 * extra) / 0.22
    se = np.sqrt(density * (1 - density) / s["runs_in_box"])
    assert abs(s["density"] - density) < 3 * se and abs(s["coverage"] - coverage) < 0.05
    inside = (x["a"].between(box.loc["a", "lower"], box.loc["a", "upper"])) & (
        x["b"].between(box.loc["b", "lower"], box.loc["b", "upper"])
    )
    assert s["runs_in_box"] == int(inside.sum()) and s["cases_in_box"] == int(y[inside].sum())
    assert (box.loc[["a", "b"], "qp"] < 1e-10).all()
    assert (box.loc[["a", "b"], "reproduce_coverage"] >= 0.75).all() and box["resamples"].iloc[0] == 6
    traj = found.trajectory
    assert traj["chosen"].sum() == 1 and traj.loc[0, "coverage"] == 1.0 and traj.loc[0, "density"] == y.mean()
    assert (np.diff(traj.loc[traj["phase"] == "peel", "mass"]) < 0).all()
    top = found.cart.iloc[0]  # the densest CART leaf is the planted box too (depth 3 may add a noise split)
    cond = {c: (lo, hi) for c, lo, hi in json.loads(top["conditions"])}
    assert top["density"] > 0.85 and abs(cond["a"][0] - 0.6) < 0.05 and abs(cond["b"][1] - 0.5) < 0.05
    assert found.cart["runs"].sum() == len(x) and found.cart["cases"].sum() == y.sum()


def test_quasi_p_is_the_one_sided_binomial_of_bryant_and_lempert():
    x = pd.DataFrame({"a": np.arange(10.0), "b": np.zeros(10) + np.arange(10) % 2})
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 0], dtype=bool)
    limits = {"a": (5.0, 9.0), "b": (0.0, 1.0)}  # only a is restricted: runs 5..9 hold 4 cases of 5
    qp = quasi_p(x, y, limits)
    assert list(qp) == ["a"]
    assert qp["a"] == pytest.approx(stats.binom.sf(3, 5, 5 / 10))  # lifting a: 5 cases in 10 runs


def test_selection_rules_and_lifting_insignificant_limits():
    x, y = _planted(600, seed=5)
    dense = discover(x, y, Settings(min_coverage=0.5, resamples=0))
    assert dense.summary["coverage"] >= 0.5 and dense.summary["selection"] == {"rule": "min_coverage", "value": 0.5}
    first = discover(x, y, Settings(step=0, resamples=0))
    assert first.summary["coverage"] == 1.0 and not first.box["restricted"].any()
    final = dense.box[dense.box["restricted"]]
    assert (final["qp"] <= 0.05).all()
    with pytest.raises(ValueError, match="nothing to tell apart"):
        discover(x, np.zeros(len(x), dtype=bool))


def test_outcome_presets_expressions_and_missing_values():
    table = pd.DataFrame(
        {
            "pool_depleted": [True, False, True, False],
            "guarantor_leverage_max": [9.0, 3.0, np.nan, 12.0],
            "target.0.met": pd.array([True, None, False, False], dtype="boolean"),
            "pool.tech-credit.depleted": [False, True, True, False],
            "param.coverage": [0.3, 0.6, 0.9, 0.5],
        }
    )
    hit, known = cases(resolve("guarantor_leverage"), table)  # above 8×; a missing leverage is not above
    assert hit.tolist() == [True, False, False, True] and known.all()
    assert resolve("guarantor_leverage", 10).expr == "guarantor_leverage_max > 10"
    assert resolve("credit_cagr", 0.1, below=True).expr == "credit_cagr < 0.1"
    hit, known = cases(resolve("target.0.missed"), table)  # a target not evaluated is unknown: left out
    assert hit.tolist() == [False, False, True, True] and known.tolist() == [True, False, True, True]
    hit, _ = cases(resolve("pool.tech-credit.depleted and param.coverage > 0.5"), table)
    assert hit.tolist() == [False, True, True, False]
    hit, known = cases(resolve("pool_depleted or target.0.met"), table)  # false or unknown stays unknown
    assert hit.tolist() == [True, False, True, False] and known.tolist() == [True, False, True, True]
    hit, known = cases(resolve("not pool_depleted and target.0.met"), table)  # false and unknown is false
    assert hit.tolist() == [False, False, False, False] and known.tolist() == [True, False, True, True]
    hit, known = cases(resolve("pool_depleted or target.0.met"), table.iloc[[0]])  # true or unknown is true
    assert hit.tolist() == [True] and known.tolist() == [True]
    hit, _ = cases(resolve("param.coverage", 0.55, below=True), table)
    assert hit.tolist() == [True, False, False, True]
    for bad, message in [
        ("pool_depletd", "did you mean pool_depleted"),
        ("param.coverage", "add --threshold"),
        ("__import__('os').system('x')", "only column names"),
        ("budget_before_october", "this folder has no column 'budget_exhausted_month_earliest'"),
    ]:
        with pytest.raises(OutcomeError, match=message):
            cases(resolve(bad), table)


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    """A small real sweep: the small scenario, 24 Latin-hypercube points of pool share, pool size and budget,
    12 months, one replicate each."""
    from tests.experiments.conftest import COVERAGE, SMALL

    tmp = tmp_path_factory.mktemp("discover")
    (tmp / "small.yaml").write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    space = {
        "base": str(tmp / "small.yaml"),
        "metrics": ["pool_depleted", "credit_cagr"],
        "parameters": [
            COVERAGE,
            {"path": "government.pools.pool.initial_wan", "role": "lever", "bounds": [20, 400]},
            {"path": "macro.shocks.0.pd_multiplier", "role": "uncertainty", "bounds": [1, 3]},
        ],
        "overrides": {"macro.shocks": [{"start": "2018-03", "months": 6}]},
    }
    (tmp / "space.yaml").write_text(yaml.safe_dump(space), encoding="utf-8")
    return api.sweep(str(tmp / "space.yaml"), "lhs", 24, 1, out=tmp / "sweep", months=12, seed=4, progress=False)


def test_discover_on_a_small_real_sweep(sweep_folder, capsys):
    args = ["--outcome", "pool_depleted", "--resamples", "4", "--report", "--lang", "zh"]
    code = main(["discover", str(sweep_folder), *args])
    out = capsys.readouterr().out
    assert code == 0 and "风险补偿资金池在规划期结束前耗尽" in out
    runs, outcomes = pd.read_parquet(sweep_folder / "runs.parquet"), pd.read_parquet(sweep_folder / "outcomes.parquet")
    ok = runs[runs["status"] == "ok"].merge(outcomes, on="run_id")
    result = sweep_folder / "discover" / "pool_depleted"
    summary = json.loads((result / "summary.json").read_text(encoding="utf-8"))
    assert summary["runs"] == len(ok) and summary["cases"] == int(ok["pool_depleted"].sum())
    assert summary["kind"] == "sweep" and summary["inputs"]["coverage"]["role"] == "lever"
    box = pd.read_parquet(result / "box.parquet").set_index("parameter")
    inside = np.ones(len(ok), dtype=bool)
    for name, r in box.iterrows():
        inside &= ok[f"param.{name}"].between(r["lower"], r["upper"]).to_numpy()
    hit = ok["pool_depleted"].to_numpy(dtype=bool)
    assert summary["runs_in_box"] == inside.sum() and summary["cases_in_box"] == hit[inside].sum()
    assert summary["coverage"] == pytest.approx(hit[inside].sum() / hit.sum())
    traj = pd.read_parquet(result / "trajectory.parquet")
    assert traj["chosen"].sum() == 1 and set(traj["phase"]) <= {"start", "peel", "paste", "lift"}
    html = (sweep_folder / "report.html").read_text(encoding="utf-8")
    assert "情景发现" in html and 'id="fig-discover-0"' in html and "拟p值" in html

    median = f"{ok['credit_cagr'].median():.6f}"  # a numeric outcome: the runs above its median are the cases
    assert main(["discover", str(sweep_folder), "--outcome", "credit_cagr", "--threshold", median, "--below"]) == 0
    assert len(discover_store.read_all(sweep_folder)) == 2
    assert main(["discover", str(sweep_folder), "--outcome", "pool_depleted", "--resamples", "0", "--box", "0"]) == 0
    again = json.loads((result / "summary.json").read_text(encoding="utf-8"))
    assert again["coverage"] == 1.0 and len(discover_store.read_all(sweep_folder)) == 2


def test_a_result_moved_aside_by_a_kill_is_put_back(sweep_folder):
    root = sweep_folder / "discover"
    assert main(["discover", str(sweep_folder), "--outcome", "pool_depleted", "--resamples", "0"]) == 0
    (root / "pool_depleted").rename(root / ".pool_depleted.old-999")  # killed between the two moves
    (root / ".pool_depleted.tmp-999").mkdir()
    assert "pool_depleted" in {s["outcome"]["key"] for s, _ in discover_store.read_all(sweep_folder)}
    assert not list(root.glob(".*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "pool_runs_dry"], "'pool_runs_dry' is neither a preset"),
        (["--outcome", "credit_cagr"], "is a number, not a yes/no condition"),
        (["--outcome", "credit_cagr > -100"], "holds in 24 of 24 runs: nothing to tell apart"),
        (["--outcome", "pool_depleted", "--inputs", "uncertainties", "--min-coverage", "0.5"], None),
        (["--outcome", "pool_depleted", "--box", "999"], "--box 999: the trajectory has steps 0 to"),
    ],
)
def test_bad_outcomes_give_one_clear_message(sweep_folder, capsys, args, message):
    code = main(["discover", str(sweep_folder), "--resamples", "0", *args])
    err = capsys.readouterr().err
    if message is None:
        assert code == 0 and err == ""
        return
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_folders_of_the_wrong_kind_give_one_clear_message(sweep_folder, tmp_path, capsys):
    other = tmp_path / "compare"
    shutil.copytree(sweep_folder, other, ignore=shutil.ignore_patterns("discover", "report*"))
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    (other / "manifest.json").write_text(json.dumps(manifest | {"kind": "compare"}), encoding="utf-8")
    (tmp_path / "plain").mkdir()
    for folder, message in [
        (other, "a compare experiment; discover needs runs that vary parameters"),
        (tmp_path / "plain", "not an experiment folder (no manifest.json)"),
        (tmp_path / "absent", "no such folder"),
    ]:
        assert main(["discover", str(folder), "--outcome", "pool_depleted"]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_discover_reads_a_calibration_folder_s_trials(tmp_path):
    # trials.parquet as `techfin calibrate` writes it: parameters, χ² and whether the set is accepted
    x, y = _planted(400, seed=9)
    trials = pd.DataFrame({"trial": range(400), "param.a": x["a"], "param.b": x["b"], "chi2": np.where(y, 1.0, 30.0)})
    trials["accepted"] = trials["chi2"] < 5
    folder = tmp_path / "cal"
    folder.mkdir()
    trials.to_parquet(folder / "trials.parquet")
    (folder / "manifest.json").write_text(json.dumps({"kind": "calibration", "name": "cal"}), encoding="utf-8")
    assert main(["discover", str(folder), "--outcome", "accepted", "--resamples", "0"]) == 0
    (summary, tables), *_ = discover_store.read_all(folder)
    assert summary["kind"] == "calibration" and summary["cases"] == int(y.sum()) and summary["runs"] == 400
    assert set(tables["box"].loc[tables["box"]["restricted"], "parameter"]) == {"a", "b"}
