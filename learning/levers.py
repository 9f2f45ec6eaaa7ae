"""The regulator's action: a vector in [-1, 1] decoded into the year's allocation levers.

Layout of the action vector (``ActionSpec.size`` entries):

* ``[0]``: release share of the episode budget, ``(a + 1) / 2 x max_release_share``;
* split between firms, one of two modes:
  * ``"per-firm"`` (fixed N, as in the paper): ``n_firms`` weights ``(a_i + 1) / 2``;
  * ``"rules"`` (any N): 4 weights over the allocation rules grandfathering, benchmarking,
    size and equal; the firms' split is the weighted mix of the rules' splits;
* optional ``auction``: the auctioned share of the firms' part, ``(a + 1) / 2``;
* optional ``price_floor``: the floor tick, ``(a + 1) / 2`` of the way from the scenario's
  floor to one tick below its ceiling.

All-zero weights split equally. Decoding never exceeds the yearly maximum or the remaining
budget: the government caps the release (``Policy.release_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.policies import ALLOCATION_RULES, ManualPolicy, rule_shares

if TYPE_CHECKING:
    from model.market import CarbonMarket

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

    def apply(self, action: np.ndarray, market: CarbonMarket, initial_floor: int) -> None:
        """Set ``market``'s manual policy levers from ``action`` for the coming year.

        Args:
            action: shape ``(size,)``; values outside [-1, 1] are clipped.
            market: a market whose government holds a :class:`ManualPolicy`.
            initial_floor: the scenario's own price floor (ticks), the lever's lower end.
        """
        policy = market.government.policy
        if not isinstance(policy, ManualPolicy):
            raise TypeError("the regulator acts through a market built with policy='manual'")
        a = np.clip(np.asarray(action, dtype=float).reshape(-1), -1.0, 1.0)
        if a.size != self.size:
            raise ValueError(f"action: expected {self.size} entries, got {a.size}")
        unit = (a + 1.0) / 2.0
        policy.release_share = unit[0] * market.config.max_release_share
        weights = unit[1 : 1 + self.n_weights]
        if self.mode == "rules":
            mix = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 0.25)
            weights = mix @ rule_shares(market)
        policy.weights = weights
        position = 1 + self.n_weights
        if self.auction:
            policy.auction_share = float(unit[position])
            position += 1
        if self.price_floor:
            top = market.config.price_ceiling - 1
            policy.price_floor = round(initial_floor + unit[position] * (top - initial_floor))
