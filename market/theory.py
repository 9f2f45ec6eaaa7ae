"""Textbook cap-and-trade economy: firms' compliance costs and the competitive benchmark.

Firm ``i`` emits ``e_i`` tonnes of CO2 a year if it does nothing (baseline emissions) and can
abate ``a`` tonnes at cost ``c_i a^2 / 2`` coins, so its marginal abatement cost is ``c_i a``
coins per tonne (``c_i = inf``: the firm cannot abate). Each tonne it emits needs one
allowance; a tonne it neither abates nor covers costs the penalty ``P`` coins. The regulator
caps allowances at ``Q`` tonnes, so the economy must cut ``R = sum_i e_i - Q`` tonnes.

The competitive price ``p* = R / sum_i (1 / c_i)`` equalises marginal abatement costs and meets
the cap at least total cost ``p* R / 2``; a penalty below ``p*`` caps the price at ``P`` and
leaves part of the target unmet. Neither the price nor the total cost depends on how the
allowances are first allocated, only who pays. The unit-permit version is the same economy with
whole allowances, which is what the model's order book trades; it is the benchmark for
allocative efficiency. Abatement is not bounded by a firm's baseline in the continuous version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, vectorize
from numpy.typing import ArrayLike

from market.numerics import maximum, minimum


@njit(cache=True, error_model="numpy")
def cost_increase(low, high, c, penalty):
    """``compliance_cost(high) - compliance_cost(low)`` of one firm, for ``low <= high``, stably.

    The marginal cost of covering a tonne is ``min(c x, P)`` at shortfall ``x > 0``; this
    integrates it from ``low`` to ``high`` without subtracting two large costs, so a price at
    the penalty comes out as exactly ``P`` per tonne. A compiled kernel; the array functions
    below apply it element by element.

    Args:
        low: lower shortfall in tonnes.
        high: upper shortfall in tonnes.
        c: cost slope ``c`` in coins per tonne^2, ``> 0``, ``inf`` allowed.
        penalty: penalty ``P`` in coins per tonne, ``>= 0``, ``inf`` allowed.

    Returns:
        Coins.
    """
    low = maximum(low, 0.0)
    high = maximum(high, 0.0)
    # Tonnes worth abating: P / c (0 when c = inf, even if P = inf too).
    worth = penalty / c if math.isfinite(c) else 0.0
    abated_low = minimum(low, worth)
    abated_high = minimum(high, worth)
    extra_abatement = abated_high - abated_low
    extra_uncovered = (high - low) - extra_abatement
    spend = c * (0.5 * extra_abatement * (abated_high + abated_low)) if extra_abatement > 0 else 0.0
    fines = penalty * extra_uncovered if extra_uncovered > 0 else 0.0
    return spend + fines


@vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def _cost_increase_ufunc(low, high, c, penalty):
    return cost_increase(low, high, c, penalty)


def _cost_increase(
    start: ArrayLike, end: ArrayLike, abatement_cost: ArrayLike, penalty: ArrayLike
) -> np.ndarray | float:
    """:func:`cost_increase` element by element over broadcast arrays (a float for scalars)."""
    with np.errstate(invalid="ignore", divide="ignore"):  # inf - inf in the unused branch
        total = _cost_increase_ufunc(start, end, abatement_cost, penalty)
    return float(total) if np.ndim(total) == 0 else total


def compliance_cost(
    shortfall: ArrayLike, abatement_cost: ArrayLike, penalty: ArrayLike
) -> np.ndarray | float:
    """Least cost for firms to cover a shortfall of allowances, by abating or paying the penalty.

    A firm short of ``s`` allowances abates ``a = min(s, P / c)`` tonnes at cost ``c a^2 / 2`` and
    pays ``P`` per tonne still uncovered. Arguments broadcast against each other (one entry per
    firm, or scalars). The cost slope must be positive; the penalty non-negative.

    Args:
        shortfall: tonnes of emissions not covered by allowances, may be fractional; ``<= 0``
            means the firm is covered and pays nothing.
        abatement_cost: cost slope ``c`` in coins per tonne^2; ``inf`` means the firm cannot
            abate and pays ``P s``.
        penalty: penalty ``P`` in coins per uncovered tonne; ``inf`` means the firm abates all of
            its shortfall (or, if it cannot abate either, its cost is infinite).

    Returns:
        Compliance cost in coins, the broadcast shape of the inputs; a float if all are scalars.
    """
    return _cost_increase(0.0, shortfall, abatement_cost, penalty)


def marginal_value(
    shortfall: ArrayLike, abatement_cost: ArrayLike, penalty: ArrayLike
) -> np.ndarray | float:
    """Coins one more allowance saves a firm short of ``shortfall`` allowances.

    Equal to ``compliance_cost(s) - compliance_cost(s - 1)``: a heuristic buyer's reservation
    price. Zero when ``s <= 0``; for a whole ``s`` and no binding penalty it is ``c (s - 1/2)``.

    Args:
        shortfall: tonnes not covered by allowances, one per firm or scalar.
        abatement_cost: cost slope ``c`` in coins per tonne^2, broadcastable.
        penalty: penalty ``P`` in coins per uncovered tonne, broadcastable.

    Returns:
        Coins per allowance, the broadcast shape of the inputs; a float if all are scalars.
    """
    short = np.asarray(shortfall, dtype=np.float64)
    return _cost_increase(short - 1.0, short, abatement_cost, penalty)


def marginal_cost(
    shortfall: ArrayLike, abatement_cost: ArrayLike, penalty: ArrayLike
) -> np.ndarray | float:
    """Coins selling one allowance costs a firm short of ``shortfall`` allowances.

    Equal to ``compliance_cost(s + 1) - compliance_cost(s)``: a heuristic seller's reservation
    price. For a whole ``s >= 0`` and no binding penalty it is ``c (s + 1/2)``.

    Args:
        shortfall: tonnes not covered by allowances (negative: surplus), one per firm or scalar.
        abatement_cost: cost slope ``c`` in coins per tonne^2, broadcastable.
        penalty: penalty ``P`` in coins per uncovered tonne, broadcastable.

    Returns:
        Coins per allowance, the broadcast shape of the inputs; a float if all are scalars.
    """
    short = np.asarray(shortfall, dtype=np.float64)
    return _cost_increase(short, short + 1.0, abatement_cost, penalty)


def _abatement_spend(abatement_cost: np.ndarray, abatement: np.ndarray) -> float:
    """Total coins ``sum_i c_i a_i^2 / 2`` spent abating ``a_i >= 0`` tonnes (no penalty option)."""
    return float(np.sum(compliance_cost(abatement, abatement_cost, math.inf)))


def _firm_arrays(
    baseline_emissions: ArrayLike, abatement_cost: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Validate per-firm baselines and cost slopes.

    Args:
        baseline_emissions: tonnes per firm, shape ``(n,)``, finite and ``>= 0``.
        abatement_cost: coins per tonne^2 per firm, shape ``(n,)``, ``> 0`` (``inf`` allowed).

    Returns:
        Both as float64 arrays of shape ``(n,)``.

    Raises:
        ValueError: naming the offending argument.
    """
    emissions = np.asarray(baseline_emissions, dtype=np.float64)
    cost = np.asarray(abatement_cost, dtype=np.float64)
    if emissions.ndim != 1 or emissions.size == 0:
        raise ValueError(f"baseline_emissions must be a non-empty 1-D array, got {emissions.shape}")
    if cost.shape != emissions.shape:
        raise ValueError(
            f"abatement_cost has shape {cost.shape}, baseline_emissions {emissions.shape}"
        )
    if not np.all(np.isfinite(emissions)) or np.any(emissions < 0):
        raise ValueError("baseline_emissions must be finite and non-negative")
    if not np.all(cost > 0):
        raise ValueError("abatement_cost must be positive (inf: no abatement option)")
    return emissions, cost


