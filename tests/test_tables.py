"""The run's tables built column by column (``sim.tables``) equal pandas' own construction from the same rows,
values and dtypes, and the general path takes over when the recorded figures are not plain numbers."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from sim import EcosystemModel, tables
from sim.calendar import YearMonth


@pytest.fixture(scope="module")
def model() -> EcosystemModel:
    m = EcosystemModel("jiaxing-2017", rng=3, **{"enterprises.initial_count": 300})
    m.run(14)
    return m


def _by_pandas_institutions(m: EcosystemModel) -> pd.DataFrame:
    """The institutions table as pandas builds it from the list of rows (the construction before sim.tables)."""
    inst = pd.DataFrame(m.recorder.institutions).rename(columns={"date": "month_label"})
    inst.insert(1, "date", inst["month_label"].map(_month_end))
    return inst


def _month_end(label: str) -> pd.Timestamp:
    return YearMonth.parse(label).timestamp()


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes) and list(a.columns) == list(b.columns)


def test_monthly_table_equals_pandas_construction(model: EcosystemModel) -> None:
    fast, start = tables.monthly_frame(model.datacollector.model_vars)
    _equal(fast, _dated(pd.DataFrame(model.datacollector.model_vars).iloc[1:].reset_index(drop=True)))
    _equal(fast, tables._monthly_by_pandas(model.datacollector.model_vars))
    assert fast["date"].dtype.kind == "M" and fast["month"].dtype == np.int64 and len(fast) == 14
    assert start == {k: v[0] for k, v in model.datacollector.model_vars.items()}


def test_institutions_table_equals_pandas_construction(model: EcosystemModel) -> None:
    rec = model.recorder
    fast = tables.institutions_frame(*rec.institution_records())
    _equal(fast, _by_pandas_institutions(model))
    _equal(fast, tables._rows_frame(*rec.institution_records()))
    assert fast["balance_wan"].isna().any() and (fast["kind"] == "bank").any()  # figures of other kinds: NaN


def test_mixed_types_fall_back_to_pandas_inference(model: EcosystemModel) -> None:
    """A column pandas would not read as plain float64/int64 (an int next to NaN, a bool, None) is built by
    pandas itself, so the dtype is whatever pandas makes of it."""
    months, kinds, records = model.recorder.institution_records()
    reports = [[dict(r) for r in month] for month in records]
    reports[0][0]["balance_wan"] = True  # a bool among floats: pandas keeps objects
    reports[1][0]["extra"] = 1  # a figure one month only: the list-of-rows path
    fast = tables.institutions_frame(months, kinds, reports)
    _equal(fast, tables._rows_frame(months, kinds, reports))
    assert fast["balance_wan"].dtype == object
    mv = {k: list(v) for k, v in model.datacollector.model_vars.items()}
    mv["borrowers"][0] = None  # None among ints: pandas makes float64 with NaN
    built, _ = tables.monthly_frame(mv)
    _equal(built, pd.DataFrame(mv).iloc[1:].reset_index(drop=True).pipe(_dated))
    assert built["borrowers"].dtype == np.float64
    assert tables.column([1, 2.5]) is None and tables.column([1, 2]).dtype == np.int64


def _dated(monthly: pd.DataFrame) -> pd.DataFrame:
    monthly.insert(1, "calendar", monthly["date"].map(_month_end))
    return monthly.rename(columns={"date": "month_label", "calendar": "date"})


def test_month_ends_are_copies() -> None:
    a = tables.month_ends(["2020-01", "2020-02"])
    a[0] = a[1]
    assert str(tables.month_ends(["2020-01", "2020-02"])[0])[:10] == "2020-01-31"


def test_an_institution_without_figures_and_one_with_a_single_figure(model: EcosystemModel) -> None:
    months, kinds, records = model.recorder.institution_records()
    reports = [[{} if j == 0 else ({"x": 1} if j == 1 else dict(r)) for j, r in enumerate(month)] for month in records]
    fast = tables.institutions_frame(months, kinds, reports)
    _equal(fast, tables._rows_frame(months, kinds, reports))
    assert fast["x"].dtype == np.float64 and fast["x"].iloc[1] == 1.0  # ints beside NaN: float64, as pandas


def test_recording_and_draw_keys_leave_no_containers_behind() -> None:
    """Month after month the recorder and the draw keys' cache add no objects of their own for the garbage
    collector: a run that keeps a few containers a month triggers collections of the whole heap (≈0.1 s each in
    a study's worker)."""
    m = EcosystemModel("baseline", rng=2, **{"enterprises.initial_count": 200})
    m.run(3)
    gc.disable()
    try:
        gc.collect()
        before = gc.get_count()[0]
        for _ in range(36):
            m.recorder.close_month()
        recorder = gc.get_count()[0] - before
        for month in range(4, 40):
            for sub in range(30):
                m.streams.key("signal", month, sub)
        keys = gc.get_count()[0] - before - recorder
    finally:
        gc.enable()
    assert recorder < 36 * 7  # the month's reports (some dicts stay tracked), no lists or tuples of its own
    assert keys < 100  # the (stream, month) parts kept, not every key of every month (36 × 30)
