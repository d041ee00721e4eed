from __future__ import annotations

from pathlib import Path

import pytest

from experiments.cli import EXIT_USER, main

SMALL = """\
name: small
start: "2018-01"
horizon_months: 12
enterprises:
  initial_count: 200
"""
BANK = "banks:\n  - name: bank\n"

# name → (file content, field path named in the message, substrings of the reason)
FILE_CASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "unknown-key": (
        SMALL + "  initial_cont: 100\n",
        "enterprises.initial_cont",
        ("unknown key", "valid keys", "initial_count", "entry_per_month"),
    ),
    "shares-not-summing": (
        SMALL
        + "products:\n  - name: credit\n    banks: [bank]\n    pool: p\n    shares: {bank: 0.5, pool: 0.3}\n"
        + "government:\n  pools: [{name: p}]\n",
        "products.0.shares",
        ("must sum to 1", "0.8"),
    ),
    "negative-amount": (
        SMALL + "government:\n  annual_budget_wan: -5\n",
        "government.annual_budget_wan",
        ("greater than or equal to 0",),
    ),
    "negative-amount-in-list": (
        SMALL + BANK + "    capital_wan: -100\n",
        "banks.0.capital_wan",
        ("greater than or equal to 0",),
    ),
    "target-outside-horizon": (
        SMALL + "targets:\n  - {metric: tech_loan_balance_wan, date: '2025-12', threshold: 1}\n",
        "targets.0.date",
        ("2025-12", "outside the horizon"),
    ),
    "unknown-bank": (
        SMALL + "products:\n  - name: credit\n    banks: [nobank]\n",
        "products.0.banks",
        ("unknown bank 'nobank'",),
    ),
    "unknown-pool": (
        SMALL + "products:\n  - name: credit\n    banks: [bank]\n    pool: nopool\n",
        "products.0.pool",
        ("unknown pool 'nopool'",),
    ),
    "pool-share-without-pool": (
        SMALL + "products:\n  - name: credit\n    banks: [bank]\n    shares: {bank: 0.5, pool: 0.5}\n",
        "products.0.pool",
        ("shares.pool is 0.5 but no pool is named",),
    ),
    "two-cross-problems": (
        SMALL + "products:\n  - name: credit\n    banks: [nobank]\n    shares: {bank: 0.5, pool: 0.5}\n",
        "products.0.banks",
        ("unknown bank 'nobank'", ": products.0.pool: ", "no pool is named"),
    ),
    "malformed-month-in-list": (
        SMALL + "macro:\n  shocks:\n    - {start: '2018/03', months: 3, pd_multiplier: 2}\n",
        "macro.shocks.0.start",
        ("YYYY-MM", "2018/03"),
    ),
    "malformed-start-month": (
        SMALL.replace('"2018-01"', '"2018-13"'),
        "start",
        ("YYYY-MM", "2018-13"),
    ),
    "shock-outside-horizon": (
        SMALL + "macro:\n  shocks:\n    - {start: '2020-01', months: 3, pd_multiplier: 2}\n",
        "macro.shocks.0.start",
        ("2020-01", "outside the horizon"),
    ),
    "invalid-yaml": (
        SMALL + "banks: [ {name: a\n",
        "file",
        ("not valid YAML",),
    ),
    "not-a-mapping": (
        "- just\n- a list\n",
        "file",
        ("must be a mapping",),
    ),
    "nan-in-an-unbounded-field": (
        SMALL + "  revenue_drift_rate: .nan\n",
        "enterprises.revenue_drift_rate",
        ("finite number",),
    ),
    "infinity-in-a-field": (
        SMALL + BANK + "    hurdle_rate: .inf\n",
        "banks.0.hurdle_rate",
        ("finite number",),
    ),
    "nan-target-threshold": (
        SMALL + "targets:\n  - {metric: borrowers, date: '2018-06', threshold: .nan}\n",
        "targets.0.threshold",
        ("finite number",),
    ),
}


def check_rejected(capsys, argv: list[str], out_dir: Path, *expected: str) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == EXIT_USER, text
    missing = [e for e in expected if e not in text]
    assert not missing, f"message lacks {missing}:\n{text}"
    assert "Traceback" not in text
    assert not out_dir.exists(), "an output folder was created for a rejected input"
    assert not list(out_dir.parent.glob(f".{out_dir.name}-*")), "a staging folder was left behind"
    return text


