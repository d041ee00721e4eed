"""The experiments as Python functions; the ``techfin`` subcommands call these.

Each builds its plan, creates the experiment folder (default ``results/<YYYYmmdd-HHMMSS>_<kind>_<name>/``),
runs it on the chosen executor and writes the analyses; each returns the folder. ``run_opts`` are
``workers``, ``dask``, ``progress``, ``executor`` and ``batch`` (see ``experiments.execution.runner.run_folder``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from experiments.execution.runner import keep_series, run_folder, start
from experiments.execution.worker import model_ref
from experiments.plan.designs import grid_unit, lhs_unit, point_plan, replicate_plan
from experiments.plan.inputs import comparability, load_scenarios, posterior_sets
from experiments.plan.space import Space, load_space
from experiments.store.provenance import base_manifest, scenario_file
from sim import metrics

#: Monthly series whose bands a comparison keeps even when it keeps no other series (the registry's ``bands``).
BAND_METRICS: tuple[str, ...] = metrics.shown_in("bands")


def compare(scenarios: Sequence[Any], replicates: int = 10, baseline: str | None = None, **opts: Any) -> Path:
    """Scenarios × R replicates on shared seeds: means, paired differences to the baseline, monthly bands.

    Args:
        scenarios: Bundled names, YAML paths or Scenario objects.
        replicates: Runs per scenario.
        baseline: Name (or reference) of the baseline; default the first scenario. Added when not listed.
        **opts: ``sets``, ``months``, ``seed``, ``out``, ``series``, ``additionality`` and the run options.
    """
    refs = list(scenarios)
    if baseline is not None and baseline not in refs:
        refs.insert(0, baseline)
    loaded = load_scenarios(refs, opts.get("sets"))
    keys = list(loaded)
    base_key = keys[refs.index(baseline)] if baseline is not None else keys[0]
    mismatch = comparability({k: s for k, (s, _) in loaded.items()}, opts.get("months"))
    if mismatch and not opts.get("allow_mismatch"):
        raise ValueError(
            "compare: the scenarios differ in " + "; ".join(mismatch) + ": their differences would mix region and"
            " period with policy. Compare a plan with the same region without the policy instead (techfin"
            " compare PLAN --additionality), or pass --allow-mismatch to compare them anyway"
        )
    for text in mismatch:
        print(
            f"WARNING: compare: the scenarios differ in {text}; differences mix region and period with policy",
            file=sys.stderr,
        )
    extra = {"mismatch": mismatch} if mismatch else {}
    return _replicated("compare", loaded, replicates, opts, baseline=base_key, always=BAND_METRICS, extra=extra)


def depletion(scenarios: Sequence[Any], replicates: int = 100, **opts: Any) -> Path:
    """Time to depletion of each pool and of guarantor capital: Kaplan–Meier curves censored at the horizon."""
    return _replicated("depletion", load_scenarios(scenarios, opts.get("sets")), replicates, opts)


def targets(scenarios: Sequence[Any] | Any, replicates: int = 100, **opts: Any) -> Path:
    """Probability of meeting each plan target by its date, with Wilson intervals."""
    refs = [scenarios] if isinstance(scenarios, (str, Path)) or not isinstance(scenarios, Sequence) else scenarios
    return _replicated("targets", load_scenarios(refs, opts.get("sets")), replicates, opts)


def sweep(
    space: str | Path | Space,
    design: str = "grid",
    points: int = 3,
    replicates: int = 1,
    model: Callable[[dict[str, float], int], dict[str, float]] | None = None,
    **opts: Any,
) -> Path:
    """A grid (``points`` levels per parameter) or Latin hypercube (``points`` points) over a space.

    ``model``: optional module-level function run instead of the simulator (see ``sensitivity``).
    """
    sp, file = _space(space)
    seed = int(opts.get("seed", 2017))
    if design == "grid":
        unit = grid_unit(sp, points)
    elif design == "lhs":
        unit = lhs_unit(sp, points, seed)
    else:
        raise ValueError(f"--design {design}: choose grid or lhs")
    info = {"design": design, "points": points}
    return _over_space("sweep", sp, file, sp.scale(unit), replicates, opts, info, model)


def sensitivity(
    space: str | Path | Space,
    method: str = "sobol",
    n: int = 64,
    replicates: int = 1,
    model: Callable[[dict[str, float], int], dict[str, float]] | None = None,
    **opts: Any,
) -> Path:
    """Sobol (first and total order) or Morris indices of each space metric, with confidence intervals.

    ``model``: a module-level function ``f(params, seed) -> {metric: value}`` run instead of the simulator
    (for checking the machinery on functions with known indices). Each point's outcome is the mean over
    its replicates; all points share the replicate seeds.
    """
    from experiments.analysis.sensitivity import sample

    sp, file = _space(space)
    seed = int(opts.get("seed", 2017))
    values, info = sample(sp, method, n, seed, opts.pop("num_levels", 4))
    return _over_space("sensitivity", sp, file, values, replicates, opts, info, model)


def resume(folder: str | Path, retry_failed: bool = False, **run_opts: Any) -> Path:
    """Run what an interrupted experiment has not recorded yet, then consolidate and analyse."""
    return run_folder(Path(folder), retry_failed=retry_failed, **_run_opts(run_opts))


# ---- shared plumbing -----------------------------------------------------------------------------------------
def _replicated(
    kind: str,
    loaded: dict,
    replicates: int,
    opts: dict,
    baseline: str | None = None,
    always: tuple[str, ...] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    _check_positive(replicates=replicates)
    months = {k: int(opts.get("months") or s.horizon_months) for k, (s, _) in loaded.items()}
    sets, posterior = posterior_sets(opts.get("posterior"), loaded)
    plan = replicate_plan(list(loaded), replicates, int(opts.get("seed", 2017)), months, sets)
    series = keep_series(bool(opts.get("series")), len(plan), max(months.values()), always)
    manifest = _manifest(
        kind,
        "-".join(loaded),
        opts,
        replicates,
        horizons=months,
        baseline=baseline,
        scenarios={k: _scenario_entry(s, f) for k, (s, f) in loaded.items()},
        run={"paired": bool(opts.get("additionality")), "series": series, "model": None},
        metrics=None,
        band_metrics=list(always) if always else None,
        space=None,
        posterior=posterior,
        **(extra or {}),
    )
    contents = {k: s.model_dump(mode="json") for k, (s, _) in loaded.items()}
    return start(_out(opts, kind, manifest["name"]), manifest, plan, contents, **_run_opts(opts))


def _over_space(
    kind: str,
    sp: Space,
    file: Path | None,
    values: Any,
    replicates: int,
    opts: dict,
    info: dict,
    model: Callable | None,
) -> Path:
    from sim.scenario import load_scenario

    _check_positive(replicates=replicates)
    seed = int(opts.get("seed", 2017))
    if model is not None:
        key, contents, entries, months = "model", {}, {}, None
    else:
        overrides = dict(sp.overrides) | dict(opts.get("sets") or {})
        base = load_scenario(sp.base, overrides or None)
        key, contents = base.name, {base.name: base.model_dump(mode="json")}
        entries = {key: _scenario_entry(base, scenario_file(str(sp.base)))}
        months = int(opts.get("months") or sp.months or base.horizon_months)
    plan = point_plan(sp, values, replicates, seed, key, months)
    series = keep_series(bool(opts.get("series")), len(plan), months or 0) if model is None else None
    manifest = _manifest(
        kind,
        sp.name,
        opts,
        replicates,
        horizons={key: months},
        baseline=None,
        scenarios=entries,
        run={"paired": bool(opts.get("additionality")), "series": series, "model": model_ref(model) if model else None},
        space=sp.model_dump(mode="json") | {"file": str(file) if file else None},
        metrics=list(sp.metrics),
        **info,
    )
    return start(_out(opts, kind, sp.name), manifest, plan, contents, **_run_opts(opts))


def _manifest(kind: str, name: str, opts: dict, replicates: int, **fields: Any) -> dict[str, Any]:
    extra = {"command": opts["command"]} if opts.get("command") else {}
    return base_manifest(
        kind,
        name,
        **extra,
        master_seed=int(opts.get("seed", 2017)),
        replicates=replicates,
        months=opts.get("months"),
        sets=opts.get("sets") or {},
        **fields,
    )


def _scenario_entry(s: Any, file: str | None) -> dict[str, Any]:
    return {"name": s.name, "title": s.title, "file": file, "digest": s.digest(), "horizon_months": s.horizon_months}


def _space(space: str | Path | Space) -> tuple[Space, Path | None]:
    if isinstance(space, Space):
        return space, None
    return load_space(space)


def _out(opts: dict, kind: str, name: str) -> Path:
    from experiments.output import default_out

    if opts.get("out"):
        return Path(opts["out"])
    safe = re.sub(r"[^A-Za-z0-9._~-]+", "_", name)[:80]
    return default_out(f"{kind}_{safe}")


def _run_opts(opts: dict) -> dict[str, Any]:
    keys = ("workers", "dask", "progress", "executor", "batch")
    return {k: opts[k] for k in keys if k in opts and opts[k] is not None}


def _check_positive(**values: int) -> None:
    for name, v in values.items():
        if int(v) < 1:
            raise ValueError(f"--{name} {v}: must be at least 1")
