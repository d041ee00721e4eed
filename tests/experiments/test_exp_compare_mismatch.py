"""``compare`` refuses scenarios of different regions, starts or horizons (or warns loudly when told to go on),
and says what a plan adds "against the same region without the policy"."""

from __future__ import annotations

import json

import pytest
import yaml

from experiments import api
from experiments.cli import main
from experiments.report import write_report


@pytest.fixture
def longer_file(small_file):
    """The small scenario run for 18 months instead of 12."""
    data = yaml.safe_load(small_file.read_text(encoding="utf-8")) | {"name": "longer", "horizon_months": 18}
    path = small_file.with_name("longer.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_mismatched_horizons_are_refused(small_file, longer_file, tmp_path):
    with pytest.raises(ValueError, match=r"horizon \(small: 12 months, longer: 18 months\)") as e:
        api.compare([str(small_file), str(longer_file)], 2, out=tmp_path / "c", progress=False)
    assert "--additionality" in str(e.value) and "--allow-mismatch" in str(e.value)
    assert not (tmp_path / "c").exists()


def test_refused_on_the_command_line_and_the_readme_example_is_refused(small_file, longer_file, tmp_path, capsys):
    out = str(tmp_path / "c")
    assert main(["compare", str(small_file), str(longer_file), "--replicates", "2", "--out", out]) == 2
    assert "differ in horizon" in capsys.readouterr().err
    args = ["--replicates", "1", "--months", "2", "--out", str(tmp_path / "d"), "--quiet"]
    assert main(["compare", "baseline", "xianning-2021", *args]) == 2  # another region, start and period
    err = capsys.readouterr().err
    assert "start (baseline: 2018-01, xianning-2021: 2021-08)" in err


def test_same_horizon_through_months_is_allowed(small_file, longer_file, tmp_path):
    folder = api.compare([str(small_file), str(longer_file)], 1, months=6, out=tmp_path / "c", progress=False)
    assert "mismatch" not in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_allowed_mismatch_is_warned_in_the_output_and_the_report(small_file, longer_file, tmp_path, capsys):
    folder = api.compare(
        [str(small_file), str(longer_file)], 1, out=tmp_path / "c", progress=False, allow_mismatch=True
    )
    assert "WARNING: compare: the scenarios differ in horizon" in capsys.readouterr().err
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mismatch"] == ["horizon (small: 12 months, longer: 18 months)"]
    (page,) = write_report(folder, "en")
    assert "Warning: the scenarios compared differ in horizon" in page.read_text(encoding="utf-8")


def test_a_plan_against_its_own_region_without_the_policy(small_file, tmp_path):
    folder = api.compare([str(small_file)], 3, out=tmp_path / "c", progress=False, additionality=True)
    for lang, words in (("en", "against the same region without the policy"), ("zh", "与无该政策的同一地区相比")):
        (page,) = write_report(folder, lang)
        assert words in page.read_text(encoding="utf-8"), lang
