"""The search loop: Optuna's NSGA-II / NSGA-III asks a generation of candidates, the executor runs each on the
shared (uncertainty sample, seed) pairs, the measures are told back with the chance constraints.

Resumable and reproducible after ``kill -9``:

- the study lives in ``study.db`` (Optuna's RDB storage, SQLite); a candidate's lever values are stored when it
  is asked, its measures when it is told;
- every run is recorded as it finishes in ``runs/<run id>.json`` (written atomically), so a resumed search
  re-runs only the runs in flight;
- a candidate asked but not told (the kill) is finished on resume with its stored lever values, and the
  sampler that asks trial n is seeded from (seed, n): the resumed search asks exactly what the uninterrupted one
  would have, and ends with the same Pareto set.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design.expr import add_design_outcomes
from experiments.design.spec import Problem
from experiments.execution.executors import Executor, make_executor
from experiments.execution.progress import Progress
from experiments.execution.worker import RunOutput, RunTask, Study, execute

SAMPLERS = {"nsga2": "NSGAIISampler", "nsga3": "NSGAIIISampler"}
FAILED_VIOLATION = 1e12  # constraint violation told when a measure is undefined for a candidate


class DesignError(RuntimeError):
    """The search cannot go on (every candidate of a generation failed)."""


def quiet_optuna() -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("optuna").setLevel(logging.WARNING)
    return optuna


def generation_key(problem: Problem) -> str:
    """The trial system attribute where Optuna's GA samplers keep a trial's generation."""
    return f"{SAMPLERS[problem.spec.sampler]}:generation"


def make_sampler(problem: Problem, index: int) -> Any:
    """The sampler that asks trial ``index``, seeded from (seed, index), with Deb's operators for continuous
    levers: simulated binary crossover and polynomial mutation (Deb et al. 2002, the NSGA-II paper's choice)."""
    optuna = quiet_optuna()
    seed = int(np.random.SeedSequence([problem.spec.seed, index]).generate_state(1, np.uint32)[0])
    cls = getattr(optuna.samplers, SAMPLERS[problem.spec.sampler])
    with warnings.catch_warnings():  # the operators are marked experimental in Optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return cls(
            population_size=problem.spec.population,
            seed=seed,
            crossover=optuna.samplers.nsgaii.SBXCrossover(),
            mutation=optuna.samplers.nsgaii.PolynomialMutation(),
        )


def open_study(folder: Path, problem: Problem) -> Any:
    """The study in ``folder/study.db`` (created or continued)."""
    optuna = quiet_optuna()
    path = folder / "study.db"
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}", engine_kwargs={"creator": lambda: _connect(path)})
    return optuna.create_study(
        study_name="design",
        storage=storage,
        directions=["maximize" if o.sense == "max" else "minimize" for o in problem.objectives],
        sampler=make_sampler(problem, 0),
        load_if_exists=True,
    )


