"""An enterprise as a Mesa agent: a named view on one firm's row of the market's state.

The firm's state lives in the market's columns (``market.enterprises``, ``market.accounts``)
and its decisions come from the behaviour it holds (:mod:`agents.behaviours`); the agent
connects the two for the dashboard, the data collector and a human player.

Units: coins, allowances and emissions in tonnes, emission rate in t per unit of output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from agents.behaviours import Behaviour


class Enterprise(mesa.Agent):
    """One firm as a Mesa agent: a named view on its row of the market's state.

    Args:
        model: the carbon market.
        index: the firm's row in the state table and its id in the order book and ledger.
        behaviour: the decision rule the firm holds (may be shared with other firms).
    """

    def __init__(self, model: mesa.Model, index: int, behaviour: Behaviour) -> None:
        super().__init__(model)
        self.index = index
        self.behaviour = behaviour

    @property
    def coins(self) -> float:
        """Coins, free plus escrowed in open bids."""
        acc = self.model.accounts
        return float(acc.coins[self.index] + acc.escrow_coins[self.index])

    @property
    def allowances(self) -> float:
        """Allowances, free plus escrowed in open asks."""
        acc = self.model.accounts
        return float(acc.allowances[self.index] + acc.escrow_allowances[self.index])

    @property
    def emission_rate(self) -> float:
        """Tonnes emitted per unit of output."""
        return float(self.model.enterprises.emission_rate[self.index])

    @property
    def capacity(self) -> float:
        """Output per round at full use."""
        return float(self.model.enterprises.capacity[self.index])

    @property
    def output(self) -> float:
        """Output this round."""
        return float(self.model.enterprises.output[self.index])

    @property
    def emissions_this_year(self) -> float:
        """Tonnes emitted so far this compliance year."""
        return float(self.model.enterprises.ytd_emissions[self.index])

    @property
    def over_emission(self) -> float:
        """Tonnes emitted and never covered by an allowance."""
        return float(self.model.enterprises.over_emission[self.index])

    @property
    def open_orders(self) -> int:
        """Open orders in the book."""
        return self.model.book.n_open(self.index)
