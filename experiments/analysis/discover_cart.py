"""CART as a second view in scenario discovery: a classification tree's leaves are boxes over the inputs too
(Breiman et al. 1984; Lempert et al. 2008 compare it with PRIM for scenario discovery), fitted with
scikit-learn."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def cart_leaves(x: pd.DataFrame, y: np.ndarray, depth: int = 3) -> tuple[pd.DataFrame, float]:
    """Leaves of a CART classification tree (scikit-learn; at most ``depth`` splits deep, leaves of at least 5%
    of the runs): each leaf's conditions (JSON list of ``[input, lower, upper]``, lower exclusive, upper
    inclusive, null when open), runs, cases, density and coverage, densest first; and the tree's in-sample
    accuracy."""
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=max(1, int(0.05 * len(x))), random_state=0)
    tree.fit(x.to_numpy(float), y)
    t = tree.tree_
    rows = []

    def visit(node: int, bounds: dict[str, list[float | None]]) -> None:
        if t.children_left[node] == -1:
            members = tree.apply(x.to_numpy(float)) == node
            cond = [[c, lo, hi] for c, (lo, hi) in bounds.items()]
            n, k = int(members.sum()), int(y[members].sum())
            rows.append(
                {
                    "leaf": int(node),
                    "conditions": json.dumps(cond),
                    "runs": n,
                    "cases": k,
                    "density": k / n if n else np.nan,
                    "coverage": k / y.sum(),
                }
            )
            return
        c, th = str(x.columns[t.feature[node]]), float(t.threshold[node])
        lo, hi = bounds.get(c, [None, None])
        visit(int(t.children_left[node]), {**bounds, c: [lo, th if hi is None else min(hi, th)]})
        visit(int(t.children_right[node]), {**bounds, c: [th if lo is None else max(lo, th), hi]})

    visit(0, {})
    leaves = pd.DataFrame(rows).sort_values(["density", "cases"], ascending=False).reset_index(drop=True)
    return leaves, float(tree.score(x.to_numpy(float), y))
