import shutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments.report import style, write_report
from experiments.report.figures_stats import paired_chart, sensitivity_chart, sweep_heatmaps, target_chart
from experiments.report.figures_time import fan_chart, survival_chart
from experiments.report.fmt import calendar_month, scale_for
from experiments.report.load import load_folder
from experiments.report.sweep import heat_table, levels, sweep_axes
from experiments.report.tables import condition


def test_cli_writes_both_formats_and_rejects_other_folders(tmp_path, targets_dir, capsys):
    from experiments.cli import main

    folder = tmp_path / "t"
    shutil.copytree(targets_dir, folder)
    assert main(["report", str(folder), "--lang", "zh", "--format", "both"]) == 0
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
    assert (folder / "report_files" / "fig-targets.png").is_file()
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_missing_optional_files_drop_their_sections(tmp_path, compare_dir):
    folder = tmp_path / "c"
    shutil.copytree(compare_dir, folder)
    for name in ("bands", "series", "paired"):
        (folder / f"{name}.parquet").unlink()
    (html,) = write_report(folder, "en")
    text = html.read_text(encoding="utf-8")
    assert 'id="tab-stats"' in text
    assert 'id="fig-paired"' not in text and "fig-fan-" not in text


def test_without_a_cjk_font_figures_fall_back_to_english_with_one_warning(monkeypatch, capsys, tmp_path, targets_dir):
    monkeypatch.setattr(style, "cjk_font", lambda: None)
    style._warn_no_cjk.cache_clear()
    assert style.figure_lang("zh") == "en"
    assert style.figure_lang("zh") == "en"
    assert style.figure_lang("en") == "en"
    assert capsys.readouterr().err.count("no CJK font") == 1
    assert style.safe("资金池 tech-credit") == "tech-credit"
    folder = tmp_path / "t"
    shutil.copytree(targets_dir, folder)
    (html,) = write_report(folder, "zh")
    assert '<h2 id="sec-targets">规划目标</h2>' in html.read_text(encoding="utf-8")
    style._warn_no_cjk.cache_clear()


def test_a_cjk_font_is_installed_for_ci():
    assert style.cjk_font() is not None


def test_scales_units_and_calendar():
    assert scale_for("new_credit_wan", [5e5]).text(123456, "en") == "12.35亿元"
    assert scale_for("pool_balance_wan", [5000]).text(5347.3, "zh") == "5,347万元"
    assert scale_for("credit_cagr", diff=True).text(0.0123, "en") == "1.23 pp"
    assert scale_for("gross_lending_per_public_wan").text(79.02, "zh") == "79.0倍"
    assert scale_for("pool_months_to_depletion").unit == "months"
    assert scale_for("borrowers", [775, 800]).num(775) == "775"
    assert calendar_month("2017-09", 19) == "2019-03"
    assert calendar_month("2017-09", 4) == "2017-12"
    assert calendar_month(None, 4) is None


def test_many_numeric_levels_are_binned():
    values = pd.Series(np.linspace(0, 1, 50))
    binned = levels(values)
    assert binned.nunique() == 6
    assert binned.min() == pytest.approx(1 / 12)


def test_without_named_metrics_the_headline_outcomes_are_shown_with_a_note(tmp_path, compare_dir):
    from experiments.report.load import HEADLINE

    folder = tmp_path / "c"
    shutil.copytree(compare_dir, folder)
    stats = pd.read_parquet(folder / "stats.parquet")
    (html,) = write_report(folder, "en")
    text = html.read_text(encoding="utf-8")
    table = text[text.index('<table id="tab-stats"') :]
    assert "Loss conservation error" not in table[: table.index("</table>")]
    shown = [m for m in HEADLINE if stats.loc[stats["metric"] == m, "mean"].notna().any()]
    assert f"{len(shown)} of the {stats['metric'].nunique()} metrics in stats.parquet are shown." in text


def test_targets_after_the_run_are_not_reached_and_unmodelled_ones_out_of_scope(report, targets_dir):
    targets = pd.read_parquet(targets_dir / "targets.parquet")
    late = targets[targets["state"] == "not_reached"]
    unmodelled = targets[targets["state"] == "out_of_scope"]
    assert len(late) and len(unmodelled), "the real targets folder has both kinds (a 24-month run of a 5-year plan)"
    zh, en = report("targets", "zh").items["findings"], report("targets", "en").items["findings"]
    for date in set(late["date"]):
        assert any(f"未到期：{date}晚于模拟期" in s for s in zh), date
        assert any(f"is not reached: {date} is after the simulated period" in s for s in en), date
    for reason in set(unmodelled["reason"]):  # "中文 — English": each report gives its own half
        in_zh, in_en = reason.split(" — ")
        assert any(f"超出模型范围：{in_zh}" in s for s in zh), reason
        assert any(f"is out of scope: {in_en}" in s for s in en), reason
    assert not any("out of scope" in s and "probability" in s for s in en)


