"""The supply rules' yearly release as compiled kernels, over one market or a batch's lanes.

One implementation of each rule of ``agents.supply_rules``: the market stability reserve's
intake and outflow (:func:`reserve_intake`, :func:`reserve_outflow`), each rule's release
share of the budget (:func:`release_share`), and the whole year's allocation of every lane
under such a rule (:func:`supply_allocations`: the release, the cap, the green projects and
the split by ``government.supply_split``, over the kernels of ``agents.allocation_kernels``).
A policy calls them for its one market; a batch calls them once a year for all its lanes,
each lane's rule state (the reserve) a row of an array the policy of a market built over the
lane reads too. The arithmetic is the Python rules' operation for operation.

Units: allowances (t); shares are of the episode budget; prices in ticks.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from agents.allocation_kernels import release_for, rule_shares, split
from market.numerics import pairwise_sum

#: The supply rules, by code: the market stability reserve, the price collar, the target.
MSR, PRICE_COLLAR, PRICE_TARGET = 0, 1, 2
#: The supply rules' codes by policy name.
RULE_CODES = {"msr": MSR, "price-collar": PRICE_COLLAR, "price-target": PRICE_TARGET}

#: The rules' parameters as the kernels read them: entries of ``params`` (float64).
PARAMS = (
    "ccr_share",
    "ccr_trigger_share",
    "reserve_price_share",
    "target_price_share",
    "target_gain",
    "price_ceiling",
)
CCR_SHARE, CCR_TRIGGER, RESERVE_PRICE, TARGET_PRICE, TARGET_GAIN, CEILING = range(len(PARAMS))

#: A rule's state: the allowances in its reserve (the MSR's; the collar's, nan before its
#: first year, when it is set to ``ccr_share`` of the budget).
STATE = ("reserve",)
RESERVE = 0

#: The split of the firms' part meaning "sold at auction" (else a row of ``rule_shares``).
AUCTION = -1

#: The EU MSR's rule in allowances, from 2024 (``reference/domain.md``): the upper threshold,
#: the buffer band's top, the intake rate above it, the lower threshold, the release.
EU_UPPER, EU_BUFFER_TOP, EU_INTAKE_RATE, EU_LOWER, EU_RELEASE = (
    833_000_000.0,
    1_096_000_000.0,
    0.24,
    400_000_000.0,
    100_000_000.0,
)
#: The EU ETS stationary cap of 2021 (allowances), the scale of the MSR's thresholds.
EU_CAP_2021 = 1_571_583_007


@njit(cache=True)
def reserve_intake(tnac, upper, buffer_top, intake_rate):
    """Allowances withheld into the reserve for a year with ``tnac`` in circulation."""
    if tnac > buffer_top:
        return intake_rate * tnac
    if tnac > upper:
        return tnac - upper
    return 0.0


@njit(cache=True)
def reserve_outflow(tnac, reserve, lower, release):
    """Allowances released from a reserve holding ``reserve`` for ``tnac`` in circulation."""
    return min(release, reserve) if tnac < lower else 0.0


@njit(cache=True)
def msr_share(state, budget, years, tnac):
    """The flat share minus this year's intake plus this year's outflow; the reserve moves.

    The EU's thresholds are scaled by a flat year's release over the EU's 2021 cap.
    """
    flat = budget / years
    factor = flat / EU_CAP_2021
    upper, top = EU_UPPER * factor, EU_BUFFER_TOP * factor
    lower, release = EU_LOWER * factor, EU_RELEASE * factor
    intake = min(reserve_intake(tnac, upper, top, EU_INTAKE_RATE), flat)
    outflow = reserve_outflow(tnac, state[RESERVE], lower, release)
    state[RESERVE] += intake - outflow
    return (flat - intake + outflow) / budget


@njit(cache=True)
def collar_share(params, state, budget, years, last_price):
    """The schedule's share, plus the reserve's release after a year at the trigger price."""
    if math.isnan(state[RESERVE]):
        state[RESERVE] = params[CCR_SHARE] * budget
    share = (1 - params[CCR_SHARE]) / years
    if not math.isnan(last_price) and last_price >= params[CCR_TRIGGER] * params[CEILING]:
        extra = min(state[RESERVE], params[CCR_SHARE] * budget / years)
        state[RESERVE] -= extra
        share += extra / budget
    return share


@njit(cache=True)
def target_share(params, years, last_price):
    """The flat share moved by the gain times last year's relative price gap."""
    flat = 1.0 / years
    if math.isnan(last_price):
        return flat
    target = params[TARGET_PRICE] * params[CEILING]
    return flat * max(0.0, 1.0 + params[TARGET_GAIN] * (last_price - target) / target)


