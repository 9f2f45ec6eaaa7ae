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

A schedule-anchored (residual) regulator, ``base`` set (``rules`` mode, no auction or floor
lever), acts as a bounded correction around an open-loop :class:`~agents.schedule.Schedule`:
with ``s = correction_scale``, year ``y`` releases ``base.release_shares[y] + s x a[0] x
max_release_share``, clipped to ``[0, max_release_share]``, and mixes the rules with the
weights ``max(0, w + s x a[1:5] x sum(w))`` around the base weights ``w`` (all zero: equal);
the auctioned share is the base's. An all-zero action plays the base schedule exactly.

So PPO's training starts at the schedule: Stable-Baselines3's ``ActorCriticPolicy``
(``ortho_init=True``, SB3 2.9) initialises the action net orthogonally with gain 0.01 and a
zero bias, so each row of its weight has norm 0.01 and, the last hidden layer being tanh
(entries in (-1, 1)), every entry of the initial mean action is below ``0.01 x sqrt(width)``
in size: 0.08 for the [64, 64] network, a release within ``0.08 x s`` of the yearly maximum
of the base's (0.5% of the budget at ``s = 0.25`` and a 25% maximum).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import Levers
from agents.policies import ALLOCATION_RULES, rule_shares
from agents.schedule import Schedule

if TYPE_CHECKING:
    from agents.view import MarketView

ACTION_MODES = ("per-firm", "rules")
#: a residual regulator's default bound on its correction, as a share of each lever's range
DEFAULT_CORRECTION_SCALE = 0.25


@dataclass(frozen=True)
class ActionSpec:
    """Shape and meaning of the regulator's action vector.

    Args:
        mode: ``"per-firm"`` or ``"rules"``.
        n_firms: number of firms (used by the per-firm mode).
        auction: whether the action sets the auctioned share.
        price_floor: whether the action sets a price floor.
        base: the schedule a residual regulator corrects; None decodes the action on its own.
        correction_scale: a residual regulator's largest correction, as a share of the yearly
            maximum release and of the base weights' sum, in (0, 1].
    """

    mode: str = "rules"
    n_firms: int = 5
    auction: bool = False
    price_floor: bool = False
    base: Schedule | None = None
    correction_scale: float = DEFAULT_CORRECTION_SCALE

    def __post_init__(self) -> None:
        if self.mode not in ACTION_MODES:
            raise ValueError(f"action_mode: {self.mode!r} is not one of {', '.join(ACTION_MODES)}")
        if self.n_firms < 1:
            raise ValueError(f"n_firms: {self.n_firms} must be >= 1")
        scale = self.correction_scale
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 1:
            raise ValueError(f"correction_scale: {scale!r} must be a number in (0, 1]")
        if self.base is not None and (self.mode != "rules" or self.auction or self.price_floor):
            raise ValueError(
                "base_schedule: a residual regulator corrects a schedule's release and rule "
                "weights only; use action_mode 'rules' without the auction and price_floor levers"
            )

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
        if self.base is not None:
            return self._corrected(a, view)
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

    def _corrected(self, a: np.ndarray, view: MarketView) -> Levers:
        """The base schedule's levers for this year moved by the correction ``a``."""
        top, scale = view.config.max_release_share, self.correction_scale
        # the coming year: between years (when the env decodes) ``view.year`` is the last one
        share = self.base.release_shares[view.years_done] + scale * a[0] * top
        base_weights = np.asarray(self.base.rule_weights)
        mix = np.maximum(base_weights + scale * a[1:] * base_weights.sum(), 0.0)
        if mix.sum() <= 0:
            mix = np.full(len(mix), 1.0 / len(mix))
        return Levers(
            release_share=float(np.clip(share, 0.0, top)),
            weights=mix @ rule_shares(view),
            auction_share=self.base.auction_share,
        )
