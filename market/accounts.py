"""Firms' money and allowance accounts, held as arrays so phases can work on all firms at once.

Every firm has an index ``0 .. n_firms - 1`` into these arrays. Money is in coins, allowances
in tonnes of CO2 (one allowance covers one tonne). Trades move whole allowances; a firm's
holding can be fractional only after compliance surrenders a fractional year of emissions.

Escrow is what a firm has locked in open orders: a bid locks ``price * quantity`` coins, an ask
locks ``quantity`` allowances. The order book moves amounts between the free and escrowed
columns; nothing else may touch escrow.
"""

from __future__ import annotations

import numpy as np

#: Rows of an accounts block, shape ``(4, n_firms)``.
COINS, ALLOWANCES, ESCROW_COINS, ESCROW_ALLOWANCES = range(4)


class Accounts:
    """Coins and allowances of every firm, free and escrowed.

    The four columns are rows of one float64 block of shape ``(4, n_firms)``, so compiled
    kernels (the order book's) work on it in place; the attributes are views of its rows and
    are changed in place, never rebound.

    Args:
        coins: free coins per firm, shape ``(n_firms,)``.
        allowances: free allowances per firm, shape ``(n_firms,)``.

    Attributes:
        block: the four columns, shape ``(4, n_firms)``, float64.
        coins: free coins per firm (``block[COINS]``).
        allowances: free allowances per firm (``block[ALLOWANCES]``).
        escrow_coins: coins locked in open bids (``block[ESCROW_COINS]``).
        escrow_allowances: allowances locked in open asks (``block[ESCROW_ALLOWANCES]``).
    """

    def __init__(self, coins: np.ndarray, allowances: np.ndarray) -> None:
        coins = np.asarray(coins, dtype=np.float64)
        allowances = np.asarray(allowances, dtype=np.float64)
        if coins.shape != allowances.shape or coins.ndim != 1:
            raise ValueError("coins and allowances must be 1-D arrays of the same length")
        block = np.zeros((4, len(coins)))
        block[COINS], block[ALLOWANCES] = coins, allowances
        self._use(block)

    @classmethod
    def over(cls, block: np.ndarray) -> Accounts:
        """Accounts that are views of an existing block (one market of a batch)."""
        accounts = cls.__new__(cls)
        accounts._use(block)
        return accounts

    def _use(self, block: np.ndarray) -> None:
        self.block = block
        self.coins = block[COINS]
        self.allowances = block[ALLOWANCES]
        self.escrow_coins = block[ESCROW_COINS]
        self.escrow_allowances = block[ESCROW_ALLOWANCES]

    @classmethod
    def empty(cls, n_firms: int) -> Accounts:
        """Accounts for ``n_firms`` firms with nothing in them."""
        return cls(np.zeros(n_firms), np.zeros(n_firms))

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return self.block.shape[1]

    def total_coins(self) -> np.ndarray:
        """Free plus escrowed coins per firm (a firm's wealth in money), shape ``(n_firms,)``."""
        return self.coins + self.escrow_coins

    def total_allowances(self) -> np.ndarray:
        """Free plus escrowed allowances per firm, shape ``(n_firms,)``."""
        return self.allowances + self.escrow_allowances