@njit(cache=True)
def release_share(rule, params, state, budget, years, tnac, last_price):
    """This year's release as a share of the budget under ``rule``; ``state`` moves in place.

    Args:
        rule: :data:`MSR`, :data:`PRICE_COLLAR` or :data:`PRICE_TARGET`.
        params: the rule's parameters (:data:`PARAMS`), shape ``(len(PARAMS),)``.
        state: the rule's state (:data:`STATE`), shape ``(len(STATE),)``.
        budget: the episode budget (allowances).
        years: the episode's years.
        tnac: the allowances the firms hold, free and escrowed (the MSR reads it).
        last_price: last year's average price (ticks; nan in the first year or after none).
    """
    if rule == MSR:
        return msr_share(state, budget, years, tnac)
    if rule == PRICE_COLLAR:
        return collar_share(params, state, budget, years, last_price)
    return target_share(params, years, last_price)


@njit(cache=True)
def circulating(allowances, escrow_allowances):
    """Each lane's allowances in circulation (the TNAC), summed as numpy sums, ``(lanes,)``.

    Args:
        allowances: free allowances per lane and firm, shape ``(lanes, n)``.
        escrow_allowances: allowances escrowed in asks, shape ``(lanes, n)``.
    """
    lanes = allowances.shape[0]
    out = np.empty(lanes)
    for b in range(lanes):
        out[b] = pairwise_sum(allowances[b] + escrow_allowances[b])
    return out


@njit(cache=True, error_model="numpy")
def supply_allocations(rules, params, state, budget, years, tnac, last_price, floor, remaining,
                       max_release, green_share, splits, columns):  # fmt: skip
    """Every lane's allocation under a supply rule, its state moved in place.

    Args:
        rules: each lane's rule (:data:`MSR` ...), shape ``(lanes,)``.
        params: each lane's parameters, shape ``(lanes, len(PARAMS))``.
        state: each lane's rule state, shape ``(lanes, len(STATE))``; changed in place.
        budget: each lane's episode budget, shape ``(lanes,)``.
        years: the episode's years.
        tnac: each lane's allowances in circulation (:func:`circulating`).
        last_price: each lane's last year's average price (nan: none), shape ``(lanes,)``.
        floor: each lane's price floor now (ticks), shape ``(lanes,)``.
        remaining: what remains of each lane's budget, shape ``(lanes,)``.
        max_release: each lane's largest share of its budget a year may release.
        green_share: each lane's share of a release that becomes green projects.
        splits: each lane's split of the firms' part: :data:`AUCTION`, or the row of
            ``rule_shares`` (``agents.policies.ALLOCATION_RULES``).
        columns: each lane's firms' last year's emissions, capacity and emission rate,
            shape ``(lanes, 3, n)`` (``agents.allocation_kernels.RANKED_COLUMNS``).

    Returns:
        ``(free, auctioned, green, floors)``: free allowances per lane and firm ``(lanes, n)``,
        allowances to auction, green projects and the year's price floor (-1: unchanged)
        per lane ``(lanes,)``.
    """
    lanes, n = columns.shape[0], columns.shape[2]
    free = np.zeros((lanes, n))
    auctioned = np.zeros(lanes, dtype=np.int64)
    green = np.zeros(lanes, dtype=np.int64)
    floors = np.full(lanes, -1, dtype=np.int64)
    for b in range(lanes):
        share = release_share(rules[b], params[b], state[b], budget[b], years, tnac[b],
                              last_price[b])  # fmt: skip
        if rules[b] == PRICE_COLLAR:
            reserve_price = math.floor(params[b, RESERVE_PRICE] * params[b, CEILING])
            floors[b] = max(reserve_price, floor[b])
        else:
            share = max(0.0, share)
        to_firms, green[b] = release_for(
            share, budget[b], remaining[b], max_release[b], green_share[b]
        )
        if splits[b] == AUCTION:
            auctioned[b] = int(to_firms)
        else:
            f = columns[b]
            weights = rule_shares(f[0], f[1], f[2])[splits[b]]
            free[b] = split(to_firms, weights.copy())
    return free, auctioned, green, floors
