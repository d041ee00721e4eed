"""``techfin design``: a known constrained Pareto front, common random numbers, resume after kill -9 with the same
Pareto set, value of information against its closed form, and one clear message for every bad expression."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.cli import main
from experiments.design import DesignSpec, build_problem, run_design
from experiments.design.expr import ExpressionError, outcome_checker, parse_constraint, parse_objective
from experiments.execution.worker import function_model, model_ref
from experiments.report import write_report
from tests.experiments.conftest import COVERAGE, techfin

ROOT = Path(__file__).resolve().parents[2]


@function_model
def zdt1(params: dict[str, float], seed: int) -> dict[str, float]:
    """ZDT1's objectives (Zitzler, Deb & Thiele 2000) in two levers: f1 = x, f2 = g (1 − √(x/g)), g = 1 + 9 y,
    whose Pareto front is y = 0, f2 = 1 − √f1. ``fail`` happens when the uncertainty u falls below x, so
    P(fail) = x for u uniform on [0, 1] and P(fail) <= 0.5 cuts the front at x = 0.5. The seed adds noise in
    [0, 0.01) to f2, the same for every candidate on the same seed."""
    x, y, u = params["x"], params["y"], params["u"]
    g = 1.0 + 9.0 * y
    noise = (seed % 997) / 99_700
    return {"f1": x, "f2": g * (1.0 - math.sqrt(x / g)) + noise, "fail": float(u < x)}


@function_model
def matched(params: dict[str, float], seed: int) -> dict[str, float]:
    """Payoff 1 − (a − u)²: the best lever a is the uncertainty u; w does not matter."""
    return {"payoff": 1.0 - (params["a"] - params["u"]) ** 2 + 0.0 * params["w"], "cost": params["a"]}


def _space(name: str, metrics: list[str], levers: list[str], uncertainties: list[str]) -> dict:
    params = [{"name": n, "role": "lever", "bounds": [0, 1]} for n in levers]
    params += [{"name": n, "role": "uncertainty", "bounds": [0, 1]} for n in uncertainties]
    return {"name": name, "metrics": metrics, "parameters": params}


def test_design_finds_the_constrained_zdt1_front_on_common_random_numbers(tmp_path):
    spec = DesignSpec(
        space=_space("zdt1", ["f1", "f2", "fail"], ["x", "y"], ["u"]),
        objectives=["min f1", "min mean(f2)"],
        constraints=["P(fail) <= 0.5"],
        population=20,
        samples=10,
        replicates=2,
        seed=4,
        model=model_ref(zdt1),
    )
    problem = build_problem(spec)
    tables = run_design(tmp_path / "zdt1", problem, 12, progress=False)
    front, cands = tables["pareto"], tables["candidates"]
    noise = np.mean([(s % 997) / 99_700 for s in problem.seeds])
    gap = front["mean(f2)"] - noise - (1 - np.sqrt(front["mean(f1)"]))
    assert len(front) >= 10
    assert gap.median() < 0.02 and gap.max() < 0.06, gap.describe()
    # the chance constraint as estimated on the samples: P̂(u < x) <= 0.5 holds up to the 6th smallest u
    limit = np.sort(problem.unc_values[:, 0])[5]
    assert (front["P(fail)"] <= 0.5).all() and (front["param.x"] <= limit).all()
    assert front["param.x"].min() < 0.05 and front["param.x"].max() > limit - 0.15
    assert (~cands["feasible"]).any() and not cands.loc[~cands["feasible"], "pareto"].any()
    hv = tables["convergence"]["hypervolume"].to_numpy()
    assert (np.diff(hv) >= -1e-12).all() and hv[-1] > hv[0]
    # common random numbers: the seed's noise cancels in every paired difference, so its interval has no width
    rec = tables["recommended"]
    f2 = rec[(rec["measure"] == "mean(f2)") & (rec["design"] != "plan")]
    assert len(f2) >= 1 and np.allclose(f2["ci_high"] - f2["ci_low"], 0.0, atol=1e-9)
    assert tables["evaluations"]["mean(f2)"].std() > 0.001  # while f2 itself varies between runs


def test_value_of_information_ranks_the_uncertainty_that_decides(tmp_path):
    spec = DesignSpec(
        space=_space("matched", ["payoff", "cost"], ["a"], ["u", "w"]),
        objectives=["max mean(payoff)", "min mean(cost)"],
        population=12,
        samples=24,
        replicates=1,
        seed=1,
        model=model_ref(matched),
    )
    voi = run_design(tmp_path / "voi", build_problem(spec), 6, progress=False)["voi"].set_index("uncertainty")
    # the Pareto set is a ∈ [0, ½]; knowing u first gains E(u − ½)² − E[(u − ½)²; u > ½] = 1/12 − 1/24 = 1/24
    assert voi.loc["u", "evppi"] == pytest.approx(1 / 24, abs=0.012)
    assert voi.loc["w", "evppi"] < 0.004 and voi.loc["u", "switch_share"] > 0.3
    assert voi.index[0] in ("u", "all")
    html = write_report(tmp_path / "voi", lang="en", fmt="html")[0].read_text(encoding="utf-8")
    assert 'id="tab-voi"' in html and "Value of information: resolving u first" in html


SPACE = {
    "name": "small-design",
    "base": "small.yaml",
    "parameters": [
        COVERAGE,
        {"path": "government.pools.pool.initial_wan", "role": "lever", "bounds": [100, 2000]},
        {"path": "enterprises.loan_demand_elasticity", "role": "uncertainty", "bounds": [0.3, 1.0]},
    ],
}
ARGS = [
    "--constraint",
    "P(pool_depleted) <= 0.1",
    "--constraint",
    "P(targets_met) >= 0.8",
    "--population",
    "4",
    "--generations",
    "3",
    "--samples",
    "2",
    "--replicates",
    "1",
    "--seed",
    "5",
    "--quiet",
]


@pytest.fixture
def small_space(tmp_path: Path, small_file: Path) -> Path:
    """A design space over the small scenario, written beside it."""
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(SPACE, sort_keys=False), encoding="utf-8")
    return path


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line) if path.exists() else 0


def test_a_killed_search_resumes_to_the_same_pareto_set(tmp_path, small_space):
    """Killed and resumed serially, it ends as the same search run whole on two worker processes."""
    killed = tmp_path / "killed"
    cmd = techfin("design", small_space, *ARGS, "--out", killed)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline and _lines(killed / "runs.jsonl") < 9:
        time.sleep(0.05)  # the plan's 2 runs, then at least 3 candidates (runs of generation 1 in flight)
    assert proc.poll() is None, f"finished or failed before it could be killed: {proc.stderr.read().decode()}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "pareto.parquet").exists()
    assert main(["design", "--resume", str(killed), "--generations", "3", "--quiet"]) == 0
    whole = tmp_path / "whole"
    assert main(["design", str(small_space), *ARGS, "--out", str(whole), "--workers", "2"]) == 0
    for name in ("candidates", "pareto", "recommended"):
        a, b = pd.read_parquet(killed / f"{name}.parquet"), pd.read_parquet(whole / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b, obj=name)
    cands = pd.read_parquet(whole / "candidates.parquet")
    assert len(cands) == 12 and sorted(cands["generation"].unique()) == [0, 1, 2]
    m = yaml.safe_load((whole / "manifest.json").read_text(encoding="utf-8"))
    assert m["kind"] == "design" and m["plan_levers"]["coverage"] == pytest.approx(0.5)
    assert m["paired"] is True  # credit per public 万 needs each run's no-policy twin
    html = write_report(whole, lang="zh", fmt="html")[0].read_text(encoding="utf-8")
    for block in ("fig-design", "tab-pareto", "tab-recommended", "tab-convergence"):
        assert f'id="{block}"' in html, block
    assert "方案优化搜索" in html and "帕累托前沿" in html


def test_a_design_of_the_plan_itself_differs_from_it_by_exactly_zero(tmp_path, small_space):
    """Bounds that admit only the plan's own lever values: every paired difference to the plan is 0."""
    space = yaml.safe_load(small_space.read_text(encoding="utf-8"))
    space["parameters"][0]["bounds"] = [0.5, 0.5 + 1e-12]
    space["parameters"][1]["bounds"] = [400, 400 + 1e-9]
    small_space.write_text(yaml.safe_dump(space), encoding="utf-8")
    spec = DesignSpec(
        space=space | {"base": str(small_space.parent / "small.yaml")}, population=4, samples=2, replicates=1
    )
    tables = run_design(tmp_path / "same", build_problem(spec), 1, progress=False)
    rec = tables["recommended"]
    designs = rec[rec["design"] != "plan"]
    assert len(designs) and (designs["diff"].abs() < 1e-6 * (1 + designs["plan"].abs())).all(), designs


