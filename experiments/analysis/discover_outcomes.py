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
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


class OutcomeError(ValueError):
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


_CMP = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
MAX_EXPR_CHARS = 500
Value = tuple[np.ndarray, bool]  # floats, and whether they are truth values (1 / 0 / NaN for unknown)


def evaluate(expr: str, table: pd.DataFrame) -> Value:
    """``expr`` over the rows of ``table``: ``(values, truth)``, truth values being 1 / 0 / NaN (unknown)."""
    if len(expr) > MAX_EXPR_CHARS:
        raise OutcomeError(f"--outcome: expression of {len(expr)} characters; at most {MAX_EXPR_CHARS}")
    text, names = _substitute(expr, [str(c) for c in table.columns])
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError):
        raise OutcomeError(_unknown(expr, table)) from None
    with np.errstate(divide="ignore", invalid="ignore"):
        return _walk(tree.body, table, names, expr)


def _substitute(expr: str, columns: Sequence[str]) -> tuple[str, dict[str, str]]:
    """Replace backticked names and bare column names (longest first) by placeholders ``_c0``, ``_c1`` ..."""
    names: dict[str, str] = {}

    def place(name: str) -> str:
        key = next((k for k, v in names.items() if v == name), None) or f"_c{len(names)}"
        names[key] = name
        return f" {key} "

    text = re.sub(r"`([^`]+)`", lambda m: place(m.group(1)), expr)
    for col in sorted(columns, key=len, reverse=True):
        if col in text:
            text = re.sub(rf"(?<![\w.\-]){re.escape(col)}(?![\w.\-])", lambda m, c=col: place(c), text)
    return text, names


def _walk(node: ast.AST, table: pd.DataFrame, names: dict[str, str], expr: str) -> Value:
    n = len(table)

    def walk(child: ast.AST) -> Value:
        return _walk(child, table, names, expr)

    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return np.full(n, float(node.id == "True")), True
        if node.id not in names:
            raise OutcomeError(_unknown(expr, table, node.id))
        return _column(table, names[node.id])
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
        return np.full(n, float(node.value)), isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return 1.0 - _need_truth(walk(node.operand), expr), True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v, _ = walk(node.operand)
        return (-v if isinstance(node.op, ast.USub) else v), False
    if isinstance(node, ast.BoolOp):
        parts = [_need_truth(walk(v), expr) for v in node.values]
        return _kleene(parts, isinstance(node.op, ast.And)), True
    if isinstance(node, ast.Compare) and all(type(op) in _CMP for op in node.ops):
        left, out = walk(node.left)[0], np.ones(n)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = walk(right_node)[0]
            out = np.minimum(out, _CMP[type(op)](left, right).astype(float))  # NaN compares false (as pandas)
            left = right
        return out, True
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](walk(node.left)[0], walk(node.right)[0]), False
    raise OutcomeError(
        f"--outcome {expr!r}: only column names, numbers, + - * /, comparisons, and, or, not are allowed"
    )


def _kleene(parts: list[np.ndarray], conj: bool) -> np.ndarray:
    """Three-valued and / or: a decided operand decides (false for and, true for or); else unknown wins."""
    stack = np.vstack(parts)
    decisive = 0.0 if conj else 1.0
    out = np.where(np.isnan(stack).any(axis=0), np.nan, 1.0 - decisive)
    return np.where((stack == decisive).any(axis=0), decisive, out)


def _need_truth(v: Value, expr: str) -> np.ndarray:
    if not v[1]:
        raise OutcomeError(f"--outcome {expr!r}: and / or / not need yes/no parts (a comparison or a boolean)")
    return v[0]


def _column(table: pd.DataFrame, name: str) -> Value:
    s = table[name]
    present = s.dropna()
    if len(present) and all(isinstance(v, (bool, np.bool_)) for v in present):
        return pd.array(s.astype(object), dtype="boolean").to_numpy(dtype=float, na_value=np.nan), True
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan), False


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
