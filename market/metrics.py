"""Economic and market metrics reported by the model each step.

Wealth metrics (Gini, equality, productivity, welfare) follow the AI-Economist definitions,
except that the Gini coefficient is always the exact pairwise one: the shortcut AI-Economist
uses for 30 or more agents is wrong at the extremes (one owner of everything does not give
zero equality). Market metrics measure how well the allowance market finds the competitive
price and how much of the available gains from trade it realises.

Money is in coins, prices in coins per allowance, quantities in allowances (tonnes of CO2).
Every function takes plain sequences or numpy arrays and returns a Python float (or arrays for
the Lorenz curve).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike

from market.numerics import maximum, minimum, pairwise_sum


def _wealth_vector(values: ArrayLike) -> np.ndarray:
    """Return ``values`` as a 1-D float array of finite, non-negative wealth.

    Args:
        values: wealth per agent, shape ``(n,)``.

    Returns:
        The values as float64, shape ``(n,)``.

    Raises:
        ValueError: if ``values`` is not 1-D or holds negative or non-finite entries.
    """
    wealth = np.asarray(values, dtype=np.float64)
    if wealth.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {wealth.shape}")
    if not np.all(np.isfinite(wealth)) or np.any(wealth < 0):
        raise ValueError("values must be finite and non-negative")
    return wealth


def gini(values: ArrayLike) -> float:
    """Exact Gini coefficient, ``sum_ij |x_i - x_j| / (2 n^2 mean)``.

    Computed in O(n log n) from the sorted values: the pairwise sum equals
    ``2 * sum_k (2k - n - 1) x_(k)`` with ``x_(1) <= ... <= x_(n)``.

    Args:
        values: non-negative wealth per agent (e.g. coins), shape ``(n,)``.

    Returns:
        The Gini coefficient in ``[0, (n - 1) / n]``; 0.0 when ``n < 2`` or the total is zero.

    Raises:
        ValueError: if ``values`` is not 1-D or holds negative or non-finite entries.
    """
    return float(gini_of(_wealth_vector(values)))


@njit(cache=True)
def gini_of(wealth):
    """:func:`gini` of a 1-D float64 array of finite, non-negative wealth (a kernel)."""
    wealth = np.sort(wealth)
    n = wealth.size
    total = pairwise_sum(wealth)
    if n < 2 or total == 0:
        return 0.0
    weighted = np.empty(n)
    for k in range(n):
        weighted[k] = (2.0 * (k + 1) - n - 1) * wealth[k]
    return pairwise_sum(weighted) / (n * total)


def equality(coins: ArrayLike) -> float:
    """Equality ``1 - n / (n - 1) * Gini(coins)``: 1 when all are equal, 0 when one owns all.

    Debt is counted as zero wealth: negative coin balances are clipped to 0 before the Gini
    coefficient is taken, so a firm in debt counts as owning nothing. The result is clipped to
    ``[0, 1]`` to remove floating-point rounding (the exact value always lies in that range).

    Args:
        coins: coins per firm, shape ``(n,)``; may be negative.

    Returns:
        Equality in ``[0, 1]``; 1.0 when ``n < 2`` or nobody owns anything.
    """
    return float(equality_of(np.asarray(coins, dtype=np.float64)))


@njit(cache=True)
def equality_of(coins):
    """:func:`equality` of a 1-D float64 array of coins (a kernel)."""
    n = coins.size
    if n < 2:
        return 1.0
    wealth = np.empty(n)
    for i in range(n):
        wealth[i] = maximum(coins[i], 0.0)
    return minimum(maximum(1.0 - n / (n - 1) * gini_of(wealth), 0.0), 1.0)


def productivity(coins: ArrayLike) -> float:
    """Productivity: mean coins per firm (debt counts as negative coins here).

    Args:
        coins: coins per firm, shape ``(n,)``.

    Returns:
        Mean coins per firm; 0.0 when there are no firms.
    """
    return float(productivity_of(np.asarray(coins, dtype=np.float64)))


@njit(cache=True)
def productivity_of(coins):
    """:func:`productivity` of a 1-D float64 array of coins (a kernel)."""
    return pairwise_sum(coins) / coins.size if coins.size else 0.0


def welfare(
    equality: float, productivity: float, over_emission: float, climate_coefficient: float
) -> float:
    """Social welfare ``equality * productivity * exp(-climate_coefficient * over_emission)``.

    Args:
        equality: equality of coins, in ``[0, 1]``.
        productivity: mean coins per firm.
        over_emission: tonnes of CO2 emitted above the cap, ``>= 0``.
        climate_coefficient: welfare lost per tonne of over-emission, in 1/tonne, ``>= 0``.

    Returns:
        Welfare in coins per firm.

    Raises:
        ValueError: if ``over_emission`` or ``climate_coefficient`` is negative.
    """
    if over_emission < 0:
        raise ValueError(f"over_emission must be >= 0, got {over_emission}")
    if climate_coefficient < 0:
        raise ValueError(f"climate_coefficient must be >= 0, got {climate_coefficient}")
    return welfare_of(equality, productivity, over_emission, climate_coefficient)


@njit(cache=True)
def welfare_of(equality, productivity, over_emission, climate_coefficient):
    """:func:`welfare` without the checks, for compiled callers (coins per firm)."""
    return equality * productivity * math.exp(-climate_coefficient * over_emission)


def vwap(prices: ArrayLike, quantities: ArrayLike) -> float:
    """Volume-weighted average price of a set of trades.

    Args:
        prices: price of each trade in coins per allowance, shape ``(n_trades,)``.
        quantities: allowances in each trade, shape ``(n_trades,)``, ``>= 0``.

    Returns:
        ``sum(price * quantity) / sum(quantity)`` in coins per allowance; nan with no volume.

    Raises:
        ValueError: if the shapes differ or a quantity is negative.
    """
    price = np.asarray(prices, dtype=np.float64)
    quantity = np.asarray(quantities, dtype=np.float64)
    if price.shape != quantity.shape:
        raise ValueError(f"prices {price.shape} and quantities {quantity.shape} differ in shape")
    if np.any(quantity < 0):
        raise ValueError("quantities must be non-negative")
    volume = quantity.sum()
    if volume == 0:
        return math.nan
    return float(np.sum(price * quantity) / volume)


def smiths_alpha(prices: ArrayLike, equilibrium_price: float) -> float:
    """Smith's alpha: root-mean-square deviation of trade prices from equilibrium, in percent.

    ``alpha = 100 * sqrt(mean((price - p*)^2)) / p*``; 0 means every trade was at ``p*``.

    Args:
        prices: price of each trade in coins per allowance, shape ``(n_trades,)``.
        equilibrium_price: competitive equilibrium price ``p*`` in coins per allowance.

    Returns:
        Alpha in percent of ``p*``; nan when there are no trades or ``p* == 0``.

    Raises:
        ValueError: if ``equilibrium_price`` is negative or not a number.
    """
    if not equilibrium_price >= 0:
        raise ValueError(f"equilibrium_price must be >= 0, got {equilibrium_price}")
    price = np.asarray(prices, dtype=np.float64)
    if price.size == 0 or equilibrium_price == 0:
        return math.nan
    rms = math.sqrt(float(np.mean((price - equilibrium_price) ** 2)))
    return 100.0 * rms / equilibrium_price


def allocative_efficiency(realised_gains: float, max_gains: float) -> float:
    """Share of the maximum gains from trade that the market realised.

    Args:
        realised_gains: no-trade compliance cost minus realised compliance cost, in coins.
        max_gains: no-trade compliance cost minus least compliance cost, in coins.

    Returns:
        ``realised_gains / max_gains`` (1 is fully efficient); nan when ``max_gains <= 0``,
        i.e. when there was nothing to gain from trading.
    """
    if max_gains <= 0:
        return math.nan
    return realised_gains / max_gains


def lorenz_curve(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve of a wealth distribution.

    Args:
        values: non-negative wealth per agent, shape ``(n,)``. Clip debt to zero first, as
            :func:`equality` does.

    Returns:
        ``(population_share, wealth_share)``, each shape ``(n + 1,)``, both running from 0 to
        1: the poorest ``population_share[k]`` of agents own ``wealth_share[k]`` of the total.
        With no agents or no wealth the curve is the line of perfect equality.

    Raises:
        ValueError: if ``values`` is not 1-D or holds negative or non-finite entries.
    """
    wealth = np.sort(_wealth_vector(values))
    n = wealth.size
    total = wealth.sum()
    if n == 0 or total == 0:
        population_share = np.linspace(0.0, 1.0, max(n, 1) + 1)
        return population_share, population_share.copy()
    population_share = np.arange(n + 1) / n
    wealth_share = np.concatenate(([0.0], np.cumsum(wealth) / total))
    wealth_share[-1] = 1.0
    return population_share, wealth_share
