"""Every line of ../shared/design/EVIDENCE.md and every analytic check holds with the bundled defaults.

Quick sizes, eight paired seeds. Each check's mean must land in its published range; the few marked ``noisy``
(year-to-year default clustering dominates them at this size) need their 95% interval to reach into it. A
broken channel moves a mean out of its range: no demand response to price (E3 ≈ 0), cover without rationing
(E1 ≈ 0.03), a start-up transient (E8), a monthly instead of a yearly default factor (A4 ≈ 0.2).
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from experiments.cli import main
from experiments.evidence import BY_ID, CHECKS, run_check

SEEDS = range(8)


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_evidence_line_holds(check):
    out = run_check(check, SEEDS, size="quick", strict=True)
    assert len(out.values) == len(SEEDS), f"{check.id}: some seeds gave no value"
    assert out.passed, (
        f"{check.id} ({check.claim}): model {out.mean:.4g} [{out.ci_low:.4g}, {out.ci_high:.4g}], "
        f"must land in [{check.low}, {check.high}]"
    )


def test_an_interest_subsidy_raises_credit_clearly_beyond_noise():
    out = run_check(BY_ID["E3-balance"], SEEDS, size="quick")
    assert out.ci_low > 0.02, f"50% interest subsidy: balance +{out.mean:.2%}, CI low {out.ci_low:.2%}"


def test_every_published_line_has_a_check():
    published = {c.id.split("-")[0] for c in CHECKS if c.kind == "published"}
    assert published == {f"E{i}" for i in range(1, 10)}
    assert all(c.claim and c.claim_zh and c.source and c.setup for c in CHECKS)


def test_evidence_command_writes_a_folder_with_table_report_and_verdict(tmp_path, capsys):
    out = tmp_path / "ev"
    code = main(["evidence", "--quick", "--seeds", "2", "--check", "E3-balance", "--check", "A1", "--out", str(out)])
    assert code == 0
    summary = pd.read_parquet(out / "evidence.parquet")
    assert list(summary["check"]) == ["E3-balance", "A1"] and summary["passed"].all()
    values = pd.read_parquet(out / "evidence_values.parquet")
    assert len(values) == 4 and set(values["seed"]) == {0, 1}
    assert json.loads((out / "manifest.json").read_text())["kind"] == "evidence"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="tab-evidence"' in html and 'id="fig-evidence"' in html and 'id="fig-responses"' in html
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("evidence: 2 of 2 checks hold")


def test_a_check_outside_its_range_fails_the_command(tmp_path, monkeypatch, capsys):
    impossible = dataclasses.replace(BY_ID["A1"], low=2.0, high=3.0)  # the payout ratio is about 1
    monkeypatch.setitem(BY_ID, "A1", impossible)
    import experiments.evidence.run as run

    monkeypatch.setattr(run, "CHECKS", (impossible,))
    code = main(["evidence", "--quick", "--seeds", "2", "--check", "A1", "--out", str(tmp_path / "ev")])
    assert code == 1
    assert "0 of 1 checks hold" in capsys.readouterr().out


def test_unknown_check_is_a_clear_error(tmp_path, capsys):
    assert main(["evidence", "--quick", "--check", "E99", "--out", str(tmp_path / "x")]) == 2
    assert "E99: unknown" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