@pytest.mark.parametrize("case", sorted(FILE_CASES))
@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_bad_scenario_file_is_rejected_with_a_clear_message(cmd, case, tmp_path, capsys):
    content, field, reasons = FILE_CASES[case]
    path = tmp_path / "scenario-under-test.yaml"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "o"
    argv = ["validate", str(path)] if cmd == "validate" else ["run", str(path), "--out", str(out)]
    check_rejected(capsys, argv, out, path.name, f": {field}: ", *reasons)


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_missing_file(cmd, tmp_path, capsys):
    path = tmp_path / "nope.yaml"
    out = tmp_path / "o"
    argv = ["validate", str(path)] if cmd == "validate" else ["run", str(path), "--out", str(out)]
    check_rejected(capsys, argv, out, "nope.yaml", "file not found")


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_unknown_bundled_scenario_name(cmd, tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["validate", "no-such-region"] if cmd == "validate" else ["run", "no-such-region", "--out", str(out)]
    check_rejected(capsys, argv, out, "no-such-region", "no such file or bundled scenario", "baseline")


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_csv_with_an_unknown_column(cmd, tmp_path, capsys):
    (tmp_path / "firms-db.csv").write_text("stage,monthly_revenue_wan,bogus\nseed,10,1\ngrowth,100,2\n")
    path = tmp_path / "with-firms.yaml"
    path.write_text(SMALL.replace("  initial_count: 200\n", "  csv: firms-db.csv\n"), encoding="utf-8")
    out = tmp_path / "o"
    argv = ["validate", str(path)] if cmd == "validate" else ["run", str(path), "--out", str(out)]
    named = "with-firms.yaml" if cmd == "validate" else "firms-db.csv"
    check_rejected(capsys, argv, out, named, ": enterprises.csv: ", "unknown column", "bogus")


def test_csv_with_a_bad_stage_value(tmp_path, capsys):
    (tmp_path / "firms.csv").write_text("stage,monthly_revenue_wan\nseed,10\nadult,100\n")
    path = tmp_path / "bad-stage.yaml"
    path.write_text(SMALL.replace("  initial_count: 200\n", "  csv: firms.csv\n"), encoding="utf-8")
    check_rejected(capsys, ["validate", str(path)], tmp_path / "o", "bad-stage.yaml", ": enterprises.csv: ", "'adult'")


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(SMALL + BANK, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("setting", "fragments"),
    [
        ("horizon_months", ("--set", "horizon_months", "expected dotted.key=value")),
        ("enterprises.bogus=1", ("good.yaml", "enterprises.bogus", "unknown key", "initial_count")),
        ("horizon_months=-3", ("good.yaml", "horizon_months", "greater than or equal to 1")),
        ("banks.nobank.spread_rate=0.02", ("banks.nobank.spread_rate", "no item 'nobank'")),
    ],
    ids=["without-equals", "unknown-key", "bad-value", "missing-list-item"],
)
def test_a_bad_set_is_one_clear_message(good_file, tmp_path, capsys, setting, fragments):
    out = tmp_path / "o"
    check_rejected(capsys, ["run", str(good_file), "--set", setting, "--out", str(out)], out, *fragments)


def test_bad_months_option(good_file, tmp_path, capsys):
    out = tmp_path / "o"
    check_rejected(capsys, ["run", str(good_file), "--months", "0", "--out", str(out)], out, "--months")


def test_validate_reports_every_bad_file_and_still_accepts_the_good_one(good_file, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL + "  initial_cont: 1\n", encoding="utf-8")
    code = main(["validate", str(good_file), str(bad)])
    text = "".join(capsys.readouterr())
    assert code == EXIT_USER
    assert "good.yaml: ok" in text
    assert "bad.yaml: enterprises.initial_cont: unknown key" in text


@pytest.mark.parametrize("cmd", ["validate", "run"])
def test_a_file_that_is_not_utf8_text(cmd, tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: s\ntitle: caf\xe9 \xff\n".encode("latin-1"))
    out = tmp_path / "o"
    argv = ["validate", str(path)] if cmd == "validate" else ["run", str(path), "--out", str(out)]
    check_rejected(capsys, argv, out, "latin1.yaml", ": file: ", "not UTF-8")


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        (["--seed", "-1"], "0 to 2^63"),
        (["--months", "601"], "1 to 600"),
        (["--months", "0"], "1 to 600"),
        (["--seed", "x"], "not a whole number"),
    ],
)
def test_bad_seed_or_months_stop_before_any_work(option, reason, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", "baseline", "--out", str(out), *option]) == EXIT_USER
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err
    assert not out.exists()


CSV_CASES = {
    "text-in-a-number": (
        "stage,monthly_revenue_wan\nseed,abc\n",
        "line 2, column monthly_revenue_wan: 'abc' is not a number",
    ),
    "header-only": ("stage,monthly_revenue_wan\n", "no firms"),
    "blank-cell": (
        "stage,monthly_revenue_wan\nseed,10\ngrowth,\n",
        "line 3, column monthly_revenue_wan: the cell is blank",
    ),
    "sector-out-of-range": ("sector\n3\n300\n", "line 3, column sector: 300 is not a code from 0 to 127"),
    "maybe-a-boolean": ("high_tech\nmaybe\n", "'maybe' is not true or false"),
    "negative-revenue": ("monthly_revenue_wan\n-5\n", "-5.0 is not 0 or more"),
    "infinite-quality": ("quality\ninf\n", "inf is not a finite number"),
    "empty-file": ("", "the file is empty"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_firm_csv_is_checked_row_by_row(case, tmp_path, capsys):
    content, reason = CSV_CASES[case]
    (tmp_path / "firms.csv").write_text(content, encoding="utf-8")
    path = tmp_path / "with-firms.yaml"
    path.write_text(SMALL.replace("  initial_count: 200\n", "  csv: firms.csv\n"), encoding="utf-8")
    out = tmp_path / "o"
    check_rejected(capsys, ["run", str(path), "--out", str(out)], out, "firms.csv", ": enterprises.csv: ", reason)


def test_a_misspelt_name_in_an_extending_file_is_an_error_not_a_second_item(tmp_path, capsys):
    path = tmp_path / "typo.yaml"
    path.write_text(
        "extends: xianning-2021\nname: typo\ngovernment:\n  pools:\n    - {name: tech_credit, initial_wan: 9000}\n",
        encoding="utf-8",
    )
    out = tmp_path / "o"
    check_rejected(
        capsys,
        ["run", str(path), "--out", str(out)],
        out,
        "typo.yaml",
        ": government.pools: ",
        "'tech-credit' and 'tech_credit' differ only by",
    )


def test_an_unknown_name_close_to_a_known_one_gets_a_suggestion(tmp_path, capsys):
    path = tmp_path / "suggest.yaml"
    path.write_text(
        SMALL + "government:\n  pools: [{name: tech-credit}]\n"
        "products:\n  - {name: p, banks: [bank], pool: Tech_Credit, shares: {bank: 0.5, pool: 0.5}}\n",
        encoding="utf-8",
    )
    check_rejected(
        capsys, ["validate", str(path)], tmp_path / "o", ": products.0.pool: ", "did you mean 'tech-credit'?"
    )


def test_an_entity_no_product_uses_is_a_warning(tmp_path, capsys):
    path = tmp_path / "unused.yaml"
    path.write_text(SMALL + "government:\n  pools: [{name: idle-pool}]\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert "warning: pools: 'idle-pool' bears no share of any product" in capsys.readouterr().out
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--months", "2", "--no-baseline"]) == 0
    assert "warning: " in capsys.readouterr().err


@pytest.mark.parametrize("cmd", ["run", "compare", "evidence", "calibrate"])
@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_an_output_path_that_cannot_be_a_folder(cmd, where, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" if where == "a-file" else tmp_path / "afile" / "sub"
    calib = tmp_path / "c.yaml"
    calib.write_text(
        "name: c\nbase: baseline\nparameters: [{path: enterprises.renewal_share, bounds: [0.7, 0.9]}]\n"
        "targets: [{metric: npl_ratio, observed: 0.02, sd: 0.01}]\n",
        encoding="utf-8",
    )
    argv = {
        "run": ["run", "baseline", "--months", "2"],
        "compare": ["compare", "baseline", "--replicates", "2", "--months", "2", "--quiet"],
        "evidence": ["evidence", "--quick", "--check", "A1"],
        "calibrate": ["calibrate", str(calib), "--trials", "1"],
    }[cmd] + ["--out", str(out)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_USER, err
    assert "is a file" in err and "Traceback" not in err
    assert (tmp_path / "afile").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "c.yaml"]


def test_a_folder_named_like_a_bundled_scenario_does_not_shadow_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()
    assert main(["validate", "baseline"]) == 0
    assert "baseline: ok" in capsys.readouterr().out


def test_a_bare_extends_name_is_a_bundled_scenario_not_a_file_in_the_working_directory(tmp_path, monkeypatch):
    from sim.scenario import load_scenario

    work = tmp_path / "work"
    work.mkdir()
    (work / "baseline").write_text("name: impostor\n")
    monkeypatch.chdir(work)
    child = tmp_path / "child.yaml"
    child.write_text("extends: baseline\nname: child\n", encoding="utf-8")
    assert load_scenario(child).banks[0].name == "bank-a"  # the bundled baseline's bank


@pytest.mark.parametrize("damage", ["manifest-not-json", "manifest-a-list", "kind-bogus", "parquet-garbage"])
def test_a_damaged_experiment_folder_is_a_clear_error(tmp_path, capsys, damage):
    folder = tmp_path / "exp"
    assert main(["compare", "baseline", "--replicates", "2", "--months", "2", "--out", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    manifest = folder / "manifest.json"
    if damage == "manifest-not-json":
        manifest.write_text("{not json")
    elif damage == "manifest-a-list":
        manifest.write_text("[1, 2]")
    elif damage == "kind-bogus":
        manifest.write_text(manifest.read_text().replace('"kind": "compare"', '"kind": "bogus"'))
    else:
        (folder / "stats.parquet").write_bytes(b"not parquet at all")
    assert main(["report", str(folder)]) == EXIT_USER
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(folder) in err
    if damage != "parquet-garbage":
        assert main(["compare", "--resume", str(folder), "--quiet"]) == EXIT_USER
        assert "Traceback" not in capsys.readouterr().err
