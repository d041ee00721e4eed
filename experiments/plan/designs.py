"""Experiment designs as plans: which runs, with which seeds and parameter values.

A plan is a table with one row per run (index, run_id, scenario, replicate, seed, months, ``point`` for
designs over parameters, ``param.<name>`` values, and the run's dotted overrides as JSON). Replicate k of
every scenario and of every design point gets the same seed, from ``SeedSequence(master).spawn(R)[k]``, so
differences between scenarios or points are paired (common random numbers).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from experiments.plan.space import Space

SEED_MASK = (1 << 63) - 1  # seeds kept below 2**63 so they survive int64 columns


def replicate_seeds(master: int, replicates: int) -> list[int]:
    """Seed of replicate k: the first 64-bit word of ``SeedSequence(master).spawn(R)[k]``, masked to 63 bits."""
    children = np.random.SeedSequence(int(master)).spawn(int(replicates))
    return [int(c.generate_state(1, np.uint64)[0]) & SEED_MASK for c in children]


def replicate_plan(
    keys: Sequence[str],
    replicates: int,
    master: int,
    months: dict[str, int],
    parameter_sets: Sequence[dict[str, float]] | None = None,
) -> pd.DataFrame:
    """Every scenario × R replicates on shared seeds. With ``parameter_sets`` (a calibration's accepted sets),
    replicate k of every scenario runs set k (cycling through them): paired across scenarios, and the spread
    over replicates carries parameter uncertainty as well as luck."""
    seeds = replicate_seeds(master, replicates)
    sets = [json.dumps(s) for s in parameter_sets] if parameter_sets else ["{}"]
    rows = [
        {
            "run_id": f"{key}.r{k:04d}",
            "scenario": key,
            "replicate": k,
            "seed": seeds[k],
            "months": months[key],
            "overrides": sets[k % len(sets)],
        }
        for key in keys
        for k in range(replicates)
    ]
    return _indexed(pd.DataFrame(rows))


def point_plan(
    space: Space, values: np.ndarray, replicates: int, master: int, scenario: str, months: int | None
) -> pd.DataFrame:
    """Design points (rows of parameter values) × R replicates over one base scenario.

    The base content already holds the space's fixed overrides and any ``--set``; a run's overrides are the
    parameters' assignments only.
    """
    seeds = replicate_seeds(master, replicates)
    names = space.names
    rows = []
    for p, row in enumerate(values):
        params = dict(zip(names, (float(v) for v in row), strict=True))
        overrides = json.dumps(space.overrides_for(params, fixed=False)) if space.base is not None else "{}"
        for k in range(replicates):
            rows.append(
                {
                    "run_id": f"pt{p:05d}.r{k:04d}",
                    "scenario": scenario,
                    "point": p,
                    "replicate": k,
                    "seed": seeds[k],
                    "months": months,
                    **{f"param.{n}": v for n, v in params.items()},
                    "overrides": overrides,
                }
            )
    return _indexed(pd.DataFrame(rows))


def grid_unit(space: Space, levels: int) -> np.ndarray:
    """Full factorial over ``levels`` values per parameter, as points of the unit cube: bounded
    distributions from bound to bound, unbounded ones (norm, lognorm) at the mid-quantiles (i + ½)/n."""
    from experiments.plan.space import BOUNDED

    if levels < 1:
        raise ValueError(f"--points {levels}: at least one level per parameter")
    axes = []
    for p in space.parameters:
        if levels == 1:
            axes.append([0.5])
        elif p.dist in BOUNDED:
            axes.append(np.linspace(0.0, 1.0, levels))
        else:
            axes.append((np.arange(levels) + 0.5) / levels)
    return np.array(list(itertools.product(*axes)), dtype=float)


def lhs_unit(space: Space, n: int, master: int) -> np.ndarray:
    """``n`` Latin-hypercube points of the unit cube (``scipy.stats.qmc.LatinHypercube`` seeded by master)."""
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"--points {n}: at least one point")
    return qmc.LatinHypercube(d=len(space.parameters), seed=int(master)).random(n)


def _indexed(df: pd.DataFrame) -> pd.DataFrame:
    df.insert(0, "index", np.arange(len(df), dtype=np.int64))
    return df
