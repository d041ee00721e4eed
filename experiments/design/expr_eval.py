"""Per-run expressions of a design search's measures, read safely: outcome names (with dots and hyphens) held by
placeholders, the syntax tree checked node by node (names, numbers, ``+ - * /``, comparisons, ``and`` / ``or`` /
``not``), then evaluated on arrays with NaN (undefined) carried through every operation; never ``eval``."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

NAME = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z0-9_][\w-]*)*)")
WORDS = frozenset({"and", "or", "not", "P", "mean", "max", "min"})


class ExpressionError(ValueError):
    """An objective or constraint that cannot be read; the message names the expression and the reason."""


def top_level_split(src: str) -> list[str]:
    """``src`` split at each ``<=`` / ``>=`` outside parentheses, the operators kept: [left, op, right, …]."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(src):
        ch = src[i]
        depth += {"(": 1, ")": -1}.get(ch, 0)
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


def placeheld(inner: str) -> tuple[str, dict[str, str]]:
    """Outcome names (which may hold dots and hyphens) replaced by placeholders ``_n0``, ``_n1``, …"""
    mapping: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name in WORDS or name in ("True", "False"):
            return name
        key = next((k for k, v in mapping.items() if v == name), f"_n{len(mapping)}")
        mapping[key] = name
        return key

    return NAME.sub(sub, inner), mapping


_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_CMP = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def check_nodes(node: ast.AST, where: str, mapping: dict[str, str]) -> None:
    ok = (
        ast.BinOp,
        ast.UnaryOp,
        ast.BoolOp,
        ast.Compare,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.operator,
        ast.unaryop,
        ast.boolop,
        ast.cmpop,
    )
    for n in ast.walk(node):
        if not isinstance(n, ok) or (isinstance(n, ast.BinOp) and type(n.op) not in _ARITH):
            raise ExpressionError(f"{where}: only outcome names, numbers, + - * /, comparisons, and/or/not are allowed")
        if isinstance(n, ast.UnaryOp) and not isinstance(n.op, (ast.USub, ast.UAdd, ast.Not)):
            raise ExpressionError(f"{where}: only outcome names, numbers, + - * /, comparisons, and/or/not are allowed")
        if isinstance(n, ast.Compare) and any(type(o) not in _CMP for o in n.ops):
            raise ExpressionError(f"{where}: comparisons are < <= > >= == !=")
        if isinstance(n, ast.Constant) and (isinstance(n.value, bool) or not isinstance(n.value, (int, float))):
            raise ExpressionError(f"{where}: {n.value!r} is not a number")
        if isinstance(n, ast.Name) and n.id not in mapping:
            raise ExpressionError(f"{where}: {n.id!r} is a word, not an outcome name here")


def check_event(node: ast.AST, mapping: dict[str, str], where: str, inner: str, yes_no: Callable) -> None:
    """``P()`` holds a comparison, a combination of events, or a yes/no outcome."""
    if isinstance(node, (ast.Compare,)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            check_event(v, mapping, where, inner, yes_no)
        return
    if isinstance(node, ast.Name) and (mapping[node.id] == "targets_met" or yes_no(mapping[node.id])):
        return
    raise ExpressionError(
        f"{where}: P({inner}) needs an event: a yes/no outcome (pool_depleted, guarantor_depleted, targets_met,"
        f" pool.<name>.depleted, target.<i>.met) or a comparison such as P({inner} >= 0)"
    )


def column(runs: pd.DataFrame, name: str, event: bool) -> np.ndarray:
    if event and name == "targets_met":
        name = "all_targets_met"
    if name not in runs:
        return np.full(len(runs), np.nan)
    return pd.to_numeric(runs[name], errors="coerce").astype("Float64").to_numpy(float, na_value=np.nan)


def evaluate(node: ast.AST, cols: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Evaluate on arrays; NaN (undefined) propagates through every operation, comparisons included."""
    if isinstance(node, ast.Constant):
        return np.full(n, float(node.value))
    if isinstance(node, ast.Name):
        return cols[node.id]
    if isinstance(node, ast.UnaryOp):
        v = evaluate(node.operand, cols, n)
        if isinstance(node.op, ast.Not):
            return np.where(np.isnan(v), np.nan, (v == 0).astype(float))
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        with np.errstate(divide="ignore", invalid="ignore"):
            return _ARITH[type(node.op)](evaluate(node.left, cols, n), evaluate(node.right, cols, n))
    if isinstance(node, ast.BoolOp):
        vals = [evaluate(v, cols, n) for v in node.values]
        truth = [v != 0 for v in vals]
        out = np.logical_and.reduce(truth) if isinstance(node.op, ast.And) else np.logical_or.reduce(truth)
        return np.where(np.any([np.isnan(v) for v in vals], axis=0), np.nan, out.astype(float))
    if isinstance(node, ast.Compare):
        left, result = evaluate(node.left, cols, n), np.ones(n)
        undefined = np.isnan(left)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = evaluate(comp, cols, n)
            undefined |= np.isnan(right)
            result = result * _CMP[type(op)](left, right)
            left = right
        return np.where(undefined, np.nan, result.astype(float))
    raise ExpressionError(f"cannot evaluate {ast.dump(node)}")  # unreachable after check_nodes
