"""What counts as a failure in scenario discovery: named outcome presets and boolean expressions over run columns.

``--outcome`` is either a preset name (``PRESETS``; ``target.<i>.missed`` for plan target i) or an expression
over the run table's columns (outcomes and ``param.<name>`` inputs):

- names are column names as stored (``pool_depleted``, ``pool.tech-credit.depleted``, ``chi2``); a name that
  reads badly in an expression can be quoted in backticks (`` `pool.tech-credit.months_to_depletion` ``);
- numbers, ``+ - * /``, comparisons ``< <= > >= == !=`` (chained too), ``and``, ``or``, ``not``, ``True``,
  ``False`` and brackets.

A numeric expression needs ``--threshold T``: the cases are the runs above T (below with ``--below``). A preset
with a number in it (guarantor leverage above 8×) takes ``--threshold`` as that number.

Missing values: a comparison with a missing number is false (as in pandas); a missing boolean (a target whose
date the run did not reach) is unknown, and a run whose outcome is unknown is left out and counted.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis import expressions


class OutcomeError(expressions.ExpressionError):
    """An outcome that cannot be evaluated on this folder (unknown name, bad expression, missing column)."""


@dataclass(frozen=True)
class Preset:
    """A named outcome: an expression (``{threshold}`` filled in), its default threshold and plain labels."""

    expr: str
    en: str
    zh: str
    threshold: float | None = None


PRESETS: dict[str, Preset] = {
    "pool_depleted": Preset(
        "pool_depleted", "a compensation pool runs out before the plan ends", "风险补偿资金池在规划期结束前耗尽"
    ),
    "pool_depleted_within": Preset(
        "pool_months_to_depletion_censored <= {threshold}",
        "a compensation pool runs out within {threshold} months",
        "风险补偿资金池在{threshold}个月内耗尽",
        36,
    ),
    "guarantor_depleted": Preset("guarantor_depleted", "the guarantors' capital runs out", "担保机构资本耗尽"),
    "guarantor_leverage": Preset(
        "guarantor_leverage_max > {threshold}",
        "guarantor leverage goes above {threshold}×",
        "担保放大倍数超过{threshold}倍",
        8,
    ),
    "budget_exhausted": Preset(
        "budget_exhausted_years > 0", "the special fund's budget runs out in some year", "某一年度专项资金预算用尽"
    ),
    "budget_exhausted_by": Preset(
        "budget_exhausted_month_earliest <= {threshold}",
        "the special fund's budget runs out by the end of month {threshold} of some year",
        "某一年度专项资金预算在{threshold}月底前用尽",
        9,
    ),
    "budget_before_october": Preset(
        "budget_exhausted_month_earliest <= 9",
        "the special fund's budget runs out before October in some year",
        "某一年度专项资金预算在10月前用尽",
    ),
    "targets_missed": Preset("targets_met < targets_total", "a plan target is missed", "至少一项规划目标未完成"),
}
TARGET_MISSED = re.compile(r"target\.(\d+)\.missed")


@dataclass(frozen=True)
class Outcome:
    """A resolved outcome: the expression evaluated, a short file-safe key and plain labels."""

    key: str
    expr: str
    en: str
    zh: str
    preset: str | None = None

    def label(self, lang: str) -> str:
        """The outcome in words, in ``lang``."""
        return self.zh if lang == "zh" else self.en


def resolve(spec: str, threshold: float | None = None, below: bool = False) -> Outcome:
    """The outcome named or written in ``spec`` (a preset, ``target.<i>.missed`` or an expression)."""
    spec = spec.strip()
    if not spec:
        raise OutcomeError("--outcome is empty: give a preset name or an expression")
    if spec in PRESETS:
        p = PRESETS[spec]
        if threshold is not None and p.threshold is None:
            raise OutcomeError(f"--outcome {spec} takes no --threshold")
        value = _num(p.threshold if threshold is None else threshold) if p.threshold is not None else ""
        fill = {"threshold": value}
        key = spec if p.threshold is None else f"{spec}-{value}"
        return Outcome(key, p.expr.format(**fill), p.en.format(**fill), p.zh.format(**fill), spec)
    if m := TARGET_MISSED.fullmatch(spec):
        i = m.group(1)
        return Outcome(
            f"target-{i}-missed", f"not target.{i}.met", f"plan target {i} is missed", f"规划目标{i}未完成", spec
        )
    op = "<" if below else ">"
    left = spec if re.fullmatch(r"[\w.\-`]+", spec) else f"({spec})"
    expr = spec if threshold is None else f"{left} {op} {_num(threshold)}"
    digest = hashlib.sha1(expr.encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^A-Za-z0-9]+", "_", spec).strip("_")[:40]
    return Outcome(f"{slug}-{digest}", expr, f"{expr} holds", expr)


def _num(v: float) -> str:
    return f"{float(v):g}"


def cases(outcome: Outcome, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(is_case, known)``: boolean arrays over the rows of ``table``.

    Raises:
        OutcomeError: naming the unknown column or the part of the expression that is not allowed.
    """
    if outcome.preset is not None:
        missing = [w for w in re.findall(r"[A-Za-z_][\w.\-]*", outcome.expr) if w not in (*table.columns, "not")]
        if missing:
            raise OutcomeError(
                f"--outcome {outcome.preset}: this folder has no column {missing[0]!r} (the runs did not record it;"
                " `techfin discover DIR --list` shows the columns)"
            )
    value, truth = evaluate(outcome.expr, table)
    if not truth:
        raise OutcomeError(
            f"--outcome {outcome.expr!r} is a number, not a yes/no condition: add --threshold T (runs above T are"
            " the cases; --below for runs below T) or write a comparison"
        )
    known = ~np.isnan(value)
    return known & (value == 1.0), known