def _connect(path: Path) -> sqlite3.Connection:
    """SQLite in write-ahead-log mode without a disk flush per commit: a commit survives the process being
    killed (the operating system keeps it), only a power cut could lose the last ones; each trial is several
    commits, so this keeps the study's bookkeeping small next to the runs."""
    con = sqlite3.connect(path, timeout=30, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    return con


class RunCache:
    """Every finished run, one JSON line each in ``folder/runs.jsonl`` (appended and flushed as runs finish, so
    a kill -9 loses at most the line being written, which is ignored on reading)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "runs.jsonl"
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # the line a kill cut short
                self.records[rec["run_id"]] = rec

    def put(self, out: RunOutput) -> None:
        """Record one finished run."""
        rec = {"run_id": out.run_id, "status": out.status, "error": out.error, "wall_s": out.wall_s}
        rec["outcomes"] = {k: (float(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in out.outcomes.items()}
        with self.path.open("a", encoding="utf-8") as f:
            f.write("\n" + json.dumps(rec) + "\n")  # a leading newline ends a line a kill cut short
        self.records[out.run_id] = rec

    def frame(self, label: str, pairs: int) -> pd.DataFrame:
        """The runs of candidate ``label`` in pair order: ``pair``, ``ok`` and every outcome (yes/no as 1/0)."""
        rows = []
        for j in range(pairs):
            rec = self.records.get(run_id(label, j)) or {"status": "missing", "outcomes": {}}
            rows.append({"pair": j, "ok": rec["status"] == "ok", "error": rec.get("error", ""), **rec["outcomes"]})
        return add_design_outcomes(pd.DataFrame(rows))


def run_id(label: str, j: int) -> str:
    return f"{label}.p{j:04d}"


def label_of(number: int | None) -> str:
    """``plan`` for the plan as written, ``t00012`` for trial 12."""
    return "plan" if number is None else f"t{number:05d}"


def tasks_for(problem: Problem, label: str, levers: dict[str, float] | None) -> list[RunTask]:
    """The runs of one candidate (``levers``) or of the plan as written (``None``) on every pair."""
    out = []
    for j in range(problem.pairs):
        unc = problem.sample_of(j)
        chosen = problem.plan_levers if levers is None else levers
        params = {**{k: float(v) for k, v in chosen.items()}, **unc}
        moved = problem.uncertainties if levers is None else [*problem.levers, *problem.uncertainties]
        overrides = {}
        if problem.content is not None:
            for p in moved:
                x = params[p.key]
                overrides.update(p.assignments(round(x) if p.integer else float(x)))
        out.append(
            RunTask(
                index=j,
                run_id=run_id(label, j),
                scenario=problem.key,
                replicate=j % problem.spec.replicates,
                seed=problem.seeds[j],
                months=problem.months,
                overrides=overrides,
                params=params,
            )
        )
    return out


def measure_values(problem: Problem, runs: pd.DataFrame) -> dict[str, float]:
    """Each measure's value over a candidate's successful runs."""
    ok = runs[runs["ok"]]
    return {m.text: m.aggregate(m.per_run(ok)) if len(ok) else math.nan for m in problem.measures}


def search(
    folder: Path,
    problem: Problem,
    generations: int,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = True,
    executor: Executor | None = None,
) -> Any:
    """Run (or continue) the search in ``folder`` until it has ``generations`` complete generations.

    Returns:
        The Optuna study.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cache = RunCache(folder)
    study = open_study(folder, problem)
    size = problem.spec.population
    target = generations * size
    bar = Progress(target, min(_complete(study), target), label="candidates", enabled=progress)
    own = executor is None
    ex = make_executor(workers, dask) if own else executor
    try:
        study_inputs = Study(
            {problem.key: problem.content} if problem.content is not None else {},
            problem.paired,
            model=problem.spec.model,
        )
        _run(ex, cache, tasks_for(problem, "plan", None), study_inputs)
        pending = _unfinished(study, problem)
        while pending or _complete(study) < target:
            batch = pending or [_ask(study, problem) for _ in range(size - _complete(study) % size)]
            pending = []
            tasks = [t for trial in batch for t in tasks_for(problem, label_of(trial.number), trial.params)]
            _run(ex, cache, tasks, study_inputs)
            told = [_tell(study, trial, problem, cache) for trial in batch]
            for ok in told:
                bar.update(ok)
            if not any(told):
                first = cache.frame(label_of(batch[0].number), problem.pairs)["error"].iloc[0]
                raise DesignError(f"every candidate of the last batch failed; first error: {first}")
    finally:
        bar.close()
        if own:
            with contextlib.suppress(Exception):
                ex.close()
    return study


def _run(ex: Executor, cache: RunCache, tasks: list[RunTask], inputs: Study) -> None:
    """Run the tasks not in the cache; ``inputs`` (scenario, pairing, model) go once per worker."""
    todo = [t for t in tasks if t.run_id not in cache.records]
    for task, out in ex.run(execute, todo, inputs):
        if not isinstance(out, RunOutput):
            out = RunOutput(task.index, task.run_id, "failed", f"executor: {out!r}", math.nan, {}, None)
        cache.put(out)


def _complete(study: Any) -> int:
    import optuna

    return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))


def _ask(study: Any, problem: Problem) -> Any:
    """Ask the next trial with the sampler seeded for its index (trials a kill cut short do not count)."""
    index = sum(1 for t in study.get_trials(deepcopy=False) if not t.user_attrs.get("interrupted"))
    study.sampler = make_sampler(problem, index)
    return study.ask(problem.distributions())


def _unfinished(study: Any, problem: Problem) -> list[Any]:
    """Trials asked but not told before a kill: those with every lever stored are finished with these values;
    one cut short while being asked is marked failed and interrupted (it will be asked again)."""
    import optuna

    out = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.sampler = make_sampler(problem, t.number)
        trial = optuna.trial.Trial(study, t._trial_id)
        if set(t.params) == set(problem.distributions()):
            out.append(trial)
        else:
            trial.set_user_attr("interrupted", True)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return out


def _tell(study: Any, trial: Any, problem: Problem, cache: RunCache) -> bool:
    """Tell a candidate's objective values and constraint violations; False when it has no usable value."""
    import optuna

    runs = cache.frame(label_of(trial.number), problem.pairs)
    values = measure_values(problem, runs)
    trial.set_user_attr("measures", {k: (v if math.isfinite(v) else None) for k, v in values.items()})
    trial.set_user_attr("runs_ok", int(runs["ok"].sum()))
    objectives = [values[o.measure.text] for o in problem.objectives]
    if not all(math.isfinite(v) for v in objectives):
        errors = [e for e in runs["error"] if e]
        trial.set_user_attr("error", errors[0][:500] if errors else "an objective is undefined in every run")
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return False
    for i, c in enumerate(problem.constraints):
        v = c.violation(values[c.measure.text])
        trial.set_constraint(f"c{i}", v if math.isfinite(v) else FAILED_VIOLATION)
    study.tell(trial, objectives)
    return True
