"""Money kept by entity (docs/model.md §6): one account per pool, guarantor, insurer, the special fund and each bank.

An entity's money changes only through its account's ``receive`` and ``pay``, each with a kind ("fee",
"claim", "topup", ...), so that every entity's closing balance equals its opening balance plus what it received
less what it paid, kind by kind (double entry: the flows are the record, the balance follows). The loss
waterfall rations claims per account, so an entity in two roles (a guarantor that is also another product's
re-guarantor) never pays more than it holds.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


class Account:
    """The money one entity holds, 万元, with its flows by kind since it was opened.

    Attributes:
        name: The entity (``"pool:tech-credit"``, ``"guarantor:xn-guarantor"``, ``"bank:mainbank"``, ...).
        balance: Money held now; only a bank's capital may go below zero (losses beyond capital).
        opening: Balance when the account was opened.
        received: Money in by kind.
        paid: Money out by kind.
    """

    __slots__ = ("balance", "name", "opening", "paid", "received")

    def __init__(self, name: str, opening: float = 0.0) -> None:
        self.name = name
        self.opening = float(opening)
        self.balance = float(opening)
        self.received: dict[str, float] = defaultdict(float)
        self.paid: dict[str, float] = defaultdict(float)

    def available(self) -> float:
        """What the entity can pay out now (never below zero)."""
        return max(self.balance, 0.0)

    def receive(self, amount: float, kind: str) -> None:
        """Money in."""
        if amount:
            self.balance += amount
            self.received[kind] += amount

    def pay(self, amount: float, kind: str) -> float:
        """Money out; returns the amount. Callers ration to ``available()`` where the entity's funds are limited
        (the waterfall does for claims)."""
        if amount:
            self.balance -= amount
            self.paid[kind] += amount
        return amount

    def rebase(self, factor: float) -> None:
        """Scale the account (burn-in money scale): the scaled balance becomes the new opening, flows restart."""
        self.balance *= factor
        self.opening = self.balance
        self.received.clear()
        self.paid.clear()

    def drift(self) -> float:
        """Opening + received − paid − balance: zero unless the balance was changed outside ``receive``/``pay``."""
        return self.opening + sum(self.received.values()) - sum(self.paid.values()) - self.balance


class Ledger:
    """Every entity's account in one order: banks, pools, guarantors (both roles), insurers, the special fund,
    venture and guidance funds.

    Maps a loss claim's (party type, index) to the one account that pays it, so the waterfall rations per entity.

    Args:
        banks, pools, guarantors, insurers: The entities' accounts, in scenario order.
        fund: The special fund's account (the government's loss share).
        ventures: Venture / guidance funds bearing the vc share, in scenario order.
    """

    def __init__(
        self,
        banks: list[Account],
        pools: list[Account],
        guarantors: list[Account],
        insurers: list[Account],
        fund: Account,
        ventures: list[Account] | None = None,
    ) -> None:
        self.accounts = [*banks, *pools, *guarantors, *insurers, fund, *(ventures or [])]
        self._pool0 = len(banks)
        self._guar0 = self._pool0 + len(pools)
        self._ins0 = self._guar0 + len(guarantors)
        self._fund = self._ins0 + len(insurers)
        self._vc0 = self._fund + 1
        self._banks = len(banks)
        self._bank_funds, self._others = [np.inf] * len(banks), self.accounts[len(banks) :]

    def pool(self, i: int) -> int:
        """Account id of pool ``i``."""
        return self._pool0 + i

    def guarantor(self, i: int) -> int:
        """Account id of guarantor ``i``: the same whether it acts as guarantor or re-guarantor."""
        return self._guar0 + i

    def insurer(self, i: int) -> int:
        """Account id of insurer ``i``."""
        return self._ins0 + i

    def fund(self) -> int:
        """Account id of the special fund."""
        return self._fund

    def venture(self, i: int) -> int:
        """Account id of venture / guidance fund ``i``."""
        return self._vc0 + i

    def entity_ids(self, roles: np.ndarray) -> np.ndarray:
        """(k, 7) role indices (bank, pool, guarantor, re-guarantor, insurer, government, vc; -1 none) → account
        ids."""
        offsets = np.array([0, self._pool0, self._guar0, self._guar0, self._ins0, self._fund, self._vc0])
        out = np.where(roles >= 0, roles + offsets[None, :], -1)
        out[:, 5] = np.where(roles[:, 5] >= 0, self._fund, -1)  # the government's share: the special fund
        return out

    def funds(self) -> np.ndarray:
        """What each account can pay now; banks pay their share in full (``inf``)."""
        return np.array(self._bank_funds + [a.available() for a in self._others])
