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

    def check(self, n_firms: int, price_ceiling: int) -> None:
        """Fail unless every lever is in its range for a market of ``n_firms`` firms.

        Raises:
            ValueError: naming the lever and its allowed range.
        """
        for name, share in (
            ("release_share", self.release_share),
            ("auction_share", self.auction_share),
        ):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name}: {share!r} must be in [0, 1]")
        if self.weights is not None:
            weights = np.asarray(self.weights, dtype=float)
            if weights.shape != (n_firms,) or not np.isfinite(weights).all() or (weights < 0).any():
                raise ValueError(
                    f"weights: expected {n_firms} non-negative numbers, got {weights!r}"
                )
        if self.price_floor is not None and not 0 <= self.price_floor < price_ceiling:
            raise ValueError(f"price_floor: {self.price_floor} must be in [0, {price_ceiling - 1}]")
