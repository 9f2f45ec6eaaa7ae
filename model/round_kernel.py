"""A trading round as one compiled kernel call: the phases between allocation and settlement.

:func:`play_round` plays, for one market, the phases of ``CarbonMarket.step`` that come
between the year's allocation and its settlement, in the model's order: orders expire,
technology moves on, the firms decide and produce, research and buy green projects, post
their quotes in random order, and the round's trades update the price expectation. Each
group of firms decides through its behaviour's kernel (:data:`BEHAVIOUR_CODES`), the
market applies every decision through the market core's kernels, and all of it runs without
Python, so a round costs microseconds.

A market whose firms all hold a compiled behaviour (the heuristics, and learned firms, whose
actions for the round Python writes into ``groups``' action array before the call) plays its
rounds here; one with a behaviour written in Python (a person's firm, any subclass) plays the
same phases one by one from Python (``CarbonMarket.step``); a test holds the two to the same
trajectory.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from agents import behaviour_kernels as behaviours
from agents.learned_kernels import OFFSET as OFFSET_ACTION
from agents.learned_kernels import RESEARCH as RESEARCH_ACTION
from agents.learned_kernels import correct_choices, correct_output, learned_quotes
from agents.valuation_kernels import Sight, update_expectation
from market import book_kernels as book
from market import book_matching
from market import firm_kernels as firms_
from market import tallies as tally_
from market.accounts import ALLOWANCES, COINS, ESCROW_ALLOWANCES
from market.enterprises import FLOAT_ROW, INT_COLUMNS
from market.lanes import RoundScratch
from market.numerics import pairwise_sum
from model.records import record_round

#: Behaviours that decide in compiled code, by their registry name.
BEHAVIOUR_CODES = {"zi-c": 0, "zi-u": 1, "truthful": 2, "rule-based": 3, "learned": 4}
ZI_C, ZI_U, TRUTHFUL, RULE_BASED, LEARNED = 0, 1, 2, 3, 4

#: The market's rules as the kernel reads them: entries of ``params`` (float64).
PARAMS = (
    "output_price",
    "penalty",
    "research_success",
    "research_effect",
    "min_emission_rate",
    "green_project_cost",
    "forget_after",
    "research_delay",
    "production",
    "research",
    "steps_per_year",
    "years",
    "climate_coefficient",
)
(OUTPUT_PRICE, PENALTY, SUCCESS, EFFECT, MIN_RATE, GREEN_COST, FORGET_AFTER, DELAY, PRODUCTION,
 RESEARCH, STEPS_PER_YEAR, YEARS, CLIMATE) = range(len(PARAMS))  # fmt: skip


CAPACITY, ABILITY, ATTEMPT_COST, INITIAL_RATE, RATE = (
    FLOAT_ROW["capacity"],
    FLOAT_ROW["research_ability"],
    FLOAT_ROW["research_attempt_cost"],
    FLOAT_ROW["initial_emission_rate"],
    FLOAT_ROW["emission_rate"],
)
BASELINE, ABATEMENT, OUTPUT, YTD_OUTPUT, YTD_EMISSIONS, OWED = (
    FLOAT_ROW["baseline_emissions"],
    FLOAT_ROW["abatement_cost"],
    FLOAT_ROW["output"],
    FLOAT_ROW["ytd_output"],
    FLOAT_ROW["ytd_emissions"],
    FLOAT_ROW["owed"],
)
RATE_KEPT = FLOAT_ROW["research_rate_kept"]
KNOWLEDGE, LAST_RESEARCH = INT_COLUMNS.index("knowledge"), INT_COLUMNS.index("last_research_round")


def params_of(config) -> np.ndarray:
    """The ``params`` array of a market's rules (``market.config.MarketConfig``)."""
    return np.array([float(getattr(config, name)) for name in PARAMS])


