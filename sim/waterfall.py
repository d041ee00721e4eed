"""The loss waterfall: one rule settles every default.

loss = exposure × LGD. Each party owes its contractual claim (share × loss, after any pool caps); a party
with limited funds (pool balance, guarantor net assets, insurer capital, the special fund's budget left) pays
pro rata across the claims on it in the month, up to what it has. Whatever any party does not pay falls back
to the lending bank as a recorded shortfall, so paid parts plus shortfall always equal the loss.
"""

from __future__ import annotations

import numpy as np

from sim.schema import PARTIES

BANK = PARTIES.index("bank")


def settle(
    loss: np.ndarray, claims: np.ndarray, accounts: np.ndarray, available: list[np.ndarray | None]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Settle ``k`` defaults.

    Args:
        loss: (k,) loss of each defaulted loan, 万元.
        claims: (k, 6) what each party owes under the contract (columns in ``PARTIES`` order).
        accounts: (k, 6) which account of that party type bears the claim (-1: none).
        available: per party type, funds of each account (None: pays in full, the bank).

    Returns:
        paid (k, 6), shortfall (k,) borne by the bank beyond its share, and per party type the total paid
        by each account (to be debited by that party).
    """
    k = loss.size
    paid = np.zeros((k, len(PARTIES)))
    totals: list[np.ndarray] = []
    for j, avail in enumerate(available):
        if avail is None:
            paid[:, j] = claims[:, j]
            totals.append(np.array([claims[:, j].sum()]))
            continue
        if avail.size == 0:  # no party of this type: any claim on it is unpaid
            totals.append(np.zeros(0))
            continue
        acc = np.maximum(accounts[:, j], 0)
        owed = np.bincount(acc, weights=claims[:, j], minlength=avail.size)
        funds = np.maximum(avail, 0.0)
        ratio = np.ones_like(owed)
        short = owed > funds
        ratio[short] = funds[short] / owed[short]
        paid[:, j] = claims[:, j] * ratio[acc]
        totals.append(np.minimum(np.bincount(acc, weights=paid[:, j], minlength=avail.size), funds))
    shortfall = loss - paid.sum(axis=1)
    return paid, np.maximum(shortfall, 0.0), totals
