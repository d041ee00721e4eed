"""Fit behavioural parameters to observed figures by simulation (``techfin calibrate``).

Optuna proposes candidates (TPE sampler, ask-and-tell); each candidate runs the same ``replicates`` seeds
(common random numbers across candidates, so differences between candidates are not luck) on the experiment's
executor (serial, local processes or Dask). Its score is Gaussian: χ² = Σ (model − observed)² ÷ (sd² + se²),
where se is the standard error of the model's mean over the replicates (noise is part of the misfit's scale).
The study lives in ``study.db`` (SQLite) in the folder, so a calibration killed at any point resumes with
``--resume`` and keeps every finished trial; several workers share the one study.

A candidate is *accepted* (consistent with the data) when its χ² is within the ``accept_quantile`` of χ² with
one degree of freedom per target: the accepted sets are an approximate posterior sample, written as
``posterior.yaml`` for experiments that should carry parameter uncertainty (``--posterior``).

Folder: ``manifest.json`` (kind ``calibration``), ``calibration.yaml`` (the file as run), ``study.db``,
``trials.parquet`` (every trial: parameters, χ², accepted), ``fit.parquet`` (target, observed, the best
candidate's model value with its replicate band, the accepted sets' range), ``best.yaml`` (a scenario overlay
``extends:`` the base with the best parameters and their provenance) and ``posterior.yaml``; all but
``calibration.yaml`` and ``study.db`` are written by ``experiments.calibration.results``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from experiments.calibration.results import write_results
from experiments.calibration.spec import Calibration, Target
from experiments.execution.executors import make_executor
from experiments.execution.progress import Progress
from experiments.plan.designs import replicate_seeds
from sim.scenario import Scenario


@dataclass(frozen=True)
class Candidate:
    """One evaluation: a candidate's overrides under one seed (a worker task)."""

    trial: int
    seed: int
    content: dict[str, Any]
    overrides: dict[str, float]
    months: int | None
    targets: tuple[Target, ...]


def evaluate(task: Candidate) -> list[float]:
    """Run one candidate under one seed; return each target's model value (NaN where undefined)."""
    from experiments.execution.worker import build_scenario
    from sim.model import EcosystemModel

    scenario = build_scenario(task.content, task.overrides, f"trial {task.trial}")
    result = EcosystemModel(scenario, rng=task.seed).run(task.months)
    return [target_value(t, result.monthly, result.summary) for t in task.targets]


def target_value(t: Target, monthly: pd.DataFrame, summary: dict[str, Any]) -> float:
    """The model's value of target ``t`` in one run."""
    if t.metric in monthly.columns or t.metric in ("borrower_share", "balance_per_borrower_wan"):
        if t.metric == "borrower_share":
            series = monthly["borrowers"] / monthly["firms_alive"]
        elif t.metric == "balance_per_borrower_wan":
            series = monthly["tech_loan_balance_wan"] / monthly["borrowers"].where(monthly["borrowers"] > 0)
        else:
            series = monthly[t.metric]
        series = pd.to_numeric(series, errors="coerce")
        return float(series.iloc[-1]) if t.stat == "end" else float(series.iloc[t.from_month - 1 :].mean())
    v = summary.get(t.metric)
    return math.nan if v is None else float(v)


def chi2(values: np.ndarray, targets: list[Target]) -> tuple[float, np.ndarray, np.ndarray]:
    """(χ², model mean per target, its standard error) from a (replicates, targets) array of values."""
    n = np.sum(np.isfinite(values), axis=0)
    if (n == 0).any():
        return math.inf, np.full(values.shape[1], math.nan), np.zeros(values.shape[1])
    mean = np.nanmean(values, axis=0)
    se = np.zeros(values.shape[1])
    if (n > 1).all():
        se = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n)
    obs = np.array([t.observed for t in targets])
    sd = np.array([t.sd for t in targets])
    if not np.isfinite(mean).all():
        return math.inf, mean, se
    return float((((mean - obs) ** 2) / (sd**2 + se**2)).sum()), mean, se


def _quiet_optuna() -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("optuna").setLevel(logging.WARNING)
    return optuna


def open_study(folder: Path, cal: Calibration) -> Any:
    """The study stored in ``folder/study.db`` (created or continued)."""
    optuna = _quiet_optuna()
    return optuna.create_study(
        study_name=cal.name,
        storage=f"sqlite:///{folder / 'study.db'}",
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=cal.seed, n_startup_trials=min(10, max(4, len(cal.parameters) * 3))),
        load_if_exists=True,
    )


def distributions(cal: Calibration) -> dict[str, Any]:
    """Optuna's search space: one float distribution per parameter path."""
    from optuna.distributions import FloatDistribution

    return {p.path: FloatDistribution(p.bounds[0], p.bounds[1], log=p.log) for p in cal.parameters}


def calibrate(
    cal: Calibration,
    base: Scenario,
    folder: Path,
    trials: int,
    workers: int = 1,
    dask: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run (or continue) the study in ``folder`` until it has ``trials`` finished trials; write the results.

    Returns:
        The fit table.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calibration.yaml").write_text(  # first, so that a killed study can be resumed from its folder
        yaml.safe_dump(cal.model_dump(mode="json"), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    study = open_study(folder, cal)
    _drop_unfinished(study)
    seeds = replicate_seeds(cal.seed, cal.replicates)
    content = base.model_dump(mode="json")
    space = distributions(cal)
    done = _finished(study)
    batch = max(1, workers)
    bar = Progress(trials, done=min(done, trials), label="trials", enabled=progress)
    with make_executor(workers, dask) as ex:
        while done < trials:
            asked = [study.ask(space) for _ in range(min(batch, trials - done))]
            tasks = [
                Candidate(t.number, seed, content, dict(t.params), cal.months, tuple(cal.targets))
                for t in asked
                for seed in seeds
            ]
            values: dict[int, list[list[float]]] = {t.number: [] for t in asked}
            for task, result in ex.run(evaluate, tasks):
                values[task.trial].append(
                    [math.nan] * len(cal.targets) if isinstance(result, BaseException) else result
                )
            for t in asked:
                score, mean, _ = chi2(np.array(values[t.number], dtype=float), cal.targets)
                for target, value in zip(cal.targets, mean, strict=True):
                    t.set_user_attr(f"model.{target.metric}.{target.stat}", float(value))
                study.tell(t, score if math.isfinite(score) else 1e12)
                done += 1
                bar.update(math.isfinite(score))
    bar.close()
    return write_results(study, cal, base, folder, seeds)


def _finished(study: Any) -> int:
    import optuna

    return sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.get_trials(deepcopy=False))


def _drop_unfinished(study: Any) -> None:
    """Trials asked but never told (a kill) are marked failed, so a resume does not count them."""
    import optuna

    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(t.number, state=optuna.trial.TrialState.FAIL)