def _check_cap(cap: float) -> None:
    """Raise ValueError unless ``cap`` is a finite, non-negative number of tonnes."""
    if not (math.isfinite(cap) and cap >= 0):
        raise ValueError(f"cap must be finite and >= 0, got {cap}")


def _check_penalty(penalty: float) -> None:
    """Raise ValueError unless ``penalty`` is a non-negative number (``inf`` allowed)."""
    if not penalty >= 0:
        raise ValueError(f"penalty must be >= 0, got {penalty}")


@dataclass(frozen=True)
class CompetitiveEquilibrium:
    """Competitive outcome of the continuous textbook economy.

    Attributes:
        price: allowance price in coins per tonne, ``p*`` or the penalty if that is lower.
        abatement: tonnes abated per firm, shape ``(n,)``.
        emissions: tonnes emitted per firm, ``baseline - abatement``, shape ``(n,)``.
        required_reduction: tonnes the cap requires cutting, ``max(sum(e) - Q, 0)``.
        least_cost: total compliance cost in coins (abatement plus penalties paid).
        unmet: tonnes of the required reduction left unabated because the penalty is cheaper.
        price_capped: whether the penalty, not the cap, sets the price.
    """

    price: float
    abatement: np.ndarray
    emissions: np.ndarray
    required_reduction: float
    least_cost: float
    unmet: float
    price_capped: bool