@pytest.mark.parametrize(
    ("option", "text", "reason"),
    [
        ("--objective", "max mean(no_such_outcome)", "unknown outcome 'no_such_outcome'"),
        ("--objective", "maximise", "write `max MEASURE`"),
        ("--objective", "max mean(credit_cagr +)", "not an expression"),
        ("--objective", "max mean(__import__('os'))", "only outcome names"),
        ("--objective", "min P(credit_cagr)", "needs an event"),
        ("--objective", "min mean(pool.nope.depleted)", "no pool 'nope'"),
        ("--constraint", "P(pool_depleted) < 0.1", "write `MEASURE <= number`"),
        ("--constraint", "P(pool_depleted) <= often", "is not a number"),
        ("--constraint", "P(pool_depleted) <= 1.5", "between 0 and 1"),
        ("--constraint", "P(target.3.met) >= 0.5", "has 2 targets"),
    ],
)
def test_bad_expressions_are_one_clear_message_and_exit_2(tmp_path, small_space, capsys, option, text, reason):
    out = tmp_path / "bad"
    assert main(["design", str(small_space), option, text, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_space_without_levers_or_with_an_unbounded_lever_is_refused(tmp_path, small_space, capsys):
    space = yaml.safe_load(small_space.read_text(encoding="utf-8"))
    for p in space["parameters"]:
        p["role"] = "uncertainty"
    small_space.write_text(yaml.safe_dump(space), encoding="utf-8")
    assert main(["design", str(small_space), "--quiet", "--out", str(tmp_path / "a")]) == 2
    assert "parameters: no parameter has role: lever" in capsys.readouterr().err
    space["parameters"][2] = {
        "path": "enterprises.loan_demand_elasticity",
        "role": "lever",
        "dist": "norm",
        "mean": 0.6,
        "sd": 0.1,
    }
    small_space.write_text(yaml.safe_dump(space), encoding="utf-8")
    assert main(["design", str(small_space), "--quiet", "--out", str(tmp_path / "b")]) == 2
    assert "parameters.2 (enterprises.loan_demand_elasticity): a lever needs bounds" in capsys.readouterr().err


def test_resume_refuses_a_changed_search(tmp_path, small_space, capsys):
    assert main(["design", "--resume", str(tmp_path), "--quiet"]) == 2
    assert "not a design folder" in capsys.readouterr().err
    (tmp_path / "design.json").write_text("{}", encoding="utf-8")
    assert main(["design", "--resume", str(tmp_path), "--objective", "min f1"]) == 2
    assert "without objective" in capsys.readouterr().err


def test_measures_propagate_undefined_runs_and_read_events():
    known = outcome_checker(["pool"], ["guar"], 2)
    runs = pd.DataFrame(
        {
            "credit_per_public_wan": [2.0, np.nan, 4.0, 6.0],
            "pool_depleted": [1.0, 0.0, 0.0, 1.0],
            "credit_cagr": [0.1, 0.2, np.nan, 0.05],
            "all_targets_met": [1.0, 1.0, 0.0, np.nan],
        }
    )
    o = parse_objective("max mean(credit_per_public_wan)", known)
    assert o.measure.aggregate(o.measure.per_run(runs)) == pytest.approx(4.0)  # the undefined run is left out
    c = parse_constraint("P(pool_depleted or credit_cagr >= 0.15) <= 0.5", known)
    assert list(c.measure.per_run(runs)[[0, 1, 3]]) == [1.0, 1.0, 1.0] and np.isnan(c.measure.per_run(runs)[2])
    assert c.violation(1.0) == pytest.approx(0.5) and c.violation(0.25) < 0
    t = parse_constraint("P(targets_met) >= 0.8", known)  # P(targets_met): every target met
    assert t.measure.aggregate(t.measure.per_run(runs)) == pytest.approx(2 / 3)
    with pytest.raises(ExpressionError, match="no pool 'tech-credit'"):
        parse_objective("min P(pool.tech-credit.depleted)", known)
