"""What changes during a run besides the firms and the book: the government's side of it.

The scenario is frozen. The values a run changes (the episode's budget once ``cap_share`` has
scaled it, what remains of it, this year's price floor, the levers set from outside for the
manual policy) and the records of what was released live here, in one object the market
owns and alone writes (``CarbonMarket.run``). The numbers every round or year changes are
entries of the market's row of tallies (:mod:`market.tallies`), which :class:`Tallied`
attributes read and write, so a batch can change every lane's at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from agents.decisions import Levers
from market.auction import AuctionResult
from market.tallies import GREEN_AVAILABLE, RELEASE, REMAINING


class Tallied:
    """An attribute held in its owner's row of tallies (``owner.tally``, float64).

    Args:
        field: the entry of the row (:data:`market.tallies.TALLIES`).
        kind: what a read returns the number as (``float``, ``int``, or
            :func:`price_or_none`, under which nan reads as None and None is stored as nan).
    """

    def __init__(self, field: int, kind: Callable[[float], Any] = float) -> None:
        self.field, self.kind = field, kind

    def __get__(self, owner: Any, cls: type | None = None) -> Any:
        if owner is None:
            return self
        return self.kind(owner.tally[self.field])

    def __set__(self, owner: Any, value: Any) -> None:
        owner.tally[self.field] = math.nan if value is None else value


def price_or_none(value: float) -> float | None:
    """A tallied price: None when there is none (nan)."""
    return None if math.isnan(value) else float(value)


class RunState:
    """The government's side of a running market.

    Args:
        budget: allowances the government may issue over the episode.
        price_floor: the first year's lowest price tick (coins per allowance).
        tally: the market's row of tallies (:mod:`market.tallies`), whose
            ``remaining_budget`` this sets to ``budget``.

    Attributes:
        budget: allowances the government may issue over the episode.
        remaining_budget: allowances not yet released.
        price_floor: this year's lowest price tick (coins per allowance).
        levers: the manual policy's levers for the coming year.
        release: allowances released this year (free, sold at auction, green projects).
        green_projects_available: green projects on offer, not yet completed.
        allocations: allowances each firm received (free and won at auction) every year,
            each of shape ``(n_firms,)``.
        auctions: the call auction's outcome every year.
        auction_revenue: coins the auctions raised.
        recycled: auction revenue paid back to the firms.
    """

    remaining_budget = Tallied(REMAINING)
    release = Tallied(RELEASE)
    green_projects_available = Tallied(GREEN_AVAILABLE, int)

    def __init__(self, budget: float, price_floor: int, tally: np.ndarray) -> None:
        self.tally = tally
        self.budget = budget
        self.remaining_budget = budget
        self.price_floor = price_floor
        self.levers = Levers()
        self.allocations: list[np.ndarray] = []
        self.auctions: list[AuctionResult] = []
        self.auction_revenue = 0.0
        self.recycled = 0.0
