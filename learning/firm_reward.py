"""What a learned firm is rewarded for while it trains.

Reward: the change in isoelastic utility, ``(W^(1-eta) - 1) / (1 - eta)`` with eta = 0.23 as
in the paper, of the firm's net worth W: its coins minus its compliance liability (what
covering the tonnes it already owes this year beyond its allowances would cost now, by
abatement or penalty). The liability is settled at year end, so over an episode this is the
paper's reward (change in utility of coins) plus a potential-based shaping term (Ng, Harada &
Russell 1999) that leaves the optimal policy unchanged but credits a purchase when it is made
rather than at the year-end settlement hundreds of rounds later. Below one coin the utility
continues linearly with slope 1, so deeper debt always hurts.
"""

from __future__ import annotations

import numpy as np

from agents.valuation import committed_emissions
from agents.view import MarketView
from market.theory import compliance_cost

ETA = 0.23


def net_worth(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Coins (free and escrowed) minus the compliance liability of tonnes already owed (coins)."""
    acc = view.accounts
    shortfall = committed_emissions(view, firms) - acc.total_allowances()[firms]
    liability = compliance_cost(
        shortfall, view.enterprises.abatement_cost[firms], view.config.penalty
    )
    return acc.total_coins()[firms] - liability


def isoelastic_utility(coins: np.ndarray, eta: float = ETA) -> np.ndarray:
    """Isoelastic utility of coins, continued linearly (slope 1) below one coin."""
    coins = np.asarray(coins, dtype=float)
    above = (np.maximum(coins, 1.0) ** (1.0 - eta) - 1.0) / (1.0 - eta)
    return np.where(coins >= 1.0, above, coins - 1.0)
