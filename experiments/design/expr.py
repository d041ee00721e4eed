"""Objectives and chance constraints of a design search, written as short expressions over run outcomes.

An objective is ``max MEASURE`` or ``min MEASURE``; a constraint is ``MEASURE <= number`` or ``MEASURE >=
number``. A measure aggregates a per-run expression over every run of a candidate (its uncertainty samples ×
replicate seeds): ``mean(expr)`` is the average, ``P(event)`` the share of runs in which the event happens (a
bare ``expr`` is ``mean(expr)``). The per-run expression uses outcome names (the columns of a run's outcomes,
e.g. ``credit_per_public_wan``, ``pool.tech-credit.depleted``), numbers, ``+ - * /``, comparisons
(``< <= > >= == !=``) and ``and``, ``or``, ``not``. An event is a comparison or a yes/no outcome
(``pool_depleted``, ``guarantor_depleted``, ``pool.<name>.depleted``, ``target.<i>.met``, ``all_targets_met``);
inside ``P()``, ``targets_met`` reads as "the plan's targets are met" (all of them, ``all_targets_met``).

Two outcomes exist for the design only: ``all_targets_met`` (every plan target met) and ``targets_share`` (the
share of the plan's targets met). A run where an expression is undefined (a ratio with a zero cost, say) is left
out of that measure's average. Expressions are parsed with ``ast`` and evaluated on arrays, never with ``eval``
(``experiments.analysis.expressions``, with NaN carried through every operation).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis.expressions import WORDS, ExpressionError, check_nodes, evaluate, parse, yes_no
from experiments.analysis.expressions import column as values

#: Outcomes the design adds to every run's outcomes.
DESIGN_OUTCOMES = ("all_targets_met", "targets_share")
#: Outcomes filled only when each run is paired with the same region without the policy (``sim.runs``).
PAIRED_OUTCOMES = frozenset(
    {
        "additional_balance_avg_wan",
        "additional_balance_end_wan",
        "baseline_balance_end_wan",
        "new_lending_diff_wan",
        "credit_per_public_wan",
        "additionality_ratio",
        "substitution_share",
        "additional_balance_avg_regulatory_wan",
        "additional_balance_avg_fiscal_wan",
        "fiscal_credit_per_public_wan",
    }
)
YES_NO = re.compile(
    r"pool_depleted|guarantor_depleted|guarantor_insolvent|all_targets_met|(pool|guarantor)\.[^.]+\.depleted|target\.\d+\.met"
)
MAX_CHARS = 300
#: Words of a measure that are not outcome names.
MEASURE_WORDS = WORDS | {"P", "mean", "max", "min"}


@dataclass(frozen=True)
class Measure:
    """``P(event)`` or ``mean(expr)`` over a candidate's runs."""

    agg: str
    inner: str
    names: tuple[str, ...]

    @property
    def text(self) -> str:
        """The measure as written canonically, e.g. ``P(pool_depleted)``; also its column name in the tables."""
        return f"{self.agg}({self.inner})"

    def per_run(self, runs: pd.DataFrame) -> np.ndarray:
        """The per-run value (``P``: 1.0 / 0.0) for each row of ``runs``; NaN where undefined."""
        node, mapping = parse(self.inner, words=MEASURE_WORDS)
        columns = {key: _column(runs, name, self.agg == "P") for key, name in mapping.items()}
        out = np.asarray(evaluate(node, columns, len(runs), missing="propagate"), dtype=float)
        out = np.where(np.isfinite(out), out, np.nan)
        return np.where(np.isnan(out), np.nan, out != 0) if self.agg == "P" else out

    @staticmethod
    def aggregate(values: np.ndarray) -> float:
        """The mean over runs where the value is defined (NaN when it is defined in none)."""
        values = np.asarray(values, dtype=float)
        ok = np.isfinite(values)
        return float(values[ok].mean()) if ok.any() else math.nan


@dataclass(frozen=True)
class Objective:
    """``max`` or ``min`` a measure."""

    sense: str
    measure: Measure

    @property
    def text(self) -> str:
        return f"{self.sense} {self.measure.text}"

    def loss(self, value: float) -> float:
        """The value as something to minimise."""
        return -value if self.sense == "max" else value


@dataclass(frozen=True)
class Constraint:
    """``measure <= bound`` or ``measure >= bound``; feasible when ``violation <= 0``."""

    measure: Measure
    op: str
    bound: float

    @property
    def text(self) -> str:
        return f"{self.measure.text} {self.op} {self.bound:g}"

    def violation(self, value: float) -> float:
        """How far ``value`` is on the wrong side of the bound (≤ 0: met); +inf when undefined."""
        if not math.isfinite(value):
            return math.inf
        return value - self.bound if self.op == "<=" else self.bound - value


def parse_objective(text: str, known: Callable[[str], str | None]) -> Objective:
    """``"max mean(credit_per_public_wan)"`` → Objective; ``known(name)`` says why a name is not an outcome."""
    src = _checked(text, "--objective")
    m = re.fullmatch(r"\s*(max|min)(?:imi[sz]e)?\s+(.+?)\s*", src)
    if not m:
        raise ExpressionError(
            f"--objective {text!r}: write `max MEASURE` or `min MEASURE`, e.g. `max mean(credit_per_public_wan)`"
        )
    return Objective(m.group(1), parse_measure(m.group(2), known, f"--objective {text!r}"))


