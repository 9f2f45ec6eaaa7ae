"""The firms' mechanics as compiled kernels: production, R&D, technology, offsets, compliance.

Each kernel applies one phase's decisions to one market's firms, given as 1-D columns of
shape ``(n_firms,)`` (rows of a batch's arrays, or one market's); the columns change in
place. Random draws come from the market's own generator, as the state array of
:mod:`market.random_kernels`, drawn exactly as numpy draws, so a market's stream is the
same whoever drives it. The
arithmetic follows the numpy expressions of ``MODEL.md``'s rules operation for operation,
and every total is numpy's pairwise sum (:mod:`market.numerics`).

The kernels a round plays make no array: their temporaries are work arrays the caller
holds (``market.lanes.RoundScratch``), of shape ``(n_firms,)``.

Units: output in units per round, emissions in tonnes, rates in t per unit, money in coins.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from market import random_kernels as rk
from market.numerics import pairwise_sum
from market.theory import cost_increase


@njit(cache=True)
def produce(decided, capacity, output, coins, ytd_output, ytd_emissions, rate, output_price,
            revenue):  # fmt: skip
    """Produce the decided output, clipped to ``[0, capacity]``; earn revenue and emit.

    ``revenue`` is a work array of shape ``(n_firms,)`` (each firm's revenue, summed).

    Returns:
        Revenue earned this round (coins), summed over firms.
    """
    n = capacity.size
    for i in range(n):
        q = min(max(decided[i], 0.0), capacity[i])
        output[i] = q
        revenue[i] = output_price * q
        coins[i] += revenue[i]
        ytd_output[i] += q
        ytd_emissions[i] += rate[i] * q
    return pairwise_sum(revenue)


@njit(cache=True)
def research(attempts, round_, rng_state, cost, coins, last_round, maturing, success, delay,
             firms, spent):  # fmt: skip
    """Pay for R&D where attempted and affordable; successes mature ``delay`` rounds later.

    ``firms`` (int64) and ``spent`` (float64) are work arrays of shape ``(n_firms,)``: the
    firms that pay, and what each pays.

    Returns:
        Coins spent on R&D this round.
    """
    n = cost.size
    k = 0
    for i in range(n):
        if attempts[i] and coins[i] >= cost[i]:
            firms[k] = i
            k += 1
    if k == 0:
        return 0.0
    for j in range(k):
        i = firms[j]
        coins[i] -= cost[i]
        last_round[i] = round_
        spent[j] = cost[i]
    slot = (round_ + delay) % maturing.shape[0]
    for j in range(k):  # one draw per paying firm, in firm order
        if rk.uniform(rng_state) < success:
            maturing[slot, firms[j]] += 1
    return pairwise_sum(spent[:k])


@njit(cache=True)
def update_technology(round_, knowledge, maturing, last_round, capacity, research_ability,
                      initial_rate, rate, green, forget_after, effect, floor,
                      spread_terms):  # fmt: skip
    """Apply matured R&D, forget knowledge after a long pause, recompute emission rates.

    :func:`learn_and_forget`, then :func:`emission_rates`; ``spread_terms`` is a work array
    of shape ``(n_firms,)``.
    """
    learn_and_forget(round_, knowledge, maturing, last_round, forget_after)
    emission_rates(knowledge, capacity, research_ability, initial_rate, rate, green, effect,
                   floor, spread_terms)  # fmt: skip


@njit(cache=True)
def research_rate_kept(effect, research_ability, kept):
    """Each firm's share of its emission rate kept per unit of knowledge, ``exp(-a R)``.

    Written into ``kept``, shape ``(n_firms,)``; the R&D rule reads it every round.
    """
    for i in range(research_ability.size):
        kept[i] = math.exp(-effect * research_ability[i])


@njit(cache=True)
def learn_and_forget(round_, knowledge, maturing, last_round, forget_after):
    """Apply the R&D that matures this round; forget a unit of knowledge after a long pause.

    Returns:
        Whether any firm's knowledge changed (only then can its emission rate change).
    """
    changed = False
    slot = round_ % maturing.shape[0]
    for i in range(knowledge.size):
        if maturing[slot, i] != 0:
            knowledge[i] += maturing[slot, i]
            maturing[slot, i] = 0
            changed = True
        if round_ - last_round[i] >= forget_after:
            if knowledge[i] > 0:
                knowledge[i] -= 1
                changed = True
            last_round[i] = round_  # the next loss comes forget_after later
    return changed


@njit(cache=True)
def emission_rates(knowledge, capacity, research_ability, initial_rate, rate, green, effect,
                   floor, spread_terms):  # fmt: skip
    """Every firm's emission rate from its knowledge and the green projects completed.

    ``Er = max(Er0 exp(-a R n) S / (S + G), floor)`` with ``S = sum_j exp(-a n_j) V_j`` and
    ``G`` the completed green projects (MODEL.md, "R&D"); a firm that starts below the floor
    keeps its own rate. ``spread_terms`` is a work array of shape ``(n_firms,)``.
    """
    n = capacity.size
    for i in range(n):
        spread_terms[i] = math.exp(-effect * knowledge[i]) * capacity[i]
    spread = pairwise_sum(spread_terms)
    green_factor = spread / (spread + green) if spread + green > 0 else 1.0
    for i in range(n):
        own = initial_rate[i] * math.exp(-effect * research_ability[i] * knowledge[i])
        rate[i] = min(max(own * green_factor, floor), initial_rate[i])


@njit(cache=True)
def buy_offsets(wanting, available, rng_state, coins, allowances, cost, firms):
    """Firms that want one complete a green project each, in random order, while any remain.

    ``firms`` is a work array (int64) of shape ``(n_firms,)``: the firms that want one and
    can pay, shuffled.

    Returns:
        Number of projects completed.
    """
    n = coins.size
    k = 0
    for i in range(n):
        if wanting[i] and coins[i] >= cost:
            firms[k] = i
            k += 1
    if k == 0 or available <= 0:
        return 0
    rk.shuffle_first(rng_state, firms, k)  # Generator.permutation of the k firms
    done = min(k, available)
    for j in range(done):
        i = firms[j]
        coins[i] -= cost
        allowances[i] += 1.0
    return done


@njit(cache=True)
def settle_compliance(coins, allowances, ytd_emissions, ytd_output, baseline, owed, abatement_cost,
                      emitted_total, surrendered_total, last_year_emissions, last_year_output,
                      penalty, production, banking, make_good):  # fmt: skip
    """Year end: abate where cheaper than the penalty, surrender, pay penalties, expire.

    Must run after the order book is cleared (all escrow refunded).

    Returns:
        ``(emissions, abated, surrendered, shortfall, penalties, abatement_spent, expired)``
        summed over firms (see ``market.enterprises.ComplianceResult``).
    """
    n = coins.size
    if not production:
        ytd_emissions[:] = baseline
    abated = np.empty(n)
    surrendered = np.empty(n)
    missing = np.empty(n)
    penalties = np.empty(n)
    spend = np.empty(n)
    for i in range(n):
        obligation = ytd_emissions[i] + owed[i]
        shortfall = max(obligation - allowances[i], 0.0)
        c = abatement_cost[i]
        worth = 0.0 if math.isinf(c) else penalty / c
        a = min(shortfall, worth)
        if math.isnan(a):
            a = 0.0
        # Only this year's emissions can be abated, not a make-good debt from earlier years.
        a = min(a, max(ytd_emissions[i], 0.0))
        abated[i] = a
        spend[i] = cost_increase(0.0, a, c, math.inf)  # c a^2 / 2: no penalty option
        ytd_emissions[i] -= a
        obligation -= a
        surrendered[i] = min(allowances[i], obligation)
        allowances[i] -= surrendered[i]
        missing[i] = obligation - surrendered[i]
        penalties[i] = penalty * missing[i]
        coins[i] -= penalties[i] + spend[i]
        emitted_total[i] += ytd_emissions[i]
        surrendered_total[i] += surrendered[i]
        # A make-good debt was counted in emitted_total the year it arose; surrendering for
        # it later covers it, so over-emission = emitted - surrendered stays exact.
        owed[i] = missing[i] if make_good else 0.0
    expired = 0.0
    if not banking:
        expired = pairwise_sum(allowances)
        allowances[:] = 0.0
    emissions = pairwise_sum(ytd_emissions)
    last_year_emissions[:] = ytd_emissions
    last_year_output[:] = ytd_output
    ytd_emissions[:] = 0.0
    ytd_output[:] = 0.0
    return (
        emissions,
        pairwise_sum(abated),
        pairwise_sum(surrendered),
        pairwise_sum(missing),
        pairwise_sum(penalties),
        pairwise_sum(spend),
        expired,
    )
