"""Firms' money and allowance accounts, held as arrays so phases can work on all firms at once.

Every firm has an index ``0 .. n_firms - 1`` into these arrays. Money is in coins, allowances
in tonnes of CO2 (one allowance covers one tonne). Trades move whole allowances; a firm's
holding can be fractional only after compliance surrenders a fractional year of emissions.

Escrow is what a firm has locked in open orders: a bid locks ``price * quantity`` coins, an ask
locks ``quantity`` allowances. The order book moves amounts between the free and escrowed
columns; nothing else may touch escrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Accounts:
    """Coins and allowances of every firm, free and escrowed.

    Attributes:
        coins: free coins per firm, shape ``(n_firms,)``, float64.
        allowances: free allowances per firm, shape ``(n_firms,)``, float64.
        escrow_coins: coins locked in open bids, shape ``(n_firms,)``.
        escrow_allowances: allowances locked in open asks, shape ``(n_firms,)``.
    """

    coins: np.ndarray
    allowances: np.ndarray
    escrow_coins: np.ndarray = field(default=None)  # type: ignore[assignment]
    escrow_allowances: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.coins = np.asarray(self.coins, dtype=np.float64).copy()
        self.allowances = np.asarray(self.allowances, dtype=np.float64).copy()
        if self.coins.shape != self.allowances.shape or self.coins.ndim != 1:
            raise ValueError("coins and allowances must be 1-D arrays of the same length")
        if self.escrow_coins is None:
            self.escrow_coins = np.zeros_like(self.coins)
        if self.escrow_allowances is None:
            self.escrow_allowances = np.zeros_like(self.allowances)

    @classmethod
    def empty(cls, n_firms: int) -> Accounts:
        """Accounts for ``n_firms`` firms with nothing in them."""
        return cls(np.zeros(n_firms), np.zeros(n_firms))

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return len(self.coins)

    def total_coins(self) -> np.ndarray:
        """Free plus escrowed coins per firm (a firm's wealth in money), shape ``(n_firms,)``."""
        return self.coins + self.escrow_coins

    def total_allowances(self) -> np.ndarray:
        """Free plus escrowed allowances per firm, shape ``(n_firms,)``."""
        return self.allowances + self.escrow_allowances
