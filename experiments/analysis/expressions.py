"""Expressions over run columns, read safely and evaluated on arrays; never ``eval``.

One reader for every expression the experiments take over a table of runs (``techfin discover --outcome``, a
design search's objectives and constraints):

- :func:`parse`: column names (which may hold dots and hyphens, e.g. ``pool.tech-credit.depleted``; any name in
  backticks) held by placeholders ``_n0``, ``_n1`` …, then read by ``ast``;
- :func:`check_nodes`: the syntax tree checked node by node against one whitelist (names, numbers, ``+ - * /``,
  comparisons ``< <= > >= == !=`` chained too, ``and`` / ``or`` / ``not``, brackets);
- :func:`yes_no`: whether a (sub)expression is a yes/no condition rather than a number;
- :func:`evaluate`: the tree on float arrays (truth values 1 / 0, NaN for missing), with one of two rules for
  missing values, ``missing=``:

  - ``"propagate"`` (the design's measures): NaN (undefined) carries through every operation, comparisons and
    ``and`` / ``or`` included: a run where any part is undefined is undefined;
  - ``"kleene"`` (discovery's outcomes): a comparison with a missing number is decided as numpy / pandas decide it
    (false, ``!=`` true); ``and`` / ``or`` are three-valued (Kleene): a decided operand decides (false for
    ``and``, true for ``or``), otherwise an unknown operand makes the result unknown.

  ``not`` of unknown is unknown under both rules.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

#: Words that are not column names: Python's keywords (``and``, ``or``, ``not``, ``True`` … read as such, the rest
#: refused by the whitelist).
WORDS = frozenset(keyword.kwlist)
#: A quoted string (left as it is, for the whitelist to refuse) or a name.
NAME = re.compile(r"""('[^']*'|"[^"]*")|(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z0-9_][\w-]*)*)""")
Missing = Literal["propagate", "kleene"]

