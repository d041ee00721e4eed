"""The runs of an experiment on a worker: the picklable tasks, what they return, and the worker functions.

An experiment's shared inputs (:class:`Study`: the validated scenario contents, whether runs are paired, which
series to keep, or a reference ``"module:function"`` to a plain function model used to check the design
machinery on functions with known answers) travel once per worker. Tasks are :class:`Batch` es of plan rows
(:class:`RunTask`: seed, months, dotted overrides), tens of runs each; :func:`run_batch` runs them and writes
the batch's part files into the experiment folder itself (``experiments.store.parts``), so the experiment's process
only counts what finished. A run that fails is recorded with ``status="failed"`` and its error text, and the
experiment goes on.
"""

from __future__ import annotations

import copy
import gc
import importlib
import importlib.util
import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RunTask:
    """One planned run: a row of the plan (the scenario content travels once per worker, in :class:`Study`).

    Attributes:
        index: Position in the experiment's plan.
        run_id: Stable identifier, e.g. ``jiaxing-2017.r0003`` or ``pt00012.r0000``.
        scenario: Key of the scenario in the experiment (its name, made unique).
        replicate: Replicate number k; every scenario's replicate k has the same seed.
        seed: Root seed passed to the model as ``rng``.
        months: Months to simulate (None: the scenario's horizon).
        overrides: Dotted overrides applied to the scenario for this run (sweep and sensitivity points).
        params: The design's parameter values for this run (recorded as ``param.<name>``).
    """

    index: int
    run_id: str
    scenario: str
    replicate: int
    seed: int
    months: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """What every run of an experiment shares; an executor sends it once per worker, not with every task.

    Attributes:
        scenarios: Validated content of each scenario (``Scenario.model_dump(mode="json")``), by key.
        paired: Also run the no-policy counterpart under the same seed to fill additionality.
        series: Monthly metrics to keep: None, ``"all"`` or a tuple of metric names.
        model: ``"module:function"`` of a plain function model ``f(params, seed) -> {metric: value}``.
        folder: The experiment folder the workers write their parts into (None: they send the parts back).
        token: The folder's token (``parts/.study``): a worker writes only into a folder holding it, so a worker
            on a machine that does not share the folder sends its parts back instead.
    """

    scenarios: dict[str, dict[str, Any]]
    paired: bool = False
    series: str | tuple[str, ...] | None = None
    model: str | None = None
    folder: str | None = None
    token: str = ""


@dataclass(frozen=True)
class Batch:
    """Runs executed by one task; ``name`` names its part files (``parts/<name>.runs.parquet``, ...)."""

    name: str
    runs: tuple[RunTask, ...]


@dataclass
class RunOutput:
    """One run's status, flat outcomes and (optionally) monthly series arrays."""

    index: int
    run_id: str
    status: str
    error: str
    wall_s: float
    outcomes: dict[str, float | bool]
    series: dict[str, np.ndarray] | None = None


@dataclass
class BatchOutput:
    """What a batch task returns: per-run status and wall time, and the part's bytes when the worker could not
    write them into the folder itself (``written`` False)."""

    name: str
    indices: list[int]
    ok: list[bool]
    wall_s: list[float]
    written: bool
    runs: bytes | None = None
    series: bytes | None = None


#: Whether this process has run a study's task once, untimed: the first run in a process loads the compiled
#: loops (``sim.kernels``) and first-use imports and caches, and would otherwise set the study's estimate.
_warm = False


def freeze_after_warm_up() -> None:
    """After a process's first run: collect, then move what imports, compiled loops and caches made (some 200,000
    long-lived objects) out of the garbage collector's sight (``gc.freeze``), so the full collections a study's
    runs trigger do not walk them again (about 3% of a 2,000-firm run)."""
    gc.collect()
    gc.freeze()


def run_batch(batch: Batch, study: Study) -> BatchOutput:
    """Run a batch and write its part (or return its bytes); never raises for a failing run."""
    from experiments.store import parts

    global _warm
    if not _warm and study.model is None and batch.runs:
        execute(batch.runs[0], study)  # once per process, untimed: the first timed run then measures the study
        freeze_after_warm_up()
        _warm = True
    outputs = [execute(task, study) for task in batch.runs]
    runs, series = parts.encode(outputs, batch.runs)
    written = parts.can_write(study.folder, study.token)
    if written:
        parts.write(Path(study.folder, "parts"), batch.name, runs, series)
        runs = series = None
    return BatchOutput(
        batch.name,
        [o.index for o in outputs],
        [o.status == "ok" for o in outputs],
        [o.wall_s for o in outputs],
        written,
        runs,
        series,
    )


def execute(task: RunTask, study: Study) -> RunOutput:
    """Run one task; never raises (a failure is returned with its error text)."""
    t0 = time.perf_counter()
    try:
        if study.model is not None:
            outcomes = {k: _flat_value(v) for k, v in resolve_model(study.model)(dict(task.params), task.seed).items()}
            series = None
        else:
            outcomes, series = _run_scenario(task, study)
        status, error = "ok", ""
    except Exception as e:
        outcomes, series, status, error = {}, None, "failed", _error_text(e)
    return RunOutput(task.index, task.run_id, status, error, time.perf_counter() - t0, outcomes, series)