@njit(cache=True, error_model="numpy")
def _sight(b, floats, acc, firm_info, meta, params, rounds_left, rounds_left_episode, expected):
    """What lane ``b``'s rules see now (:class:`agents.valuation_kernels.Sight`)."""
    f = floats[b]
    return Sight(
        f[CAPACITY],
        f[RATE],
        f[YTD_EMISSIONS],
        f[OWED],
        f[OUTPUT],
        f[BASELINE],
        f[ABATEMENT],
        acc[b, COINS],
        acc[b, ALLOWANCES],
        acc[b, ESCROW_ALLOWANCES],
        firm_info[b, :, book.OPEN_BID],
        f[RATE_KEPT],
        f[ATTEMPT_COST],
        params[PRODUCTION] != 0.0,
        params[OUTPUT_PRICE],
        params[PENALTY],
        rounds_left,
        expected,
        meta[b, book.FLOOR],
        meta[b, book.CEILING],
        meta[b, book.BEST_ASK],
        rounds_left_episode,
        params[SUCCESS],
        params[EFFECT],
        params[MIN_RATE],
        params[GREEN_COST],
    )


@njit(cache=True, error_model="numpy")
def _work(blocks):
    """The round's work arrays (:class:`market.lanes.RoundScratch`) as rows of their blocks."""
    fl, flags, ints, slot = blocks
    return RoundScratch(fl[0], fl[1], fl[2], fl[3], fl[4], fl[5], flags[0], flags[1], flags[2],
                        flags[3], ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], ints[6],
                        ints[7], ints[8], ints[9], ints[10], slot[0], slot[1])  # fmt: skip


#: The sight and the work arrays compiled apart for kernels with reference counting. The
#: round kernels compile :func:`_sight` and :func:`_work` without it (``_nrt=False``); a kernel
#: with it that called those compilations would release views it never held, and free the
#: lanes' arrays under the batch.
counted_sight = njit(error_model="numpy")(_sight.py_func)
counted_work = njit(error_model="numpy")(_work.py_func)


