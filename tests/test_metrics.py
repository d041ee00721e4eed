"""The metric registry (``sim.metrics``) is complete: every figure the model produces is in it, with a label in
both languages, a unit and a format, and every list of displayed metrics names registered metrics only."""

from __future__ import annotations

import pytest

from sim import metrics
from sim.metrics import Metric, Pattern


@pytest.fixture(scope="module")
def paired():
    from sim.runs import run_paired

    return run_paired("xianning-2021", 3, months=14)


def test_the_registry_has_no_problems():
    assert metrics.problems() == []


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (Metric("x_wan", "wan", "stock", "", "某值"), "no English or no Chinese label"),
        (Metric("x_wan", "wan", "stock", "X", ""), "no English or no Chinese label"),
        (Metric("x_wan", "wan", "stock", "X", "X"), "has no Chinese"),
        (Metric("x", "", "stock", "X", "某值"), "unit"),
        (Metric("x", "furlongs", "stock", "X", "某值"), "unit"),
        (Metric("x", "wan", "stock", "X", "某值", fmt="roman"), "format"),
        (Metric("x", "wan", "weekly", "X", "某值"), "kind"),
        (Metric("x", "wan", "stock", "X", "某值", ("poster",)), "place"),
        (Metric("x_cum", "count", "cumulative", "X", "某值", of="nothing"), "the flow it sums"),
        (Pattern(r"pool\.(?P<name>[^.]+)\.x", "", "Pool {name}", "资金池{name}"), "unit"),
    ],
)
def test_a_metric_without_a_label_a_unit_or_a_format_is_a_problem(entry, says):
    found = metrics.problems((entry,))
    assert any(says in p for p in found), found


def test_a_name_defined_twice_is_a_problem():
    m = Metric("x_wan", "wan", "stock", "X", "某值")
    assert any("defined twice" in p for p in metrics.problems((m, m)))


def test_the_monthly_row_holds_exactly_the_registered_monthly_metrics():
    from sim.model import EcosystemModel
    from sim.reporters import METRICS

    m = EcosystemModel("baseline", rng=1, **{"enterprises.initial_count": 200})
    m.step()
    assert set(m.recorder.row) == set(METRICS)
    assert set(METRICS) == {*metrics.INDEX_COLUMNS, *metrics.monthly()}


def test_every_figure_of_the_run_summary_is_registered(paired):
    s = paired.summary
    numbers = {k for k, v in s.items() if v is None or isinstance(v, int | float)}
    numbers -= {"seed", "pool_depletion_month"}  # identifiers and a month label, not figures
    unknown = sorted(k for k in numbers if not metrics.known(k))
    assert not unknown, f"add these to the registry (sim/metrics_run.py): {unknown}"
    run_level = set(metrics.of_kind("run")) | set(metrics.scalars())
    assert run_level <= set(s), f"registered but not in the summary: {sorted(run_level - set(s))}"


def test_every_outcome_column_is_registered(paired):
    from experiments.analysis.outcomes import flatten_outcomes

    row = flatten_outcomes(paired.summary, paired.monthly, paired.institutions)
    missing = [k for k in row if not metrics.known(k)]
    assert not missing, f"add these to the registry (sim/metrics_run.py, or a pattern there): {missing}"
    kinds = {metrics.lookup(k).kind for k in row}
    assert kinds <= {"run", "outcome", "flow"}, kinds  # a flow's run total (rd_spending_wan) is a run figure too
    assert set(metrics.of_kind("outcome")) <= set(row)


def test_every_displayed_metric_list_names_registered_metrics():
    from experiments.analysis.outcomes import FAN_METRICS
    from experiments.api import BAND_METRICS
    from experiments.cli.summary import shown_metrics
    from experiments.plan.space import DEFAULT_METRICS
    from experiments.report.findings import PRIORITY
    from experiments.report.load import HEADLINE
    from experiments.report.run_report import KEY_FIGURES

    SHOWN_METRICS = shown_metrics()
    shown = {*BAND_METRICS, *SHOWN_METRICS, *FAN_METRICS, *PRIORITY, *HEADLINE, *KEY_FIGURES, *DEFAULT_METRICS}
    assert not [m for m in shown if not metrics.known(m)]
    assert set(FAN_METRICS) <= set(BAND_METRICS), "a comparison keeps the bands of every series it draws"
    assert all(m in metrics.monthly() for m in BAND_METRICS)
    assert all(metrics.lookup(m).kind in ("run", "outcome") for m in (*HEADLINE, *SHOWN_METRICS, *KEY_FIGURES))


def test_every_scenario_target_and_calibration_target_names_a_registered_metric():
    from experiments.calibration.spec import load_calibration
    from sim.scenario import bundled_names, load_scenario
    from tests.conftest import REPO_ROOT

    for name in bundled_names():
        for t in load_scenario(name).targets:
            if t.metric is None:  # out of scope: the model has no measure of it, and the target says why
                assert t.out_of_scope, (name, t.label)
                continue
            assert metrics.lookup(t.metric).kind in metrics.MONTHLY_KINDS, (name, t.metric)
    cal, _ = load_calibration(REPO_ROOT / "calibration" / "china-tech-sme.yaml")
    assert all(metrics.known(t.metric) for t in cal.targets)


def test_labels_units_and_formats_reach_the_report():
    from experiments.report.fmt import scale_for
    from experiments.report.i18n import metric_name

    assert metric_name("credit_cagr", "zh") == "贷款年均增长率"
    assert metric_name("pool.tech-credit.depleted", "en") == "Pool tech-credit depleted"
    assert metric_name("year_end_balance_wan.2019", "zh") == "2019年末科技贷款余额"
    assert scale_for("pool.tech-credit.balance_end_wan", [5e4]).unit == "yi"
    assert scale_for("guarantor_leverage_max").unit == "x"
    assert scale_for("credit_cagr", diff=True).unit == "pp"
    assert scale_for("guarantor.g1.months_to_depletion").unit == "months"
    # a name the registry lacks (a test function's output) shows under its own name, as a plain number
    assert metric_name("y", "zh") == "y" and scale_for("y", [0.5]).unit == ""
