"""The loan book: every loan as a row of columnar arrays.

Each row records the firm, lending bank and product (whose risk-sharing contract fixes who bears which share
of a loss), principal, annual rate, fee and premium rates and subsidy shares locked at origination, and the
start and maturity months. Principal is repaid at maturity (bullet loans), so exposure = principal.
Closed rows are dropped at each month end once they are more than a tenth of the rows, so monthly work scales
with the open book and money flows can use cheap slice views masked by ``active``.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import book as book_kernels

COLUMNS: dict[str, type] = {
    "firm": np.int64,
    "bank": np.int32,
    "product": np.int32,
    "principal": float,
    "rate": float,
    "fee_rate": float,
    "refee_rate": float,
    "premium_rate": float,
    "int_sub_share": float,
    "fee_sub_share": float,
    "prem_sub_share": float,
    "lgd": float,
    "start": np.int32,
    "maturity": np.int32,
    "active": bool,
}
_INTS = tuple(k for k, t in COLUMNS.items() if t is np.int32)  # the columns by dtype, for ``compact``
_FLOATS = tuple(k for k, t in COLUMNS.items() if t is float)


class LoanBook:
    """Columnar loan book; ``n`` rows in use, of which those with ``active`` are outstanding."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = capacity
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(self, **cols: np.ndarray) -> np.ndarray:
        """Append loans (each column an array or scalar of equal length); return their row indices."""
        k = len(cols["firm"])
        if k == 0:
            return np.arange(0)
        if self.n + k > self._cap:
            self._resize(max(self.n + k, 2 * self._cap))
        rows = slice(self.n, self.n + k)  # appended at the end: a slice, not an index array
        for name in COLUMNS:
            getattr(self, name)[rows] = cols.get(name, True if name == "active" else 0)
        self.n += k
        return np.arange(rows.start, rows.stop)

    def _resize(self, cap: int) -> None:
        for name in COLUMNS:
            old = getattr(self, name)
            new = np.zeros(cap, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._cap = cap

    def open_rows(self) -> np.ndarray:
        """Indices of outstanding loans."""
        return np.flatnonzero(self.active[: self.n])

    def close(self, rows: np.ndarray) -> None:
        """Mark loans repaid or written off."""
        self.active[rows] = False

    def compact(self) -> None:
        """Drop closed rows once they are more than a tenth of the rows (row indices change; the open rows keep
        their order, which the book's sums follow), in one compiled pass (``sim.kernels.book.compact``)."""
        self.n = book_kernels.compact(
            self.n,
            self.active,
            self.firm,
            tuple(getattr(self, k) for k in _INTS),
            tuple(getattr(self, k) for k in _FLOATS),
        )