def parse_constraint(text: str, known: Callable[[str], str | None]) -> Constraint:
    """``"P(pool_depleted) <= 0.1"`` → Constraint."""
    src = _checked(text, "--constraint")
    where = f"--constraint {text!r}"
    parts = top_level_split(src)
    if len(parts) != 3:
        raise ExpressionError(
            f"{where}: write `MEASURE <= number` or `MEASURE >= number`, e.g. `P(pool_depleted) <= 0.1`"
        )
    left, op, right = parts
    try:
        bound = float(right)
    except ValueError:
        raise ExpressionError(f"{where}: the right-hand side {right.strip()!r} is not a number") from None
    if not math.isfinite(bound):
        raise ExpressionError(f"{where}: the bound must be a finite number")
    measure = parse_measure(left, known, where)
    if measure.agg == "P" and not 0.0 <= bound <= 1.0:
        raise ExpressionError(f"{where}: a probability bound must be between 0 and 1")
    return Constraint(measure, op, bound)


def parse_measure(text: str, known: Callable[[str], str | None], where: str) -> Measure:
    """``P(event)``, ``mean(expr)`` or a bare ``expr`` (read as ``mean(expr)``), checked name by name."""
    text = text.strip()
    m = re.fullmatch(r"(P|mean)\s*\((.*)\)", text, flags=re.S)
    agg, inner = (m.group(1), m.group(2).strip()) if m and balanced(m.group(2)) else ("mean", text)
    if not inner:
        raise ExpressionError(f"{where}: {agg}() needs an expression")
    try:
        node, mapping = parse(inner, words=MEASURE_WORDS)
    except ExpressionError:
        raise ExpressionError(f"{where}: {inner!r} is not an expression over run outcomes") from None
    check_nodes(node, mapping, where, "outcome names")
    names = tuple(dict.fromkeys(mapping.values()))
    for name in names:
        why = known(name)
        if why:
            raise ExpressionError(f"{where}: {why}")
    if agg == "P":
        event = getattr(known, "yes_no", None) or YES_NO.fullmatch
        if not yes_no(node, mapping, lambda name: name == "targets_met" or bool(event(name))):
            raise ExpressionError(
                f"{where}: P({inner}) needs an event: a yes/no outcome (pool_depleted, guarantor_depleted,"
                f" targets_met, pool.<name>.depleted, target.<i>.met) or a comparison such as P({inner} >= 0)"
            )
    return Measure(agg, inner, names)


def outcome_checker(
    pools: Iterable[str] | None,
    guarantors: Iterable[str] | None,
    targets: int | None,
    metrics: Iterable[str] | None = None,
) -> Callable[[str], str | None]:
    """A ``known(name)`` function for a scenario (its pools, guarantors and number of targets) or, when
    ``metrics`` is given, for a function model whose outcomes are exactly ``metrics``."""
    from experiments.analysis.outcomes import known_outcome

    if metrics is not None:
        allowed = set(metrics)

        def listed(n: str) -> str | None:
            return None if n in allowed else f"unknown outcome {n!r}: the model's outcomes are {sorted(allowed)}"

        listed.yes_no = lambda n: True  # a function model's outcomes are not typed: P() counts non-zero values
        return listed
    pools, guarantors = set(pools or ()), set(guarantors or ())

    def known(name: str) -> str | None:
        if name in DESIGN_OUTCOMES and targets == 0 and name == "all_targets_met":
            return f"{name}: the base scenario has no plan targets"
        if name in DESIGN_OUTCOMES:
            return None
        if not known_outcome(name):
            return f"unknown outcome {name!r} (outcome names: the columns of outcomes.parquet, see docs/experiments.md)"
        kind, _, rest = name.partition(".")
        entity = rest.rpartition(".")[0]
        if kind == "pool" and entity not in pools:
            return f"{name}: the base scenario has no pool {entity!r} (pools: {sorted(pools)})"
        if kind == "guarantor" and rest and entity not in guarantors:
            return f"{name}: the base scenario has no guarantor {entity!r} (guarantors: {sorted(guarantors)})"
        if kind == "target" and targets is not None and int(entity) >= targets:
            return f"{name}: the base scenario has {targets} targets (numbered from 0)"
        return None

    return known


def add_design_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with ``all_targets_met`` and ``targets_share`` added (from ``targets_met`` / ``targets_total``)."""
    if "targets_met" not in runs or "targets_total" not in runs:
        return runs
    met = pd.to_numeric(runs["targets_met"], errors="coerce").to_numpy(float)
    total = pd.to_numeric(runs["targets_total"], errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, met / total, np.nan)
    return runs.assign(all_targets_met=np.where(total > 0, (met == total).astype(float), np.nan), targets_share=share)


def needs_pairing(measures: Iterable[Measure]) -> bool:
    """Whether any measure reads an outcome that only a run paired with the no-policy region has."""
    return any(n in PAIRED_OUTCOMES for m in measures for n in m.names)


def _column(runs: pd.DataFrame, name: str, event: bool) -> np.ndarray:
    """A run outcome as floats (NaN where the runs lack it); in an event ``targets_met`` is ``all_targets_met``."""
    if event and name == "targets_met":
        name = "all_targets_met"
    return values(runs[name]) if name in runs else np.full(len(runs), np.nan)


def top_level_split(src: str) -> list[str]:
    """``src`` split at each ``<=`` / ``>=`` outside parentheses, the operators kept: [left, op, right, …]."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(src):
        depth += {"(": 1, ")": -1}.get(src[i], 0)
        if depth == 0 and src[i : i + 2] in ("<=", ">="):
            out += [src[start:i], src[i : i + 2]]
            start = i = i + 2
            continue
        i += 1
    return [*out, src[start:]]


def balanced(s: str) -> bool:
    """Whether every parenthesis in ``s`` closes, none before it opens."""
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _checked(text: str, option: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"{option}: empty expression")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"{option} {text[:40]!r}…: at most {MAX_CHARS} characters")
    return text
