"""``techfin design``: chance-constrained many-objective search over the levers of a parameter space.

Optuna's NSGA-II (or NSGA-III) chooses the levers; every candidate runs on the same uncertainty samples ×
replicate seeds as the plan as written; objectives and chance constraints are measures over those runs
(``experiments.design.expr``). The folder holds ``design.json`` (what was asked, enough to resume),
``study.db`` (the Optuna study), ``runs/`` (one record per finished run), the result tables of
``experiments.design.results`` and ``manifest.json`` (kind ``design``). A search stopped at any point, ``kill
-9`` included, continues with ``techfin design --resume DIR`` and ends as the uninterrupted one would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.design.expr import ExpressionError
from experiments.design.search import DesignError
from experiments.design.spec import DesignSpec, Problem, build_problem

__all__ = ["DesignError", "DesignSpec", "ExpressionError", "Problem", "build_problem", "load_spec", "run_design"]


def load_spec(folder: Path) -> DesignSpec:
    """The ``design.json`` of a design folder."""
    return DesignSpec.model_validate_json((Path(folder) / "design.json").read_text(encoding="utf-8"))


def run_design(
    folder: Path, problem: Problem, generations: int, command: str | None = None, **run_opts: Any
) -> dict[str, pd.DataFrame]:
    """Run or continue the search in ``folder`` to ``generations`` generations; write tables and manifest.

    ``run_opts``: ``workers``, ``dask``, ``progress``, ``executor`` (see ``experiments.design.search.search``).
    """
    from experiments.design.results import plan_feasible, write_results
    from experiments.design.search import RunCache, search
    from experiments.store.provenance import base_manifest
    from experiments.store.results import atomic_write_bytes, atomic_write_json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / "design.json"
    if not spec_path.exists():  # first, so that a search killed at once can be resumed from its folder
        atomic_write_bytes(spec_path, problem.spec.model_dump_json(indent=1).encode("utf-8"))
    study = search(folder, problem, generations, **run_opts)
    tables = write_results(folder, study, problem, RunCache(folder))
    spec = problem.spec
    manifest = base_manifest(
        "design",
        problem.space.name,
        **({"command": command} if command else {}),
        master_seed=spec.seed,
        replicates=spec.replicates,
        samples=len(problem.unc_values),
        seeds=problem.seeds,
        months=problem.months,
        sets=spec.sets,
        sampler=spec.sampler,
        population=spec.population,
        generations=int(tables["candidates"]["generation"].max()) + 1 if len(tables["candidates"]) else 0,
        objectives=[o.text for o in problem.objectives],
        constraints=[c.text for c in problem.constraints],
        paired=problem.paired,
        levers={p.key: list(p.bounds or ()) for p in problem.levers},
        plan_levers=problem.plan_levers,
        uncertainties=[p.key for p in problem.uncertainties],
        plan_feasible=plan_feasible(problem, tables["recommended"]),
        metrics=[m.text for m in problem.measures],
        space=problem.space.model_dump(mode="json") | {"file": spec.space_file},
        scenarios={problem.key: problem.entry} if problem.entry else {},
        model=spec.model,
        counts={
            "candidates": len(tables["candidates"]),
            "pareto": len(tables["pareto"]),
            "runs": len(tables["evaluations"]),
            "ok": int(tables["evaluations"]["ok"].sum()),
        },
    )
    atomic_write_json(folder / "manifest.json", json.loads(json.dumps(manifest, default=_plain)))
    return tables


def _plain(v: Any) -> Any:
    return float(v) if hasattr(v, "__float__") else str(v)
