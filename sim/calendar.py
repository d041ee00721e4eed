"""Calendar months and the loan prime rate (LPR) path.

A scenario starts in a calendar month and runs for a number of one-month steps. Step ``t`` (1-based) is the
month ``start + t - 1``; every output row carries that month's calendar date so that plan targets ("by end
2019") line up with model time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

_YM = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month, ordered and hashable; ``YearMonth.parse("2017-09")``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | YearMonth) -> YearMonth:
        """Parse ``"YYYY-MM"``; raise ``ValueError`` with the accepted form otherwise."""
        if isinstance(text, YearMonth):
            return text
        m = _YM.match(str(text).strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"expected a month as 'YYYY-MM', got {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def index(self) -> int:
        """Months since year 0, so that differences are month counts."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> YearMonth:
        """The month ``months`` later (negative: earlier)."""
        i = self.index + months
        return YearMonth(i // 12, i % 12 + 1)

    def months_until(self, other: YearMonth) -> int:
        """Whole months from this month to ``other``."""
        return other.index - self.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def timestamp(self) -> pd.Timestamp:
        """Month-end date, the date a monthly row reports."""
        import pandas as pd  # here, not at the top: checking a scenario (``techfin validate``) needs no pandas

        return pd.Timestamp(year=self.year, month=self.month, day=1) + pd.offsets.MonthEnd(0)


# 1-year loan prime rate, annual decimal, effective from the month given (docs/model.md §11.6). Before the LPR
# reform of 2019-08 the 1-year benchmark lending rate was 4.35% (PBoC, since 2015-10-24). Dates: PBoC / NIFC
# monthly LPR announcements (the 20th of the month).
DEFAULT_LPR_PATH: tuple[tuple[str, float], ...] = (
    ("2015-10", 0.0435),
    ("2019-08", 0.0425),
    ("2019-09", 0.0420),
    ("2019-11", 0.0415),
    ("2020-02", 0.0405),
    ("2020-04", 0.0385),
    ("2021-12", 0.0380),
    ("2022-01", 0.0370),
    ("2022-08", 0.0365),
    ("2023-06", 0.0355),
    ("2023-08", 0.0345),
    ("2024-07", 0.0335),
    ("2024-10", 0.0310),
    ("2025-05", 0.0300),
)


def rate_path(points: list[tuple[str, float]] | tuple, start: YearMonth, months: int) -> np.ndarray:
    """The step-function rate in force in each of ``months`` months from ``start`` (annual decimals)."""
    pts = sorted((YearMonth.parse(d).index, r) for d, r in points)
    idx = start.index + np.arange(months)
    keys = np.array([p[0] for p in pts])
    vals = np.array([p[1] for p in pts])
    pos = np.searchsorted(keys, idx, side="right") - 1
    return vals[np.clip(pos, 0, None)]


def monthly_rate(annual: float | np.ndarray) -> float | np.ndarray:
    """Simple monthly rate of an annual decimal rate (interest accrues as annual / 12)."""
    return annual / 12.0


def monthly_prob(annual: float | np.ndarray) -> float | np.ndarray:
    """Monthly probability with the same one-year survival as an annual probability."""
    return 1.0 - (1.0 - np.minimum(annual, 0.999999)) ** (1.0 / 12.0)
