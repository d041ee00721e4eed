"""One run of an experiment: the picklable task, what it returns, and the module-level worker function.

Tasks travel to worker processes and Dask workers, so they are small dataclasses of plain data: the validated
scenario content (a mapping) plus dotted overrides, or a reference ``"module:function"`` to a plain function
model (used to check the sensitivity machinery on functions with known indices). The worker never raises: a
run that fails comes back with ``status="failed"`` and its error text, and the experiment goes on.
"""

from __future__ import annotations

import copy
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
    """Everything one run needs.

    Attributes:
        index: Position in the experiment's plan (names the part files).
        run_id: Stable identifier, e.g. ``jiaxing-2017.r0003`` or ``pt00012.r0000``.
        scenario: Key of the scenario in the experiment (its name, made unique).
        replicate: Replicate number k; every scenario's replicate k has the same seed.
        seed: Root seed passed to the model as ``rng``.
        months: Months to simulate (None: the scenario's horizon).
        content: Validated scenario content (``Scenario.model_dump(mode="json")``); None for a function model.
        overrides: Dotted overrides applied to ``content`` for this run (sweep and sensitivity points).
        params: The design's parameter values for this run (recorded as ``param.<name>``).
        paired: Also run the no-policy counterpart under the same seed to fill additionality.
        series: Monthly metrics to keep: None, ``"all"`` or a tuple of metric names.
        model: ``"module:function"`` of a plain function model ``f(params, seed) -> {metric: value}``.
    """

    index: int
    run_id: str
    scenario: str
    replicate: int
    seed: int
    months: int | None = None
    content: dict[str, Any] | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, float] = field(default_factory=dict)
    paired: bool = False
    series: str | tuple[str, ...] | None = None
    model: str | None = None


@dataclass
class RunOutput:
    """What a worker sends back: the run's status, its flat outcomes and (optionally) its monthly series as the
    bytes of an Arrow IPC file (serialised in the worker, so parallel executors share that work)."""

    index: int
    run_id: str
    status: str
    error: str
    wall_s: float
    outcomes: dict[str, float | bool]
    series: bytes | None = None


def execute(task: RunTask) -> RunOutput:
    """Run one task; never raises (a failure is returned with its error text)."""
    t0 = time.perf_counter()
    try:
        if task.model is not None:
            outcomes = {k: _flat_value(v) for k, v in resolve_model(task.model)(dict(task.params), task.seed).items()}
            series = None
        else:
            outcomes, series = _run_scenario(task)
        status, error = "ok", ""
    except Exception as e:
        outcomes, series, status, error = {}, None, "failed", _error_text(e)
    return RunOutput(task.index, task.run_id, status, error, time.perf_counter() - t0, outcomes, series)


#: Folders of this repository a function model's module may live in: a manifest is data, and must not choose
#: code to run.
MODEL_FOLDERS = tuple(Path(__file__).resolve().parent.parent / d for d in ("experiments", "tests"))


def function_model(fn: Any) -> Any:
    """Mark a module-level function ``f(params, seed) -> {metric: value}`` as a model an experiment may run
    instead of the simulator (to check the design machinery on functions with known answers)."""
    fn.__techfin_model__ = True
    return fn


@cache
def resolve_model(ref: str):
    """The function model named by ``"package.module:function"``, only from the allowed modules and only if it
    is marked with :func:`function_model`.

    Raises:
        ValueError: for any other reference (a crafted ``manifest.json`` cannot make a resume call arbitrary code).
    """
    module, _, name = ref.partition(":")
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
        raise ValueError(f"model {ref!r}: not a function marked with experiments.worker.function_model")
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


def _run_scenario(task: RunTask) -> tuple[dict[str, float | bool], bytes | None]:
    from experiments.outcomes import flatten_outcomes, series_ipc
    from sim.model import EcosystemModel
    from sim.runs import run_paired

    scenario = build_scenario(task.content or {}, task.overrides, task.run_id)
    if task.paired:
        result = run_paired(scenario, task.seed, task.months)
    else:
        result = EcosystemModel(scenario, rng=task.seed).run(task.months)

    outcomes = flatten_outcomes(result.summary, result.monthly, result.institutions)
    return outcomes, series_ipc(result.monthly, task.series)


def _flat_value(v: Any) -> float | bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return float("nan") if v is None else float(v)


def _error_text(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)[-3:]
    where = "".join(traceback.format_list(frames)).rstrip()
    return f"{''.join(traceback.format_exception_only(e)).strip()}\n{where}"[:4000]
