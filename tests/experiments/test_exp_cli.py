from __future__ import annotations

import io
import json

import pandas as pd

from experiments.cli import build_parser, main
from experiments.execution.progress import Progress


def test_every_experiment_subcommand_is_registered():
    parser = build_parser()
    for kind in ("compare", "sweep", "sensitivity", "depletion", "targets"):
        args = parser.parse_args([kind, "--resume", "x", "--workers", "2", "--dask", "local", "--set", "a.b=1"])
        assert args.resume == "x" and args.workers == 2 and args.dask == "local" and args.set == ["a.b=1"]


def test_compare_from_the_command_line(tmp_path, small_file, copy_file, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(small_file),
            str(copy_file),
            "--replicates",
            "3",
            "--months",
            "6",
            "--seed",
            "9",
            "--set",
            "government.pools.pool.initial_wan=50",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert f"compare small-small-copy: 6 runs ok, 0 failed → {out}/" in printed
    assert "paired difference to small" in printed
    m = json.loads((out / "manifest.json").read_text())
    assert m["months"] == 6 and m["sets"] == {"government.pools.pool.initial_wan": 50}
    assert m["command"].startswith(f"techfin compare {small_file} {copy_file} --seed 9 --months 6 --set")
    scen = json.loads((out / "scenarios.json").read_text())
    assert scen["small"]["government"]["pools"][0]["initial_wan"] == 50
    assert pd.read_parquet(out / "series.parquet")["month"].max() == 6


def test_sweep_and_sensitivity_from_the_command_line(tmp_path, small_file, write_space, capsys):
    space = write_space(
        {
            "base": str(small_file),
            "metrics": ["credit_cagr", "pool_depleted"],
            "parameters": [
                {"path": "government.pools.pool.initial_wan", "role": "lever", "bounds": [50, 500]},
                {"path": "enterprises.loan_demand_elasticity", "role": "uncertainty", "bounds": [0.3, 1.0]},
            ],
        }
    )
    assert (
        main(
            [
                "sweep",
                str(space),
                "--design",
                "lhs",
                "--points",
                "3",
                "--months",
                "4",
                "--out",
                str(tmp_path / "sw"),
                "--quiet",
            ]
        )
        == 0
    )
    assert len(pd.read_parquet(tmp_path / "sw" / "points.parquet")) == 3
    assert (
        main(
            [
                "sensitivity",
                str(space),
                "--method",
                "morris",
                "--n",
                "2",
                "--months",
                "4",
                "--out",
                str(tmp_path / "mo"),
                "--quiet",
                "--workers",
                "2",
            ]
        )
        == 0
    )
    assert set(pd.read_parquet(tmp_path / "mo" / "indices.parquet")["method"]) == {"morris"}
    capsys.readouterr()


def test_user_errors_exit_2_without_a_folder(tmp_path, small_file, capsys):
    out = tmp_path / "never"
    assert main(["compare", str(tmp_path / "missing.yaml"), "--out", str(out)]) == 2
    assert main(["compare", str(small_file), "--replicates", "0", "--out", str(out)]) == 2
    assert main(["compare", str(small_file), "--set", "nokey=1", "--out", str(out)]) == 2
    assert main(["sensitivity", "pool-design", "--n", "6", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "missing.yaml" in err and "--replicates 0" in err and "power of 2" in err
    assert not out.exists()
    (out / "x").mkdir(parents=True)
    assert main(["targets", str(small_file), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_progress_prints_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    p = Progress(40, stream=stream)
    for i in range(40):
        p.update(ok=i % 10 != 0)
    p.close()
    lines = stream.getvalue().splitlines()
    assert 15 <= len(lines) <= 21  # about every 5%
    assert lines[-1].startswith("40/40 runs, 4 failed (100%)") and "ETA" in lines[-1]


def test_progress_redraws_a_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(3, stream=stream)
    for _ in range(3):
        p.update(ok=True)
    p.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and "3/3 runs" in text and text.endswith("\n")
