"""The loss waterfall: one rule settles every default.

loss = exposure × LGD. Each party owes its contractual claim (share × loss, after any pool caps) from one
entity's account. An account with limited funds (a pool's balance, a guarantor's net assets, an insurer's
capital, the special fund's budget left) pays pro rata across *every* claim on it in the month, whatever role
each claim comes from, up to what it holds: a guarantor that is also another product's re-guarantor is
rationed once, on the sum of both. Whatever any party does not pay falls back to the lending bank as a recorded
shortfall, so the paid parts plus the shortfall always equal the loss.

The rule runs compiled (``sim.kernels.waterfall.settle``; the numpy statement it replaced is kept as the reference
in ``tests/test_kernels_waterfall.py``).
"""

from __future__ import annotations

import numpy as np

from sim.kernels import waterfall as kernels
from sim.schema import PARTIES

BANK = PARTIES.index("bank")


def settle(
    loss: np.ndarray, claims: np.ndarray, accounts: np.ndarray, funds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Settle ``k`` defaults.

    Args:
        loss: (k,) loss of each defaulted loan, 万元.
        claims: (k, 6) what each party owes under the contract (columns in ``PARTIES`` order).
        accounts: (k, 6) the entity account bearing each claim (-1: nobody: the claim goes unpaid).
        funds: (A,) what each account can pay (``inf``: pays in full, a bank).

    Returns:
        paid (k, 6); shortfall (k,) borne by the bank beyond its share; and (A,) the total each account paid,
        to be debited by that entity.
    """
    return kernels.settle(
        np.ascontiguousarray(loss, dtype=float),
        np.ascontiguousarray(claims, dtype=float),
        np.ascontiguousarray(accounts, dtype=np.int64),
        np.ascontiguousarray(funds, dtype=float),
    )
