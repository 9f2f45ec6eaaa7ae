"""Allocative efficiency of a textbook market, measured as the year's trading goes on.

Efficiency = realised gains from trade / maximum gains from trade (MODEL.md "Metrics"),
measured from the holdings the year's trading starts from, with the exact unit-permit
optimum (:func:`market.theory.unit_permit_equilibrium`). Markets whose firms produce have no
closed-form benchmark: their efficiency stays undefined (nan).
"""

from __future__ import annotations

import math

import numpy as np

from market import metrics
from market.accounts import Accounts
from market.enterprises import Enterprises
from market.theory import realised_compliance_cost, unit_permit_equilibrium


class EfficiencyTracker:
    """The year's allocative efficiency so far, and each finished year's.

    Args:
        enterprises: the firms (their baseline emissions and abatement costs).
        accounts: their holdings.
        penalty: the fine per missing allowance (coins/t).

    Attributes:
        current: this year's efficiency so far (nan before the first textbook year).
        by_year: every finished year's efficiency.
    """

    def __init__(self, enterprises: Enterprises, accounts: Accounts, penalty: float) -> None:
        self._enterprises, self._accounts, self._penalty = enterprises, accounts, penalty
        self._start: np.ndarray | None = None
        self._max_gains = math.nan
        self.current = math.nan
        self.by_year: list[float] = []

    @property
    def active(self) -> bool:
        """Whether a textbook year is being measured (markets with production never are)."""
        return self._start is not None

    def start_year(self) -> None:
        """Note the holdings the year's trading starts from and the most it can gain."""
        ent = self._enterprises
        self._start = np.floor(self._accounts.total_allowances())
        self._max_gains = unit_permit_equilibrium(
            ent.baseline_emissions, ent.abatement_cost, self._start, self._penalty
        ).max_gains_from_trade

    def update(self) -> None:
        """Measure the gains realised since the year's start (after a round's trades)."""
        if not self.active:
            return
        ent = self._enterprises
        start, now = (
            realised_compliance_cost(
                ent.baseline_emissions, ent.abatement_cost, holdings, self._penalty
            )
            for holdings in (self._start, self._accounts.total_allowances())
        )
        self.current = metrics.allocative_efficiency(start - now, self._max_gains)

    def end_year(self) -> None:
        """Record the finished year's efficiency."""
        if self._start is not None:
            self.by_year.append(self.current)
