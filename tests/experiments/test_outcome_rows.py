"""A run's flat outcomes row and kept monthly series (experiments.analysis.outcomes), by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.outcomes import guarantor_depletion, series_arrays


def _institutions() -> pd.DataFrame:
    # two guarantors listed out of name order, a bank and a pool whose net assets also reach zero (not guarantors)
    rows = []
    for month in (1, 2, 3, 4):
        rows += [
            {"month": month, "kind": "guarantor", "name": "zhe", "net_assets_wan": [50.0, 20.0, 0.0, -5.0][month - 1]},
            {"month": month, "kind": "bank", "name": "abc", "net_assets_wan": 0.0},
            {"month": month, "kind": "guarantor", "name": "an", "net_assets_wan": 10.0},
            {"month": month, "kind": "pool", "name": "pool", "net_assets_wan": np.nan},
        ]
    return pd.DataFrame(rows).astype({"kind": "str", "name": "str"})


def test_guarantor_depletion_by_hand():
    monthly = pd.DataFrame({"month": [1, 2, 3, 4], "guarantor_net_assets_wan": [60.0, 30.0, 1e-7, 5.0]})
    out = guarantor_depletion(monthly, _institutions(), has_guarantors=True)
    assert list(out) == [
        "guarantor_depleted",
        "guarantor_months_to_depletion",
        "guarantor.an.depleted",
        "guarantor.an.months_to_depletion",
        "guarantor.zhe.depleted",
        "guarantor.zhe.months_to_depletion",
    ]
    assert out["guarantor_depleted"] is True and out["guarantor_months_to_depletion"] == 3.0  # 1e-7 counts as empty
    assert out["guarantor.zhe.depleted"] is True and out["guarantor.zhe.months_to_depletion"] == 3.0
    assert out["guarantor.an.depleted"] is False and np.isnan(out["guarantor.an.months_to_depletion"])
    none = guarantor_depletion(monthly, None, has_guarantors=False)
    assert list(none) == ["guarantor_depleted", "guarantor_months_to_depletion"] and none["guarantor_depleted"] is False


def test_series_arrays_keep_the_numeric_columns_in_order():
    monthly = pd.DataFrame(
        {
            "month": [1, 2],
            "date": pd.to_datetime(["2021-08-31", "2021-09-30"]),
            "month_label": ["2021-08", "2021-09"],
            "loans": [3, 4],
            "note": ["a", "b"],
            "rate": [0.5, np.nan],
            "open": [True, False],
        }
    )
    out = series_arrays(monthly, "all")
    assert list(out) == ["month", "date", "loans", "rate", "open"]
    assert out["month"].dtype == np.int64 and out["date"].dtype == np.dtype("datetime64[ms]")
    assert all(out[c].dtype == np.float64 for c in ("loans", "rate", "open"))
    assert out["loans"].tolist() == [3.0, 4.0] and out["open"].tolist() == [1.0, 0.0] and np.isnan(out["rate"][1])
    chosen = series_arrays(monthly, ("rate", "missing", "loans"))
    assert list(chosen) == ["month", "date", "rate", "loans"]
    assert series_arrays(monthly, None) is None