_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_CMP = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_NODES = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Constant, ast.Name, ast.Load)
_NODES += (ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


class ExpressionError(ValueError):
    """An expression that cannot be read; the message names the expression and the reason."""


def placeheld(expr: str, columns: Sequence[str] = (), words: frozenset[str] = WORDS) -> tuple[str, dict[str, str]]:
    """``expr`` with its names replaced by placeholders ``_n0``, ``_n1`` …, and the placeholders' names.

    Names are, in this order: anything in backticks; the ``columns`` given (longest first, so a column whose name
    holds an operator such as ``-`` is read whole); any other identifier, dotted parts and hyphens after a dot
    included, that is not one of ``words`` nor inside quotes.
    """
    names: dict[str, str] = {}

    def place(name: str) -> str:
        key = next((k for k, v in names.items() if v == name), None) or f"_n{len(names)}"
        names[key] = name
        return f" {key} "

    text = re.sub(r"`([^`]+)`", lambda m: place(m.group(1)), expr)
    for col in sorted(columns, key=len, reverse=True):
        if col in text:
            text = re.sub(rf"(?<![\w.\-]){re.escape(col)}(?![\w.\-])", lambda m, c=col: place(c), text)

    def other(m: re.Match) -> str:
        word = m.group(2)
        return m.group(0) if word is None or word in words or word in names else place(word)

    return NAME.sub(other, text).strip(), names


def parse(expr: str, columns: Sequence[str] = (), words: frozenset[str] = WORDS) -> tuple[ast.expr, dict[str, str]]:
    """The syntax tree of ``expr`` (names as placeholders) and the placeholders' names.

    Raises:
        ExpressionError: ``expr`` is not an expression.
    """
    text, names = placeheld(expr, columns, words)
    try:
        return ast.parse(text, mode="eval").body, names
    except (SyntaxError, RecursionError, ValueError, MemoryError):
        raise ExpressionError(f"{expr!r} is not an expression") from None


def check_nodes(node: ast.AST, names: dict[str, str], where: str, noun: str, booleans: bool = False) -> None:
    """Refuse any node outside the whitelist; ``True`` / ``False`` only when ``booleans``.

    Raises:
        ExpressionError: ``"{where}: …"``, the reason in words (``noun``: what the names are, e.g. "column names").
    """
    allowed = f"{where}: only {noun}, numbers, + - * /, comparisons, and, or, not are allowed"
    for n in ast.walk(node):
        if not isinstance(n, _NODES) or (isinstance(n, ast.BinOp) and type(n.op) not in _ARITH):
            raise ExpressionError(allowed)
        if isinstance(n, ast.UnaryOp) and not isinstance(n.op, (ast.USub, ast.UAdd, ast.Not)):
            raise ExpressionError(allowed)
        if isinstance(n, ast.Compare) and any(type(o) not in _CMP for o in n.ops):
            raise ExpressionError(f"{where}: comparisons are < <= > >= == !=")
        if isinstance(n, ast.Constant) and not _number(n.value, booleans):
            raise ExpressionError(f"{where}: {n.value!r} is not a number")
        if isinstance(n, ast.Name) and n.id not in names:
            raise ExpressionError(f"{where}: {n.id!r} is a word, not one of the {noun} here")


def _number(value: object, booleans: bool) -> bool:
    return type(value) in (int, float) or (booleans and isinstance(value, bool))


def yes_no(node: ast.AST, names: dict[str, str], boolean: Callable[[str], bool]) -> bool:
    """Whether ``node`` is a yes/no condition: a comparison, ``not …``, ``True`` / ``False``, a name for which
    ``boolean(name)`` holds, or ``and`` / ``or`` of such conditions."""
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return True
    if isinstance(node, ast.BoolOp):
        return all(yes_no(v, names, boolean) for v in node.values)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    return isinstance(node, ast.Name) and boolean(names[node.id])


def is_boolean(series: pd.Series) -> bool:
    """Whether a column holds yes/no values (with or without missing ones)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    if series.dtype != object:
        return False
    present = series.dropna()
    return bool(len(present)) and all(isinstance(v, (bool, np.bool_)) for v in present)


def column(series: pd.Series) -> np.ndarray:
    """A column as floats: yes/no as 1.0 / 0.0, anything missing or not a number as NaN."""
    if is_boolean(series):
        return pd.array(series.astype(object), dtype="boolean").to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def evaluate(node: ast.AST, cols: dict[str, np.ndarray], n: int, missing: Missing = "propagate") -> np.ndarray:
    """``node`` (checked by :func:`check_nodes`) on arrays of length ``n``, ``cols`` by placeholder; truth values
    are 1.0 / 0.0, NaN where undefined under the ``missing`` rule (see the module's docstring)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _value(node, cols, n, missing == "kleene")


def _value(node: ast.AST, cols: dict[str, np.ndarray], n: int, kleene: bool) -> np.ndarray:
    def value(child: ast.AST) -> np.ndarray:
        return _value(child, cols, n, kleene)

    if isinstance(node, ast.Constant):
        return np.full(n, float(node.value))
    if isinstance(node, ast.Name):
        return cols[node.id]
    if isinstance(node, ast.UnaryOp):
        v = value(node.operand)
        if isinstance(node.op, ast.Not):
            return np.where(np.isnan(v), np.nan, (v == 0).astype(float))
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](value(node.left), value(node.right))
    if isinstance(node, ast.BoolOp):
        return _combine(np.vstack([value(v) for v in node.values]), isinstance(node.op, ast.And), kleene)
    if isinstance(node, ast.Compare):
        left, result = value(node.left), np.ones(n, dtype=bool)
        undefined = np.isnan(left)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = value(comp)
            undefined |= np.isnan(right)
            result &= _CMP[type(op)](left, right)
            left = right
        return result.astype(float) if kleene else np.where(undefined, np.nan, result.astype(float))
    raise ExpressionError(f"cannot evaluate {ast.dump(node)}")  # unreachable after check_nodes


def _combine(stack: np.ndarray, conj: bool, kleene: bool) -> np.ndarray:
    """``and`` (``conj``) / ``or`` over the rows of ``stack``, by the missing-value rule."""
    unknown = np.isnan(stack)
    truth = stack != 0
    if kleene:  # a decided operand decides; else unknown wins
        decisive = 0.0 if conj else 1.0
        out = np.where(unknown.any(axis=0), np.nan, 1.0 - decisive)
        return np.where(((truth == bool(decisive)) & ~unknown).any(axis=0), decisive, out)
    out = truth.all(axis=0) if conj else truth.any(axis=0)
    return np.where(unknown.any(axis=0), np.nan, out.astype(float))
