"""The government's allocation rules as compiled kernels, over one market or a batch's lanes.

One implementation of each piece of the yearly allocation (``agents.policies``): what a
budget share releases (:func:`release_for`), the whole-allowance split (:func:`split`), the
ranking rule's weights (:func:`rank_weights`), the textbook rules' shares
(:func:`rule_shares`), the auctioned-share lever (:func:`move_to_auction`) and, for the
policies that are a yearly table of shares times a split (the paper's baselines, ``equal``,
``auction``), the whole year's allocation of every lane of a batch in one call
(:func:`scheduled_allocations`). ``CarbonMarket`` calls them for its one market; a batch
calls them once a year for all its lanes. The arithmetic is the numpy expressions'
operation for operation, and every total numpy's pairwise sum (:mod:`market.numerics`), so
either way a market allocates to the last bit what the numpy rules allocated.

Units: allowances (t); shares are of the episode budget.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from market.numerics import pairwise_sum

#: How a scheduled policy splits the firms' part: by rank of a key, equally, or all auctioned.
RANKED, EQUAL, AUCTIONED = 0, 1, 2
#: The keys a ranking rule ranks by: last year's emissions, output per emission, capacity.
BY_EMISSIONS, BY_OUTPUT_PER_EMISSION, BY_CAPACITY = 0, 1, 2

#: Rows of the firms' columns :func:`scheduled_allocations` reads (``RANKED_COLUMNS``).
LAST_EMISSIONS, CAPACITY, RATE = range(3)
#: The firms' columns the ranking rules read, by name (``market.enterprises``), in row order.
RANKED_COLUMNS = ("last_year_emissions", "capacity", "emission_rate")
#: The firms' columns :func:`benchmark_allocations` reads, by name, in row order.
BENCHMARK_COLUMNS = ("capacity", "emission_rate", "last_year_output")


@njit(cache=True)
def release_for(share, budget, remaining, max_release_share, green_share):
    """Allowances a budget share releases, capped by the yearly maximum and what remains.

    Returns:
        ``(to_firms, green_projects)``: the firms' part and the green projects' part.
    """
    release = min(share * budget, max_release_share * budget, remaining)
    green = math.floor(release * green_share + 1e-9)
    return release - green, int(green)


@njit(cache=True)
def split(amount, weights):
    """Whole allowances per firm: floor(amount x w_i / sum w); equal split if all weights are 0.

    Args:
        amount: allowances to split.
        weights: float64 weight per firm, shape ``(n,)``.
    """
    n = weights.size
    total = pairwise_sum(weights)
    out = np.empty(n)
    for i in range(n):
        share = weights[i] / total if total > 0 else 1.0 / n
        out[i] = math.floor(amount * share + 1e-9)
    return out


@njit(cache=True)
def rank_weights(key, by_rank):
    """Weights by rank: the firm with the largest ``key`` gets ``by_rank[0]``; ties keep order.

    Args:
        key: float64 per firm, shape ``(n,)``.
        by_rank: the weight of each rank, shape ``(n,)`` (``agents.policies.rank_profile``).
    """
    order = np.argsort(-key, kind="mergesort")
    weights = np.empty(key.size)
    for r in range(key.size):
        weights[order[r]] = by_rank[r]
    return weights


@njit(cache=True, error_model="numpy")
def rule_shares(last_year_emissions, capacity, emission_rate):
    """Each textbook rule's split of a release, shape ``(4, n)``, rows summing to 1.

    Rows follow ``agents.policies.ALLOCATION_RULES``: in proportion to last year's emissions
    (equal when they are all 0), to output per emission, to capacity, and equal.
    """
    n = capacity.size
    keys = np.empty((4, n))
    for i in range(n):
        keys[0, i] = last_year_emissions[i]
        keys[1, i] = capacity[i] / emission_rate[i]
        keys[2, i] = capacity[i]
        keys[3, i] = 1.0
    for r in range(4):
        total = pairwise_sum(keys[r])
        for i in range(n):
            keys[r, i] = keys[r, i] / total if total > 0 else 1.0 / n
    return keys


@njit(cache=True)
def move_to_auction(free, auctioned, share):
    """The auctioned-share lever: ``floor(free x share)`` of every lane's free part to auction.

    Args:
        free: free allowances per lane and firm, shape ``(lanes, n)``; floored, then changed
            in place.
        auctioned: allowances each lane auctions, shape ``(lanes,)``; changed in place.
        share: each lane's lever (``government.auction_share``, in [0, 1]), shape ``(lanes,)``.
    """
    lanes, n = free.shape
    moved = np.empty(n)
    for b in range(lanes):
        for i in range(n):
            free[b, i] = math.floor(free[b, i])
        if share[b] > 0:
            for i in range(n):
                moved[i] = math.floor(free[b, i] * share[b])
                free[b, i] -= moved[i]
            auctioned[b] += int(pairwise_sum(moved))


@njit(cache=True, error_model="numpy")
def scheduled_allocations(year, shares, splits, keys, by_rank, budget, remaining, max_release,
                          green_share, columns):  # fmt: skip
    """Every lane's allocation under a policy of yearly shares times a split.

    Args:
        year: the year (0-based), the same in every lane.
        shares: each lane's budget share per year, shape ``(lanes, years)``.
        splits: each lane's split (:data:`RANKED`, :data:`EQUAL`, :data:`AUCTIONED`).
        keys: what each ranked lane ranks by (:data:`BY_EMISSIONS` ...), shape ``(lanes,)``.
        by_rank: each lane's weight per rank, shape ``(lanes, n)``.
        budget: each lane's episode budget, shape ``(lanes,)``.
        remaining: what remains of each lane's budget, shape ``(lanes,)``.
        max_release: each lane's largest share of its budget a year may release.
        green_share: each lane's share of a release that becomes green projects.
        columns: the firms' columns the ranks read (:data:`RANKED_COLUMNS`), ``(lanes, 3, n)``.

    Returns:
        ``(free, auctioned, green)``: free allowances per lane and firm ``(lanes, n)``,
        allowances to auction and green projects per lane ``(lanes,)``.
    """
    lanes, n = by_rank.shape
    free = np.zeros((lanes, n))
    auctioned = np.zeros(lanes, dtype=np.int64)
    green = np.zeros(lanes, dtype=np.int64)
    ones = np.ones(n)
    for b in range(lanes):
        to_firms, green[b] = release_for(
            shares[b, year], budget[b], remaining[b], max_release[b], green_share[b]
        )
        if splits[b] == AUCTIONED:
            auctioned[b] = int(to_firms)
            continue
        weights = ones
        if splits[b] == RANKED:
            f = columns[b]
            if keys[b] == BY_EMISSIONS:
                key = f[LAST_EMISSIONS].copy()
            elif keys[b] == BY_OUTPUT_PER_EMISSION:
                key = f[CAPACITY] / f[RATE]
            else:
                key = f[CAPACITY].copy()
            weights = rank_weights(key, by_rank[b])
        free[b] = split(to_firms, weights)
    return free, auctioned, green


@njit(cache=True)
def sector_benchmarks(sector, emission_rate, percentile):
    """Each firm's benchmark: the mean emission rate of its sector's cleanest ``percentile`` %.

    Args:
        sector: each firm's sector as a code from 0, shape ``(n,)`` (int64).
        emission_rate: each firm's emission rate (t per unit output), shape ``(n,)``.
        percentile: the share of each sector's firms the benchmark averages (percent, > 0).

    Returns:
        The benchmark of each firm's sector (t per unit output), shape ``(n,)``.
    """
    n = sector.size
    out = np.empty(n)
    for s in range(sector.max() + 1 if n else 0):
        members = np.flatnonzero(sector == s)
        if not members.size:
            continue
        rates = np.sort(emission_rate[members])
        best = max(1, int(np.ceil(members.size * percentile / 100)))
        mean = pairwise_sum(rates[:best]) / best
        for i in members:
            out[i] = mean
    return out


@njit(cache=True, error_model="numpy")
def benchmark_allocations(year, years, reduction, percentile, rounds, budget, remaining,
                          max_release, green_share, sectors, columns):  # fmt: skip
    """Every lane's EU-style allocation: a linearly falling cap, benchmark x activity free.

    The cap of year y is ``1 - reduction x y`` of the caps' sum; a firm's free allocation is
    its sector's benchmark (:func:`sector_benchmarks`) times its activity (last year's
    output; in the first year capacity x rounds), scaled down if the firms' part falls
    short of it; the rest of the firms' part is auctioned.

    Args:
        year: the year (0-based), the same in every lane.
        years: the episode's years.
        reduction: each lane's linear reduction factor, shape ``(lanes,)``.
        percentile: each lane's benchmark percentile, shape ``(lanes,)``.
        rounds: each lane's rounds a year, shape ``(lanes,)``.
        budget: each lane's episode budget, shape ``(lanes,)``.
        remaining: what remains of each lane's budget, shape ``(lanes,)``.
        max_release: each lane's largest share of its budget a year may release.
        green_share: each lane's share of a release that becomes green projects.
        sectors: each lane's firms' sector codes, shape ``(lanes, n)`` (int64).
        columns: each lane's firms' capacity, emission rate and last year's output,
            shape ``(lanes, 3, n)`` (:data:`BENCHMARK_COLUMNS`).

    Returns:
        ``(free, auctioned, green)``: free allowances per lane and firm ``(lanes, n)``,
        allowances to auction and green projects per lane ``(lanes,)``.
    """
    lanes, n = sectors.shape
    free = np.zeros((lanes, n))
    auctioned = np.zeros(lanes, dtype=np.int64)
    green = np.zeros(lanes, dtype=np.int64)
    factors = np.empty(years)
    wanted = np.empty(n)
    for b in range(lanes):
        for y in range(years):
            factors[y] = 1.0 - reduction[b] * y
        share = factors[year] / pairwise_sum(factors)
        to_firms, green[b] = release_for(
            share, budget[b], remaining[b], max_release[b], green_share[b]
        )
        f = columns[b]
        bench = sector_benchmarks(sectors[b], f[1], percentile[b])
        for i in range(n):
            activity = f[0, i] * rounds[b] if year == 0 else f[2, i]
            wanted[i] = bench[i] * activity
        total = pairwise_sum(wanted)
        correction = min(1.0, to_firms / total) if total > 0 else 0.0
        for i in range(n):
            free[b, i] = math.floor(wanted[i] * correction + 1e-9)
        auctioned[b] = int(to_firms - pairwise_sum(free[b]))
    return free, auctioned, green
