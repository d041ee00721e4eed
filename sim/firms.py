"""A region's firms from a CSV (its enterprise database 科创企业库), validated row by row against a declared table
schema (pandera): types, ranges, allowed categories, no blank cell, at least one row.

Every column is optional (what is missing is drawn from the scenario's distributions); an unknown column is an
error. A bad file raises ``ValueError`` whose message names the line and column of each problem (up to five).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from sim.schema import STAGES

#: Columns a CSV of real firms may give; the rest are synthesised from the scenario's distributions.
CSV_COLUMNS = {
    "stage": "seed | startup | growth | mature",
    "sector": "integer sector code (0–127)",
    "age_months": "months since founding",
    "monthly_revenue_wan": "monthly revenue, 万元",
    "patents": "patents held (count)",
    "in_database": "in the enterprise database 科创企业库 (true/false)",
    "high_tech": "certified high-tech firm (true/false)",
    "vc_backed": "has venture capital (true/false)",
    "quality": "latent quality θ on a standard-normal scale (usually unknown: then drawn)",
}
BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_finite = pa.Check(lambda s: s.map(math.isfinite), element_wise=False, error="a finite number")
_bool = pa.Check(lambda s: s.str.strip().str.lower().isin(list(BOOLEAN)), error="true or false (1/0, yes/no)")

SCHEMA = pa.DataFrameSchema(
    {
        "stage": pa.Column(str, pa.Check.isin(list(STAGES), error=f"one of {', '.join(STAGES)}"), required=False),
        "sector": pa.Column(int, pa.Check.in_range(0, 127, error="a code from 0 to 127"), required=False, coerce=True),
        "age_months": pa.Column(int, pa.Check.ge(0, error="0 or more"), required=False, coerce=True),
        "monthly_revenue_wan": pa.Column(
            float, [pa.Check.ge(0, error="0 or more"), _finite], required=False, coerce=True
        ),
        "patents": pa.Column(float, [pa.Check.ge(0, error="0 or more"), _finite], required=False, coerce=True),
        "in_database": pa.Column(str, _bool, required=False),
        "high_tech": pa.Column(str, _bool, required=False),
        "vc_backed": pa.Column(str, _bool, required=False),
        "quality": pa.Column(float, _finite, required=False, coerce=True),
    },
    strict=True,
)
_WORDS = {"int64": "a whole number", "float64": "a number"}


def read_firms_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a CSV of real firms; booleans become ``bool``.

    Raises:
        ValueError: naming the file's problem, or each bad line and column.
    """
    try:
        raw = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text (save the file as UTF-8)") from None
    except pd.errors.EmptyDataError:
        raise ValueError("the file is empty (expected a header line and at least one firm)") from None
    except pd.errors.ParserError as e:
        raise ValueError(f"not a well-formed CSV ({str(e).splitlines()[0]})") from None
    unknown = sorted(set(raw.columns) - set(CSV_COLUMNS))
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; known: {sorted(CSV_COLUMNS)}")
    if raw.empty:
        raise ValueError("no firms: the file has a header but no rows")
    try:
        table = SCHEMA.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as e:
        raise ValueError(_problems(e.failure_cases)) from None
    for col in ("in_database", "high_tech", "vc_backed"):
        if col in table:
            table[col] = table[col].str.strip().str.lower().map(BOOLEAN).astype(bool)
    return table


def _problems(cases: pd.DataFrame, most: int = 5) -> str:
    """'line 3, column age_months: 'x' is not a whole number; …' from pandera's failure cases."""
    out = []
    cases = cases[cases["index"].notna()].drop_duplicates(["index", "column"])
    for r in cases.sort_values(["index", "column"]).head(most).itertuples():
        check = str(r.check)
        want = next((w for key, w in _WORDS.items() if key in check), check)
        where = f"line {int(r.index) + 2}, column {r.column}"
        if pd.isna(r.failure_case):
            out.append(f"{where}: the cell is blank")
        else:
            out.append(f"{where}: {r.failure_case!r} is not {want}")
    more = len(cases) - len(out)
    return "; ".join(out) + (f"; and {more} more" if more > 0 else "")