def competitive_equilibrium(
    baseline_emissions: ArrayLike,
    abatement_cost: ArrayLike,
    cap: float,
    penalty: float = math.inf,
) -> CompetitiveEquilibrium:
    """Price, abatement and least cost when every firm abates until its marginal cost is the price.

    Args:
        baseline_emissions: unabated emissions ``e`` in tonnes per firm, shape ``(n,)``.
        abatement_cost: cost slopes ``c`` in coins per tonne^2, shape ``(n,)``, ``> 0``;
            ``inf`` for a firm that cannot abate.
        cap: total allowances ``Q`` in tonnes, ``>= 0``.
        penalty: penalty ``P`` in coins per uncovered tonne.

    Returns:
        The equilibrium; price 0 and no abatement when the cap does not bind.

    Raises:
        ValueError: for negative or non-finite arguments, non-positive cost slopes, mismatched
            lengths, or a binding cap that no firm can abate towards under an infinite penalty.
    """
    emissions, cost = _firm_arrays(baseline_emissions, abatement_cost)
    _check_cap(cap)
    _check_penalty(penalty)
    required = max(float(emissions.sum()) - cap, 0.0)
    inverse_slope = float(np.sum(1.0 / cost))
    if required > 0 and inverse_slope == 0 and math.isinf(penalty):
        raise ValueError("abatement_cost: no firm can abate, so an infinite penalty is unpayable")
    if required == 0:
        cap_price = 0.0
    else:
        cap_price = required / inverse_slope if inverse_slope > 0 else math.inf
    price = float(min(cap_price, penalty))
    abatement = price / cost
    price_capped = penalty < cap_price
    unmet = required - float(abatement.sum()) if price_capped else 0.0
    least_cost = _abatement_spend(cost, abatement) + price * unmet
    return CompetitiveEquilibrium(
        price=price,
        abatement=abatement,
        emissions=emissions - abatement,
        required_reduction=required,
        least_cost=least_cost,
        unmet=unmet,
        price_capped=price_capped,
    )


def uniform_standard_cost(
    baseline_emissions: ArrayLike, abatement_cost: ArrayLike, cap: float
) -> float:
    """Total cost in coins of the command-and-control benchmark: every firm abates ``R / n``.

    Args:
        baseline_emissions: unabated emissions in tonnes per firm, shape ``(n,)``.
        abatement_cost: cost slopes in coins per tonne^2, shape ``(n,)``; a firm with ``inf``
            cannot meet the standard, which makes the cost infinite.
        cap: total allowances in tonnes, ``>= 0``.

    Returns:
        ``sum_i c_i (R / n)^2 / 2``; 0 when the cap does not bind.

    Raises:
        ValueError: naming the offending argument.
    """
    emissions, cost = _firm_arrays(baseline_emissions, abatement_cost)
    _check_cap(cap)
    share = max(float(emissions.sum()) - cap, 0.0) / emissions.size
    return _abatement_spend(cost, np.full(emissions.size, share))


def firm_compliance_costs(
    equilibrium: CompetitiveEquilibrium, abatement_cost: ArrayLike, allocation: ArrayLike
) -> np.ndarray:
    """Each firm's cost at the competitive equilibrium given its free allocation.

    Firm ``i`` pays ``c_i a_i^2 / 2 + p (e_i - a_i - q_i)``: it buys (or, if negative, sells)
    the allowances it emits beyond its allocation at the price ``p``. When the allocation sums
    to the cap the costs sum to ``equilibrium.least_cost`` whatever the allocation.

    Args:
        equilibrium: result of :func:`competitive_equilibrium`.
        abatement_cost: the cost slopes it was computed with, coins per tonne^2, shape ``(n,)``.
        allocation: free allowances ``q`` per firm in tonnes, shape ``(n,)``.

    Returns:
        Coins per firm, shape ``(n,)``; negative for a firm that earns from selling.

    Raises:
        ValueError: if ``allocation`` or ``abatement_cost`` does not have one entry per firm.
    """
    allowances = np.asarray(allocation, dtype=np.float64)
    cost = np.asarray(abatement_cost, dtype=np.float64)
    firms = equilibrium.abatement.shape
    for name, given in (("allocation", allowances), ("abatement_cost", cost)):
        if given.shape != firms:
            raise ValueError(f"{name} has shape {given.shape}, expected {firms}")
    purchases = equilibrium.price * (equilibrium.emissions - allowances)
    return compliance_cost(equilibrium.abatement, cost, math.inf) + purchases