#: Folders of this repository a function model's module may live in: a manifest is data, and must not choose
#: code to run.
MODEL_FOLDERS = tuple(Path(__file__).resolve().parents[2] / d for d in ("experiments", "tests"))


#: Where each module of ``experiments`` went when its library code was grouped into packages. A folder written
#: before names its function model (``manifest.json`` ``run.model``, ``design.json`` ``model``) by the old module;
#: :func:`resolve_model`, the one reader of such references, translates it so the folder still resumes.
MOVED_MODULES = {
    f"experiments.{old}": f"experiments.{new}"
    for old, new in {
        "analysis": "analysis.tables",
        "budget": "analysis.budget",
        "discover": "analysis.discover",
        "discover_outcomes": "analysis.discover_outcomes",
        "discover_store": "analysis.discover_store",
        "outcomes": "analysis.outcomes",
        "sensitivity": "analysis.sensitivity",
        "survival": "analysis.survival",
        "executors": "execution.executors",
        "progress": "execution.progress",
        "runner": "execution.runner",
        "worker": "execution.worker",
        "designs": "plan.designs",
        "space": "plan.space",
        "spacecheck": "plan.spacecheck",
        "consolidate": "store.consolidate",
        "folder": "store.folder",
        "parts": "store.parts",
        "provenance": "store.provenance",
        "store": "store.results",
    }.items()
}


def function_model(fn: Any) -> Any:
    """Mark a module-level function ``f(params, seed) -> {metric: value}`` as a model an experiment may run
    instead of the simulator (to check the design machinery on functions with known answers)."""
    fn.__techfin_model__ = True
    return fn


@cache
def resolve_model(ref: str):
    """The function model named by ``"package.module:function"``, only from the allowed modules and only if it
    is marked with :func:`function_model`; a module's name from before it moved is read as its new one
    (:data:`MOVED_MODULES`).

    Raises:
        ValueError: for any other reference (a crafted ``manifest.json`` cannot make a resume call arbitrary code).
    """
    module, _, name = ref.partition(":")
    module = MOVED_MODULES.get(module, module)
    if "." in module and module.split(".")[0] not in ("experiments", "tests"):
        module = ""  # finding a dotted module imports its parents: only this project's packages
    try:
        spec = importlib.util.find_spec(module) if module else None
    except (ImportError, ValueError):
        spec = None
    origin = Path(spec.origin).resolve() if spec is not None and spec.origin else None
    if origin is None or not name.isidentifier() or not any(origin.is_relative_to(d) for d in MODEL_FOLDERS):
        raise ValueError(f"model {ref!r}: not an allowed function model (modules under experiments/ or tests/)")
    obj: Any = importlib.import_module(module)
    obj = getattr(obj, name, None)
    if not getattr(obj, "__techfin_model__", False):
        raise ValueError(f"model {ref!r}: not a function marked with experiments.execution.worker.function_model")
    return obj


def model_ref(fn: Any) -> str:
    """``"module:name"`` of a marked module-level function model, checked to resolve back to it."""
    ref = f"{fn.__module__}:{fn.__qualname__}"
    if "<" in ref or "." in fn.__qualname__:
        raise ValueError(f"{ref}: the model must be a module-level function (workers import it by name)")
    if resolve_model(ref) is not fn:
        raise ValueError(f"{ref}: does not resolve back to the function given")
    return ref


def build_scenario(content: dict[str, Any], overrides: dict[str, Any], source: str = "experiment"):
    """The validated Scenario for ``content`` with ``overrides`` applied."""
    from sim.scenario import set_dotted, validate

    data = copy.deepcopy(content) if overrides else content
    for key, value in overrides.items():
        set_dotted(data, key, value, source)
    return validate(data, source)


#: Validated scenarios of the study this worker process last ran ((token, key) → Scenario): runs without
#: overrides reuse them rather than validate the content again (the model never changes its scenario; a
#: folder's token names one set of scenario contents, checked by digest on resume).
_VALIDATED: dict[tuple[str, str], Any] = {}


def _scenario(task: RunTask, study: Study):
    content = study.scenarios.get(task.scenario) or {}
    if task.overrides or not study.token:
        return build_scenario(content, task.overrides, task.run_id)
    key = (study.token, task.scenario)
    if key not in _VALIDATED:
        _VALIDATED.clear()
        _VALIDATED[key] = build_scenario(content, {}, task.scenario)
    return _VALIDATED[key]


def _run_scenario(task: RunTask, study: Study) -> tuple[dict[str, float | bool], dict[str, np.ndarray] | None]:
    from experiments.analysis.outcomes import flatten_outcomes, series_arrays
    from sim.runs import run_scenario

    result = run_scenario(_scenario(task, study), task.seed, task.months, paired=study.paired)
    outcomes = flatten_outcomes(result.summary, result.monthly, result.institutions)
    return outcomes, series_arrays(result.monthly, study.series)


def _flat_value(v: Any) -> float | bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return float("nan") if v is None else float(v)


def _error_text(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)[-3:]
    where = "".join(traceback.format_list(frames)).rstrip()
    return f"{''.join(traceback.format_exception_only(e)).strip()}\n{where}"[:4000]