@njit(cache=True, error_model="numpy", _nrt=False)
def play_round(b, groups, firm_arrays, acc, book_arrays, rng_state, params, tally, blocks,
               round_):  # fmt: skip
    """Play lane ``b``'s round ``round_`` from expiry to the price expectation.

    The market's arrays come first and the round last, so a market passes the same tuple of
    arrays every round (``CarbonMarket.play_compiled``).

    Args:
        b: the market's lane in the batch arrays.
        groups: the behaviour groups, ``(codes, members, sizes, quantities, actions)``: each
            group's code (:data:`BEHAVIOUR_CODES`), its firms ``members[g, :sizes[g]]``, its
            largest order, and the learned firms' actions for the round by firm, shape
            ``(n_firms, agents.learned_kernels.ACTION_SIZE)`` (clipped; other rows unread).
        firm_arrays: ``(floats, ints, maturing, green)`` of ``market.enterprises.FirmArrays``.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        book_arrays: ``(slots, levels, firm_slots, firm_info, free, meta, trades)`` of
            ``market.book_arrays.BookArrays``; ``trades`` must have room for a round's.
        rng_state: lane ``b``'s random generator (``market.random_kernels``).
        params: the market's rules (:data:`PARAMS`).
        tally: lane ``b``'s tallies (:mod:`market.tallies`), changed in place: the price
            expectation and the green projects on offer it starts from, the trades already
            counted in a round's price (later ones, such as a person's between rounds, count
            in this one's), the running totals, and the round's price, volume and emissions.
        blocks: the blocks of the round's work arrays (``market.lanes.work_blocks``); the
            round makes no array of its own.
        round_: the round, from 0.
    """
    codes, members, sizes, quantities, actions = groups
    floats, ints, maturing, green = firm_arrays
    slots, levels, firm_slots, firm_info, free, meta, trades = book_arrays
    work = _work(blocks)
    book.expire(b, round_, slots, levels, firm_slots, firm_info, free, meta, acc, work.due,
                work.keys)  # fmt: skip
    f, i = floats[b], ints[b]
    learned = firms_.learn_and_forget(round_, i[KNOWLEDGE], maturing[b], i[LAST_RESEARCH],
                                      params[FORGET_AFTER])  # fmt: skip
    if learned or green[b] != tally[tally_.RATED_GREEN]:  # else the rates stand as they are
        firms_.emission_rates(i[KNOWLEDGE], f[CAPACITY], f[ABILITY], f[INITIAL_RATE], f[RATE],
                              green[b], params[EFFECT], params[MIN_RATE], work.terms)  # fmt: skip
        tally[tally_.RATED_GREEN] = green[b]
    steps_per_year = np.int64(params[STEPS_PER_YEAR])
    rounds_left = steps_per_year - 1 - round_ % steps_per_year
    rounds_left_episode = steps_per_year * np.int64(params[YEARS]) - (round_ + 1)
    expected = tally[tally_.EXPECTED]
    sight = _sight(b, floats, acc, firm_info, meta, params, rounds_left, rounds_left_episode,
                   expected)  # fmt: skip
    groups = codes.size
    revenue, round_emissions = 0.0, 0.0
    if params[PRODUCTION] != 0.0:
        before = pairwise_sum(f[YTD_EMISSIONS])
        for g in range(groups):
            behaviours.production(sight, members[g, : sizes[g]], work)
            if codes[g] == LEARNED:
                correct_output(sight, members[g, : sizes[g]], actions, work)
        revenue = firms_.produce(work.output, f[CAPACITY], f[OUTPUT], acc[b, COINS],
                                 f[YTD_OUTPUT], f[YTD_EMISSIONS], f[RATE], params[OUTPUT_PRICE],
                                 work.terms)  # fmt: skip
        round_emissions = pairwise_sum(f[YTD_EMISSIONS]) - before
    spent = 0.0
    if params[RESEARCH] != 0.0:
        for g in range(groups):
            behaviours.research(sight, members[g, : sizes[g]], work)
            if codes[g] == LEARNED:
                correct_choices(members[g, : sizes[g]], actions, RESEARCH_ACTION, work)
        spent = firms_.research(work.chosen, round_, rng_state, f[ATTEMPT_COST], acc[b, COINS],
                                i[LAST_RESEARCH], maturing[b], params[SUCCESS],
                                np.int64(params[DELAY]), work.firms, work.terms)  # fmt: skip
    completed = 0
    green_available = np.int64(tally[tally_.GREEN_AVAILABLE])
    if green_available > 0:
        for g in range(groups):
            behaviours.offsets(sight, members[g, : sizes[g]], work)
            if codes[g] == LEARNED:
                correct_choices(members[g, : sizes[g]], actions, OFFSET_ACTION, work)
        completed = firms_.buy_offsets(work.chosen, green_available, rng_state, acc[b, COINS],
                                       acc[b, ALLOWANCES], params[GREEN_COST],
                                       work.firms)  # fmt: skip
        green[b] += completed
    quoted = _quotes(sight, codes, members, sizes, quantities, actions, rng_state, work)
    refused = book_matching.submit_all(b, rng_state, work.quote_firm[:quoted],
                                       work.quote_side[:quoted], work.quote_price[:quoted],
                                       work.quote_quantity[:quoted], round_, slots, levels,
                                       firm_slots, firm_info, free, meta, trades, acc,
                                       work.order)  # fmt: skip
    volume, value = 0.0, 0.0
    for t in range(np.int64(tally[tally_.TRADES_SEEN]), meta[b, book.N_TRADES]):
        volume += trades[b, t, book.T_QTY]
        value += trades[b, t, book.T_PRICE] * float(trades[b, t, book.T_QTY])
    round_price = value / volume if volume > 0 else math.nan
    tally[tally_.EXPECTED] = update_expectation(
        expected, round_price, meta[b, book.BEST_BID], meta[b, book.BEST_ASK],
        meta[b, book.FLOOR], meta[b, book.CEILING])  # fmt: skip
    tally[tally_.REVENUE] += revenue
    tally[tally_.RESEARCH_SPENT] += spent
    tally[tally_.GREEN_AVAILABLE] -= completed
    tally[tally_.ISSUED] += completed
    tally[tally_.REFUSED] += refused
    tally[tally_.ROUND_EMISSIONS] = round_emissions
    tally[tally_.ROUND_PRICE] = round_price
    tally[tally_.ROUND_VOLUME] = volume
    tally[tally_.YEAR_VALUE] += value
    tally[tally_.YEAR_VOLUME] += volume
    tally[tally_.TRADES_SEEN] = meta[b, book.N_TRADES]