MAX_EXPR_CHARS = 500


def evaluate(expr: str, table: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """``expr`` over the rows of ``table`` (``experiments.analysis.expressions``, missing values by Kleene's rule):
    ``(values, truth)``, truth values being 1 / 0 / NaN (unknown)."""
    if len(expr) > MAX_EXPR_CHARS:
        raise OutcomeError(f"--outcome: expression of {len(expr)} characters; at most {MAX_EXPR_CHARS}")
    where = f"--outcome {expr!r}"
    try:
        node, names = expressions.parse(expr, [str(c) for c in table.columns])
    except expressions.ExpressionError:
        raise OutcomeError(_unknown(expr, table)) from None
    try:
        expressions.check_nodes(node, names, where, "column names", booleans=True)
    except expressions.ExpressionError as e:
        raise OutcomeError(str(e)) from None
    if unknown := next((v for v in names.values() if v not in table.columns), None):
        raise OutcomeError(_unknown(expr, table, unknown))
    cols = {k: expressions.column(table[v]) for k, v in names.items()}
    booleans = {v for v in names.values() if expressions.is_boolean(table[v])}
    for part in ast.walk(node):
        operands = part.values if isinstance(part, ast.BoolOp) else [part.operand] if _is_not(part) else []
        if not all(expressions.yes_no(o, names, booleans.__contains__) for o in operands):
            raise OutcomeError(f"{where}: and / or / not need yes/no parts (a comparison or a boolean)")
    values = expressions.evaluate(node, cols, len(table), missing="kleene")
    return values, expressions.yes_no(node, names, booleans.__contains__)


def _is_not(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)


def _unknown(expr: str, table: pd.DataFrame, word: str | None = None) -> str:
    """The message for an outcome that names nothing this folder has."""
    presets = ", ".join([*PRESETS, "target.<i>.missed"])
    if word is None:
        words = [w for w in re.findall(r"[A-Za-z_][\w.\-]*", expr) if w not in ("and", "or", "not", "True", "False")]
        word = next((w for w in words if w not in table.columns), expr)
    names = list(dict.fromkeys([*PRESETS, *map(str, table.columns)]))
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return (
        f"--outcome {expr!r}: {word!r} is neither a preset ({presets}) nor a column of this folder{hint}"
        " (`techfin discover DIR --list` shows the columns)"
    )
