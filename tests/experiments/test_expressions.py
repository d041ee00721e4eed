"""The one reader of expressions over run columns (``experiments.analysis.expressions``): names held by
placeholders, the node whitelist, and the two rules for missing values, pinned on the same expressions as
discovery (Kleene) and the design's measures (NaN propagates) use them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import expressions as ex
from experiments.analysis.discover_outcomes import OutcomeError
from experiments.analysis.discover_outcomes import evaluate as outcome_values
from experiments.design.expr import outcome_checker, parse_objective

NAN = np.nan


def _run(expr: str, table: pd.DataFrame, missing: ex.Missing) -> np.ndarray:
    node, names = ex.parse(expr, list(table.columns))
    ex.check_nodes(node, names, "test", "column names", booleans=True)
    return ex.evaluate(node, {k: ex.column(table[v]) for k, v in names.items()}, len(table), missing)


TABLE = pd.DataFrame(
    {
        "x": [2.0, NAN, 0.5, NAN, 3.0],
        "flag": pd.array([False, False, None, True, None], dtype="boolean"),
        "pool.tech-credit.depleted": [True, False, True, False, True],
    }
)


@pytest.mark.parametrize(
    ("expr", "kleene", "propagate"),
    [
        # a comparison with a missing number: false (as numpy / pandas; != true) vs undefined
        ("x > 1", [1, 0, 0, 0, 1], [1, NAN, 0, NAN, 1]),
        ("x != 1", [1, 1, 1, 1, 1], [1, NAN, 1, NAN, 1]),
        ("0 < x < 2.5", [1, 0, 1, 0, 0], [1, NAN, 1, NAN, 0]),
        # or: a true operand decides; and: a false operand decides; otherwise unknown is unknown
        ("x > 1 or flag", [1, 0, NAN, 1, 1], [1, NAN, NAN, NAN, NAN]),
        ("flag or x > 1", [1, 0, NAN, 1, 1], [1, NAN, NAN, NAN, NAN]),
        ("x > 1 and flag", [0, 0, 0, 0, NAN], [0, NAN, NAN, NAN, NAN]),
        ("not flag", [1, 1, NAN, 0, NAN], [1, 1, NAN, 0, NAN]),
        ("x * 2 - 1", [3, NAN, 0, NAN, 5], [3, NAN, 0, NAN, 5]),
    ],
)
def test_the_two_missing_value_rules_on_the_same_expressions(expr, kleene, propagate):
    np.testing.assert_array_equal(_run(expr, TABLE, "kleene"), np.array(kleene, dtype=float))
    np.testing.assert_array_equal(_run(expr, TABLE, "propagate"), np.array(propagate, dtype=float))


def test_each_caller_keeps_its_rule():
    """Discovery reads ``x > 1 or flag`` by Kleene's rule, the design's ``mean(...)`` propagates NaN."""
    values, truth = outcome_values("x > 1 or flag", TABLE)
    np.testing.assert_array_equal(values, [1, 0, NAN, 1, 1])
    assert truth
    runs = TABLE.rename(columns={"x": "credit_cagr", "flag": "pool_depleted"})
    measure = parse_objective("max mean(credit_cagr > 1 or pool_depleted)", outcome_checker(["p"], [], 0)).measure
    np.testing.assert_array_equal(measure.per_run(runs), [1, NAN, NAN, NAN, NAN])


def test_names_are_read_whole_and_words_are_kept():
    text, names = ex.placeheld("pool.tech-credit.depleted and not `odd name` or x-1 > max_x", ["x"])
    assert list(names.values()) == ["odd name", "pool.tech-credit.depleted", "x", "max_x"]
    assert "and" in text and "not" in text and "or" in text
    text, names = ex.placeheld("P(target.0.met) or True", words=ex.WORDS | {"P"})
    assert list(names.values()) == ["target.0.met"] and text.startswith("P(") and text.endswith("True")
    np.testing.assert_array_equal(_run("pool.tech-credit.depleted", TABLE, "kleene"), [1, 0, 1, 0, 1])


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("__import__('os').system('x')", "only column names"),
        ("(x).real", "only column names"),
        ("x if x else 1", "only column names"),
        ("x[0]", "only column names"),
        ("(lambda: 1)()", "only column names"),
        ("~x", "only column names"),
        ("x ** 2", "only column names"),
        ("x in x", "comparisons are"),
        ("x is None", "comparisons are"),
        ("x == None", "None is not a number"),
        ("x == 'a'", "'a' is not a number"),
    ],
)
def test_the_whitelist_refuses_everything_else(expr, reason):
    node, names = ex.parse(expr)
    with pytest.raises(ex.ExpressionError, match=reason):
        ex.check_nodes(node, names, "test", "column names", booleans=True)


def test_booleans_only_where_allowed_and_yes_no():
    node, names = ex.parse("x > 1 or True")
    ex.check_nodes(node, names, "t", "outcome names", booleans=True)
    with pytest.raises(ex.ExpressionError, match="True is not a number"):
        ex.check_nodes(node, names, "t", "outcome names")
    with pytest.raises(ex.ExpressionError, match="not an expression"):
        ex.parse("x >")
    node, names = ex.parse("x + 1")
    assert not ex.yes_no(node, names, lambda n: True)
    node, names = ex.parse("flag and (x > 1 or not x)")
    assert ex.yes_no(node, names, lambda n: n == "flag") and not ex.yes_no(node, names, lambda n: False)
    with pytest.raises(OutcomeError, match="and / or / not need yes/no parts"):
        outcome_values("x and flag", TABLE)
