"""Findings claim no more than the numbers show: no ranking of parameters for a metric that never changed or whose
leading indices are within each other's confidence intervals, no "highest at" a point that is not above the others
beyond noise."""

from __future__ import annotations

import pandas as pd

from experiments.report.findings_design import constant_metrics, sensitivity_findings, sweep_findings
from experiments.store import folder as schema


def indices(method: str, metric: str, values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    key = "ST" if method == "sobol" else "mu_star"
    rows = [
        {"method": method, "metric": metric, "parameter": p, key: v, f"{key}_conf": c} for p, (v, c) in values.items()
    ]
    return schema.INDICES.frame(rows)


def points(means: list[float], half: float | None) -> pd.DataFrame:
    rows = []
    for i, m in enumerate(means):
        low, high = (m - half, m + half) if half is not None else (float("nan"), float("nan"))
        rows.append(
            {"point": i, "n": 2, "param.coverage": 0.2 + 0.2 * i}
            | {schema.stat_column("credit_cagr", s): v for s, v in zip(schema.STATS, (m, low, high), strict=True)}
        )
    return schema.POINTS.frame(rows)


def test_a_metric_constant_in_every_run_is_not_ranked():
    outcomes = pd.DataFrame({"run_id": ["a", "b", "c"], "pool_depleted": [0.0, 0.0, 0.0], "credit_cagr": [1, 2, 3]})
    assert constant_metrics(outcomes) == {"pool_depleted"}
    idx = indices("sobol", "pool_depleted", {"coverage": (0.0, 0.0), "topup": (0.0, 0.0)})
    (en,) = sensitivity_findings(idx, "en", constant_metrics(outcomes))
    assert en == "Pool depleted took the same value in every run, so no parameter influences it here."
    (zh,) = sensitivity_findings(idx, "zh", constant_metrics(outcomes))
    assert "影响最大" not in zh and "所有运行中取值相同" in zh


def test_indices_within_their_confidence_intervals_are_not_ranked():
    idx = indices("sobol", "credit_cagr", {"coverage": (0.5, 0.3), "topup": (0.4, 0.3), "budget": (0.1, 0.05)})
    (sentence,) = sensitivity_findings(idx, "en")
    assert "no parameter stands out" in sentence and "most influential" not in sentence
    idx = indices("morris", "credit_cagr", {"coverage": (0.05, 0.02), "topup": (0.04, 0.02)})
    (sentence,) = sensitivity_findings(idx, "zh")
    assert "没有哪个参数的影响明显更大" in sentence


def test_a_parameter_above_the_others_beyond_noise_is_named():
    idx = indices("sobol", "credit_cagr", {"topup": (0.1, 0.05), "coverage": (0.8, 0.05), "budget": (0.05, 0.04)})
    (sentence,) = sensitivity_findings(idx, "en")
    assert sentence.startswith("Credit growth (CAGR) (Sobol): most influential coverage (ST 0.8 ± 0.05)")
    assert "then" not in sentence  # topup's interval overlaps budget's: no runner-up is named


def test_a_sweep_names_its_highest_point_only_beyond_noise():
    (flat,) = sweep_findings(points([0.10, 0.12, 0.11], half=0.05), "en")
    assert "no point is higher than the others beyond noise" in flat and "highest at" not in flat
    (clear,) = sweep_findings(points([0.10, 0.30, 0.11], half=0.05), "en")
    assert "highest at coverage = 0.4 (30.00%, 95% CI 25.00% – 35.00%)" in clear
    (single,) = sweep_findings(points([0.10, 0.30, 0.11], half=None), "zh")
    assert "故不指明最高点" in single and "最高（" not in single
    (same,) = sweep_findings(points([0.2, 0.2, 0.2], half=0.0), "en")
    assert same == "Credit growth (CAGR) is 20.00% at every point of the sweep."


def test_real_experiments_state_constant_metrics_as_constant(report, dirs):
    outcomes = pd.read_parquet(dirs["morris"] / "outcomes.parquet")
    constant = constant_metrics(outcomes) & {"pool_depleted", "credit_cagr", "net_public_cost_wan", "new_credit_wan"}
    assert constant, "the fixture's pool lasts the 12 months of every run, so pool_depleted is constant"
    page = report("morris", "en")
    for metric in constant:
        from experiments.report.i18n import metric_name

        name = metric_name(metric, "en")
        said = [s for s in page.items["findings"] if s.startswith(name)]
        assert said and all("took the same value in every run" in s for s in said), said


def test_captions_describe_only_what_the_figure_draws(report):
    compare = report("compare", "en")
    assert all("the baseline is grey" in f["caption"] for k, f in compare.figures.items() if k.startswith("fig-fan-"))
    for kind in ("depletion", "targets"):
        page = report(kind, "en")
        fans = [f["caption"] for k, f in page.figures.items() if k.startswith("fig-fan-")]
        assert fans and not any("baseline" in c for c in fans)
