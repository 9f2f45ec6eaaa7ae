"""The learned regulator's action: a vector in [-1, 1] decoded into the year's levers.

Layout of the action vector (``ActionSpec.size`` entries):

* ``[0]``: release share of the episode budget, ``(a + 1) / 2 x max_release_share``;
* split between firms, one of two modes:
  * ``"per-firm"`` (fixed N, as in the paper): ``n_firms`` weights ``(a_i + 1) / 2``;
  * ``"rules"`` (any N): 4 weights over the allocation rules grandfathering, benchmarking,
    size and equal; the firms' split is the weighted mix of the rules' splits;
* optional ``auction``: the auctioned share of the firms' part, ``(a + 1) / 2``;
* optional ``price_floor``: the floor tick, ``(a + 1) / 2`` of the way from the scenario's
  own floor (``market.price_floor``, which the lever never changes) to one tick below its
  ceiling.

All-zero weights split equally. Decoding never exceeds the yearly maximum or the remaining
budget: the government caps the release (``Policy.release_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import Levers
from agents.policies import ALLOCATION_RULES, rule_shares

if TYPE_CHECKING:
    from agents.view import MarketView

ACTION_MODES = ("per-firm", "rules")


@dataclass(frozen=True)
class ActionSpec:
    """Shape and meaning of the regulator's action vector.

    Args:
        mode: ``"per-firm"`` or ``"rules"``.
        n_firms: number of firms (used by the per-firm mode).
        auction: whether the action sets the auctioned share.
        price_floor: whether the action sets a price floor.
    """

    mode: str = "rules"
    n_firms: int = 5
    auction: bool = False
    price_floor: bool = False

    def __post_init__(self) -> None:
        if self.mode not in ACTION_MODES:
            raise ValueError(f"action_mode: {self.mode!r} is not one of {', '.join(ACTION_MODES)}")
        if self.n_firms < 1:
            raise ValueError(f"n_firms: {self.n_firms} must be >= 1")

    @property
    def n_weights(self) -> int:
        """Entries that split the release between firms."""
        return self.n_firms if self.mode == "per-firm" else len(ALLOCATION_RULES)

    @property
    def size(self) -> int:
        """Length of the action vector."""
        return 1 + self.n_weights + int(self.auction) + int(self.price_floor)

    @property
    def per_firm(self) -> bool:
        """Whether the observation carries per-firm features (the per-firm mode)."""
        return self.mode == "per-firm"

    def decode(self, action: np.ndarray, view: MarketView) -> Levers:
        """The coming year's levers for ``action``.

        Args:
            action: shape ``(size,)``; values outside [-1, 1] are clipped.
            view: the market before the year's allocation (the rules' splits read it).

        Raises:
            ValueError: the action has the wrong length.
        """
        a = np.clip(np.asarray(action, dtype=float).reshape(-1), -1.0, 1.0)
        if a.size != self.size:
            raise ValueError(f"action: expected {self.size} entries, got {a.size}")
        unit = (a + 1.0) / 2.0
        weights = unit[1 : 1 + self.n_weights]
        if self.mode == "rules":
            mix = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 0.25)
            weights = mix @ rule_shares(view)
        position = 1 + self.n_weights
        auction_share = 0.0
        if self.auction:
            auction_share = float(unit[position])
            position += 1
        price_floor = None
        if self.price_floor:
            lowest, top = view.config.price_floor, view.config.price_ceiling - 1
            price_floor = round(lowest + unit[position] * (top - lowest))
        return Levers(
            release_share=unit[0] * view.config.max_release_share,
            weights=weights,
            auction_share=auction_share,
            price_floor=price_floor,
        )
