"""What decision rules return: plain data that the market checks and applies.

A behaviour decides, for the firms holding it, their output (units per round, a float array),
whether each attempts R&D and whether each completes a green project (bool arrays) and the
orders they post (:class:`Quotes`). A government policy decides the year's
:class:`Allocation`. The manual policy's :class:`Levers` are set from outside (a person at the
dashboard, a trained regulator) and read by the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Quotes:
    """Orders a group of firms wants to post this round (one per firm at most).

    Attributes:
        firms: firm indices, shape ``(k,)``.
        side: ``Side.BID`` (0) or ``Side.ASK`` (1) per order, shape ``(k,)``.
        price: limit price in ticks, shape ``(k,)``.
        quantity: whole allowances, shape ``(k,)``; always >= 1.
    """

    firms: np.ndarray
    side: np.ndarray
    price: np.ndarray
    quantity: np.ndarray

    @classmethod
    def build(
        cls,
        firms: np.ndarray,
        side: np.ndarray,
        price: np.ndarray,
        quantity: np.ndarray,
        keep: np.ndarray,
    ) -> Quotes:
        """Quotes for the firms where ``keep`` is true, as integer arrays."""
        return cls(
            firms[keep],
            side[keep].astype(np.int8),
            price[keep].astype(np.int64),
            quantity[keep].astype(np.int64),
        )


@dataclass(frozen=True)
class Allocation:
    """One year's release of allowances.

    Attributes:
        free: allowances given free to each firm, shape ``(n_firms,)``, whole numbers.
        auctioned: allowances sold in the call auction before trading opens.
        green_projects: allowances released as green projects (offsets firms may complete).
        price_floor: a new lowest price tick for the year's trading (None: unchanged).
    """

    free: np.ndarray
    auctioned: int = 0
    green_projects: int = 0
    price_floor: int | None = None

    @property
    def release(self) -> float:
        """Allowances this allocation takes from the budget."""
        return float(self.free.sum()) + self.auctioned + self.green_projects


@dataclass(frozen=True)
class Levers:
    """The government's levers for one year, as the manual policy applies them.

    Attributes:
        release_share: share of the episode budget to release (capped by
            ``market.max_release_share`` and what remains).
        weights: split between firms, shape ``(n_firms,)``; None splits equally.
        auction_share: share of the firms' part sold in the call auction, in [0, 1].
        price_floor: lowest price tick for the year's trading; None leaves it.
    """

    release_share: float = 0.1
    weights: np.ndarray | None = None
    auction_share: float = 0.0
    price_floor: int | None = None