def test_conditions_describe_windows_and_changes():
    target = {"metric": "new_loans_wan", "op": ">=", "threshold": 0.0, "window_months": 3, "base_date": "start"}
    assert condition(target, "en") == "change in New loans (month) over 3 months since the start ≥ 0万元"
    assert condition({**target, "base_date": "2022-03"}, "zh") == "3个月累计当月新增贷款较2022-03的变化 ≥ 0万元"
    assert condition({"metric": "npl_ratio", "op": "<", "threshold": 0.03}, "en") == "NPL ratio < 3%"


def test_the_report_reads_the_folder_schema_and_refuses_a_renamed_column(tmp_path, compare_dir):
    from experiments.report.load import ReportInputError
    from experiments.store import folder as schema

    data = load_folder(compare_dir)
    assert set(data.tables) == {"runs", "outcomes", "series", "bands", "stats", "paired"}
    for name, df in data.tables.items():
        assert set(schema.TABLES[name].columns) <= set(df.columns), name
    assert data.starts == {"xianning-2021": "2021-08", "xianning-2021-downturn": "2021-08"}
    folder = tmp_path / "c"
    shutil.copytree(compare_dir, folder)
    paired = pd.read_parquet(folder / "paired.parquet").rename(columns={"mean_diff": "diff"})
    paired.to_parquet(folder / "paired.parquet", index=False)
    with pytest.raises(ReportInputError, match=r"paired.parquet: missing column mean_diff"):
        load_folder(folder)


def test_a_status_other_than_ok_is_a_failed_run(compare_dir):
    from experiments.report.load import run_counts

    runs = pd.read_parquet(compare_dir / "runs.parquet")
    assert int(run_counts(runs)["failed"].sum()) == 0
    runs.loc[0, "status"] = "done"  # not a status the store writes: not counted as completed
    assert int(run_counts(runs)["failed"].sum()) == 1


def test_figure_functions_return_figures_with_a_panel_per_item(compare_dir, depletion_dir, sensitivity_dir):
    bands = pd.read_parquet(compare_dir / "bands.parquet")
    fig = fan_chart(bands, "tech_loan_balance_wan", "en", baseline="xianning-2021")
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and lines[0].get_color() == style.GREY
    paired = pd.read_parquet(compare_dir / "paired.parquet")
    assert len([a for a in paired_chart(paired, "zh").axes if a.get_visible()]) == paired["metric"].nunique()
    surv = pd.read_parquet(depletion_dir / "survival.parquet")
    fig = survival_chart(surv, "en", horizon={"xianning-2021": 24, "xianning-2021-downturn": 24})
    assert len([a for a in fig.axes if a.get_visible()]) == surv["entity"].nunique() == 3
    assert any(line.get_xdata()[0] == 24 for line in fig.axes[0].get_lines())
    indices = pd.read_parquet(sensitivity_dir / "indices.parquet").dropna(subset=["ST"])
    assert len([a for a in sensitivity_chart(indices, "en").axes if a.get_visible()]) == indices["metric"].nunique()


def test_sweep_axes_and_figures(sweep_dir, targets_dir):
    points = pd.read_parquet(sweep_dir / "points.parquet")
    x, y = sweep_axes(points)
    assert {x, y} == {
        "param.government.pools.tech-credit.topup_wan",
        "param.products.tech-pool-loan.interest_subsidy_share",
    }
    table = heat_table(points, "credit_cagr", x, y)
    assert table.shape == (2, 2)
    cell = points[(points[x] == table.columns[0]) & (points[y] == table.index[0])]["credit_cagr.mean"].mean()
    assert table.iloc[0, 0] == pytest.approx(cell)
    fig = sweep_heatmaps(points, "zh")
    assert len(fig.axes[0].images) == 1
    targets = pd.read_parquet(targets_dir / "targets.parquet")
    fig = target_chart(targets, "en")
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    drawn = targets[targets["state"] != "out_of_scope"]  # no probability to draw for an unmodelled target
    assert len(labels) == drawn["index"].nunique() and labels[0].endswith("· 2022-07")