@njit(cache=True, error_model="numpy", _nrt=False)
def play_recorded_round(b, groups, firm_arrays, acc, book_arrays, rng_state, params, tally,
                        blocks, measures, firm_numbers, round_, row, firm_row, year):  # fmt: skip
    """:func:`play_round`, then :func:`model.records.record_round` of it, in one call.

    A round that ends no year, in a market that measures no textbook efficiency, needs
    nothing from Python between its play and its records, so ``CarbonMarket.step`` pays for
    one compiled call instead of two.

    Args:
        b: the market's lane in the batch arrays.
        groups: the behaviour groups, as :func:`play_round` takes them.
        firm_arrays: ``(floats, ints, maturing, green)`` of ``market.enterprises.FirmArrays``.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        book_arrays: the books' arrays, as :func:`play_round` takes them.
        rng_state: lane ``b``'s random generator (``market.random_kernels``).
        params: the market's rules (:data:`PARAMS`).
        tally: lane ``b``'s tallies (:mod:`market.tallies`), changed in place.
        blocks: the blocks of the round's work arrays (``market.lanes.work_blocks``).
        measures: the records' measures (``model.records.RoundRecords``).
        firm_numbers: the records' firm numbers (``model.records.RoundRecords``).
        round_: the round, from 0.
        row: the measures' row in ``measures``.
        firm_row: the firms' entry in ``firm_numbers`` (negative: none this round).
        year: the compliance year (from 0).
    """
    play_round(b, groups, firm_arrays, acc, book_arrays, rng_state, params, tally, blocks,
               round_)  # fmt: skip
    floats, ints, _, green = firm_arrays
    firm_info, meta = book_arrays[3], book_arrays[5]
    record_round(b, row, firm_row, round_ + 1, year, tally, math.nan, params[CLIMATE], floats,
                 ints, acc, firm_info, meta, green, measures, firm_numbers)  # fmt: skip


@njit(cache=True, error_model="numpy")
def _quotes(sight, codes, members, sizes, quantities, actions, rng_state, work):
    """Every group's active quotes in group order, into ``work.quote_*``; return how many."""
    k = 0
    for g in range(codes.size):
        chosen = members[g, : sizes[g]]
        code = codes[g]
        if code == ZI_C:
            behaviours.zi_c(sight, chosen, rng_state, work)
        elif code == ZI_U:
            behaviours.zi_u(sight, chosen, rng_state, work)
        elif code == TRUTHFUL:
            behaviours.truthful(sight, chosen, rng_state, work)
        elif code == LEARNED:
            learned_quotes(sight, chosen, actions, work)
        else:
            behaviours.rule_based(sight, chosen, quantities[g], work)
        for j in range(chosen.size):
            firm = chosen[j]
            if work.active[firm]:
                work.quote_firm[k] = firm
                work.quote_side[k] = work.side[firm]
                work.quote_price[k] = work.price[firm]
                work.quote_quantity[k] = work.quantity[firm]
                k += 1
    return k


@njit(cache=True, error_model="numpy", _nrt=False)
def play_rounds(first, n_rounds, groups, firm_arrays, acc, book_arrays, rng, params, tallies,
                blocks):  # fmt: skip
    """Play rounds ``first .. first + n_rounds - 1`` of every lane of a batch (a year's rounds).

    Every lane plays :func:`play_round` for each round in turn, its tallies changed in place.

    Args:
        first: the first round to play (every lane is at the same round).
        n_rounds: rounds to play.
        groups: ``(codes, members, sizes, quantities, actions)``, each with the lane first.
        firm_arrays: ``(floats, ints, maturing, green)`` of the batch.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        book_arrays: the books (``market.book_arrays.BookArrays``), room for every trade.
        rng: each lane's generator state, ``(lanes, 6)``.
        params: each lane's rules, ``(lanes, len(PARAMS))``.
        tallies: each lane's tallies, ``(lanes, len(TALLIES))`` (:mod:`market.tallies`).
        blocks: the blocks of the round's work arrays (``market.lanes.work_blocks``), shared
            by the lanes.
    """
    codes, members, sizes, quantities, actions = groups
    for b in range(tallies.shape[0]):
        lane_groups = (codes[b], members[b], sizes[b], quantities[b], actions[b])
        for round_ in range(first, first + n_rounds):
            play_round(b, lane_groups, firm_arrays, acc, book_arrays, rng[b], params[b],
                       tallies[b], blocks, round_)  # fmt: skip
