"""The short text summary ``techfin compare / sweep / sensitivity / depletion / targets`` print of the
experiment folder they wrote (pandas is imported only when a summary is printed, so ``techfin --help`` stays
light)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def shown_metrics() -> tuple[str, ...]:
    """The outcomes the command-line summary of a comparison prints (the registry's ``cli`` place)."""
    from sim import metrics

    return metrics.shown_in("cli")


def summary_text(folder: Path) -> str:
    """A short text summary of an experiment folder's results."""
    import pandas as pd

    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    c = m.get("counts", {})
    head = f"{m['kind']} {m['name']}: {c.get('ok', 0)} runs ok, {c.get('failed', 0)} failed → {folder}/"
    body = ""
    with pd.option_context("display.width", 160, "display.max_columns", 12, "display.float_format", "{:,.4g}".format):
        if m["kind"] == "compare":
            paired = pd.read_parquet(folder / "paired.parquet")
            stats = pd.read_parquet(folder / "stats.parquet")
            body = _pick(stats, ["scenario", "metric", "mean", "ci_low", "ci_high", "n"]).to_string(index=False)
            if len(paired):
                body += f"\n\npaired difference to {m['baseline']}:\n"
                body += _pick(paired, ["scenario", "metric", "mean_diff", "ci_low", "ci_high", "n"]).to_string(
                    index=False
                )
        elif m["kind"] == "depletion":
            body = pd.read_parquet(folder / "depletion_median.parquet").to_string(index=False) + "\n\n"
            by_year = pd.read_parquet(folder / "depletion_by_year.parquet")
            body += by_year.pivot_table(index=["scenario", "entity"], columns="year", values="prob").to_string()
            if (folder / "budget_by_year.parquet").is_file():
                budget = pd.read_parquet(folder / "budget_by_year.parquet")
                cols = ["scenario", "year", "months", "prob", "ci_low", "ci_high", "median_month", "stopped_share_mean"]
                body += (
                    "\n\nspecial fund's budget (runs out in the year; month half the runs are out; share stopped):\n"
                )
                body += budget[cols].to_string(index=False)
        elif m["kind"] == "targets":
            body = targets_text(pd.read_parquet(folder / "targets.parquet"))
        elif m["kind"] == "sweep":
            points = pd.read_parquet(folder / "points.parquet")
            cols = [c for c in points.columns if not c.endswith((".ci_low", ".ci_high"))]
            body = points[cols].head(20).to_string(index=False) + (" ..." if len(points) > 20 else "")
        elif m["kind"] == "sensitivity":
            body = pd.read_parquet(folder / "indices.parquet").to_string(index=False)
    return f"{head}\n{body}".rstrip()


def targets_text(t: pd.DataFrame) -> str:
    """The targets table as printed: each target's probability met (with its interval and the runs' median
    value against the threshold), or "not reached" / "out of scope" in place of a probability."""
    t = t.copy()
    state = t["state"] if "state" in t else pd.Series(["scored"] * len(t), index=t.index)
    words = {"not_reached": "not reached", "out_of_scope": "out of scope"}
    t["prob"] = [f"{p:.1%}" if s == "scored" else words.get(s, s) for p, s in zip(t["prob"], state, strict=True)]
    t["metric"] = t["metric"].replace("", "(not in the model)")
    cols = ["scenario", "date", "clause", "metric", "op", "threshold", "value_median", "prob", "ci_low", "ci_high", "n"]
    return t[[c for c in cols if c in t]].to_string(index=False)


def _pick(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df[df["metric"].isin(shown_metrics())][cols]
