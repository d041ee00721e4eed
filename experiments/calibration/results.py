"""What a calibration writes into its folder once its trials are done: ``trials.parquet`` (every finished trial,
its χ² and whether it is accepted), ``fit.parquet``, ``best.yaml`` (a scenario overlay that ``extends:`` the base
with the best parameters and their provenance), ``posterior.yaml`` and ``manifest.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from scipy import stats

from experiments.calibration.spec import Calibration
from experiments.store.provenance import base_manifest, code_version
from sim.scenario import Scenario


def trials_table(study: Any, cal: Calibration) -> pd.DataFrame:
    """Every finished trial: number, parameters, χ² and whether it is accepted."""
    import optuna

    rows = [
        {"trial": t.number, "chi2": t.value, **{f"param.{k}": v for k, v in t.params.items()}, **t.user_attrs}
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    ]
    df = pd.DataFrame(rows)
    limit = float(stats.chi2.ppf(cal.accept_quantile, df=len(cal.targets)))
    df["accepted"] = df["chi2"] <= limit
    return df.sort_values("trial").reset_index(drop=True)


def write_results(study: Any, cal: Calibration, base: Scenario, folder: Path, seeds: list[int]) -> pd.DataFrame:
    """Trials, fit, best overlay, posterior sample and manifest into ``folder``."""
    trials = trials_table(study, cal)
    best = trials.loc[trials["chi2"].idxmin()]
    accepted = trials[trials["accepted"]]
    fit = fit_table(cal, best, accepted)
    trials.to_parquet(folder / "trials.parquet", index=False)
    fit.to_parquet(folder / "fit.parquet", index=False)
    params = {p.path: float(best[f"param.{p.path}"]) for p in cal.parameters}
    (folder / "best.yaml").write_text(overlay(cal, base, params, trials, int(best["trial"])), encoding="utf-8")
    (folder / "posterior.yaml").write_text(posterior_yaml(cal, accepted), encoding="utf-8")
    manifest = base_manifest(
        "calibration",
        cal.name,
        base=cal.base,
        replicates=cal.replicates,
        seeds=seeds,
        master_seed=cal.seed,
        trials=len(trials),
        accepted=int(trials["accepted"].sum()),
        best_trial=int(best["trial"]),
        best_chi2=float(best["chi2"]),
        scenarios={cal.base: {"ref": cal.base}},
    )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return fit


def fit_table(cal: Calibration, best: pd.Series, accepted: pd.DataFrame) -> pd.DataFrame:
    """Each target against the best trial and the accepted trials' range, with the best trial's z-score."""
    rows = []
    for t in cal.targets:
        col = f"model.{t.metric}.{t.stat}"
        rows.append(
            {
                "metric": t.metric,
                "stat": t.stat,
                "observed": t.observed,
                "sd": t.sd,
                "model_best": float(best[col]),
                "accepted_low": float(accepted[col].min()) if len(accepted) else math.nan,
                "accepted_high": float(accepted[col].max()) if len(accepted) else math.nan,
                "z": (float(best[col]) - t.observed) / t.sd,
                "date": t.date,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def posterior_yaml(cal: Calibration, accepted: pd.DataFrame) -> str:
    """``posterior.yaml``: the accepted trials' parameter sets, best first (read by ``--posterior``)."""
    sets = [
        {
            "trial": int(r["trial"]),
            "chi2": float(r["chi2"]),
            "overrides": {p.path: float(r[f"param.{p.path}"]) for p in cal.parameters},
        }
        for _, r in accepted.sort_values("chi2").iterrows()
    ]
    return yaml.safe_dump(
        {"calibration": cal.name, "base": cal.base, "sets": sets}, allow_unicode=True, sort_keys=False
    )


def overlay(cal: Calibration, base: Scenario, params: dict[str, float], trials: pd.DataFrame, best: int) -> str:
    """A scenario file that ``extends:`` the base and sets the best parameters, with provenance comments."""
    data: dict[str, Any] = {}
    base_data = base.model_dump(mode="json")
    for path, value in {**cal.overrides, **{k: round(v, 6) for k, v in params.items()}}.items():
        _nest(data, base_data, path.split("."), value)
    header = [
        f"# Calibrated by `techfin calibrate` ({cal.name}): best of {len(trials)} trials (trial {best}),",
        f"# {int(trials['accepted'].sum())} accepted as consistent with the targets; code {code_version()}.",
        "# Targets: "
        + "; ".join(f"{t.metric} = {t.observed:g} ± {t.sd:g} ({t.source or 'no source given'})" for t in cal.targets),
    ]
    body = {"extends": cal.base, "name": f"{base.name}-calibrated", **data}
    return "\n".join(header) + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False)


def _nest(out: dict[str, Any], base: Any, parts: list[str], value: Any) -> None:
    """Set dotted ``parts`` in ``out`` so that it merges into ``base``: list items are named items."""
    key, rest = parts[0], parts[1:]
    node = base.get(key) if isinstance(base, dict) else None
    if not rest:
        out[key] = value
        return
    if isinstance(node, list):
        item = (
            node[int(rest[0])] if rest[0].lstrip("-").isdigit() else next(x for x in node if x.get("name") == rest[0])
        )
        items = out.setdefault(key, [])
        mine = next((x for x in items if x.get("name") == item["name"]), None)
        if mine is None:
            mine = {"name": item["name"]}
            items.append(mine)
        _nest(mine, item, rest[1:], value)
        return
    if len(rest) == 1 and isinstance(node, dict) and all(not isinstance(v, dict | list) for v in node.values()):
        out.setdefault(key, dict(node))  # a block of plain values (a by-stage rate): written whole, it validates
    _nest(out.setdefault(key, {}), node or {}, rest, value)