def _unit_holdings(holdings: ArrayLike, n_firms: int) -> np.ndarray:
    """Validate whole, non-negative allowance holdings, one per firm; return them as int64."""
    units = np.asarray(holdings, dtype=np.float64)
    if units.shape != (n_firms,):
        raise ValueError(f"holdings has shape {units.shape}, expected ({n_firms},)")
    if not np.all(np.isfinite(units)) or np.any(units < 0) or np.any(units != np.round(units)):
        raise ValueError("holdings must be finite, whole, non-negative numbers of allowances")
    return units.astype(np.int64)


def realised_compliance_cost(
    baseline_emissions: ArrayLike, abatement_cost: ArrayLike, holdings: ArrayLike, penalty: float
) -> float:
    """Total compliance cost in coins when firm ``i`` holds ``h_i`` allowances.

    Args:
        baseline_emissions: unabated emissions in tonnes per firm, shape ``(n,)``.
        abatement_cost: cost slopes in coins per tonne^2, shape ``(n,)``.
        holdings: allowances per firm, shape ``(n,)``; fractional holdings are allowed here.
        penalty: penalty in coins per uncovered tonne.

    Returns:
        ``sum_i compliance_cost(e_i - h_i, c_i, P)``.
    """
    emissions, cost = _firm_arrays(baseline_emissions, abatement_cost)
    _check_penalty(penalty)
    held = np.asarray(holdings, dtype=np.float64)
    if held.shape != emissions.shape:
        raise ValueError(f"holdings has shape {held.shape}, expected {emissions.shape}")
    return float(np.sum(compliance_cost(emissions - held, cost, penalty)))


@dataclass(frozen=True)
class UnitPermitEquilibrium:
    """Efficient allocation of whole allowances and the competitive price interval.

    Attributes:
        efficient_holdings: allowances per firm minimising total compliance cost, shape
            ``(n,)``, int64, summing to the initial holdings.
        no_trade_cost: total compliance cost in coins if nobody trades.
        least_cost: total compliance cost in coins at the efficient holdings.
        max_gains_from_trade: ``no_trade_cost - least_cost`` in coins.
        price_low: highest marginal value of an allowance not held (coins per allowance).
        price_high: lowest marginal value of an allowance held (coins per allowance; ``inf``
            when there are no allowances). Any price in ``[price_low, price_high]`` clears.
    """

    efficient_holdings: np.ndarray
    no_trade_cost: float
    least_cost: float
    max_gains_from_trade: float
    price_low: float
    price_high: float


def unit_permit_equilibrium(
    baseline_emissions: ArrayLike,
    abatement_cost: ArrayLike,
    holdings: ArrayLike,
    penalty: float = math.inf,
) -> UnitPermitEquilibrium:
    """Efficient reallocation of whole allowances among firms, and its clearing-price interval.

    Compliance costs are convex in the shortfall, so each firm's successive allowances are worth
    less and less; giving the ``sum(holdings)`` allowances to the highest-valued units is exact.
    Candidate units are each firm's first ``max(h_i, ceil(e_i))`` allowances (later ones are
    worthless); among equally valued units a firm keeps the ones it already holds.

    Args:
        baseline_emissions: unabated emissions in tonnes per firm, shape ``(n,)``.
        abatement_cost: cost slopes in coins per tonne^2, shape ``(n,)``, ``> 0``.
        holdings: whole allowances each firm holds before trading, shape ``(n,)``.
        penalty: penalty in coins per uncovered tonne.

    Returns:
        The efficient holdings, costs, gains from trade and price interval.

    Raises:
        ValueError: naming the offending argument.
    """
    emissions, cost = _firm_arrays(baseline_emissions, abatement_cost)
    _check_penalty(penalty)
    held = _unit_holdings(holdings, emissions.size)
    candidates = np.maximum(held, np.ceil(emissions).astype(np.int64))
    firm = np.repeat(np.arange(emissions.size), candidates)
    unit = np.arange(firm.size) - np.repeat(np.cumsum(candidates) - candidates, candidates) + 1
    value = marginal_value(emissions[firm] - unit + 1, cost[firm], penalty)
    already_held = unit <= held[firm]
    best_first = np.lexsort((~already_held, -value))
    efficient = np.bincount(firm[best_first[: held.sum()]], minlength=emissions.size)
    shortfall = emissions - efficient
    values_held = marginal_cost(shortfall[efficient > 0], cost[efficient > 0], penalty)
    no_trade_cost = realised_compliance_cost(emissions, cost, held, penalty)
    least_cost = realised_compliance_cost(emissions, cost, efficient, penalty)
    return UnitPermitEquilibrium(
        efficient_holdings=efficient,
        no_trade_cost=no_trade_cost,
        least_cost=least_cost,
        max_gains_from_trade=no_trade_cost - least_cost,
        price_low=float(np.max(marginal_value(shortfall, cost, penalty))),
        price_high=float(np.min(values_held, initial=math.inf)),
    )
