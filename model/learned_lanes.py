"""A batch's learned firms: each lane's observations after a round and its policy's actions.

A learned firm decides in the round kernel (``agents.learned_kernels``) from actions its
policy chose when it observed the market at the end of the round before (and once before the
first round), as ``CarbonMarket.step`` has it observe after each round's records, a year's
settlement included. :class:`LearnedLanes` does the same for every lane of a block holding
learned firms: :func:`observe_lane` writes a lane's observations from its arrays (the
kernel a market's learned behaviour calls, over the lane's sight), its policy gives their
actions, and they go, clipped, into the rows the round kernel reads.

Each lane's policy is evaluated for that lane alone. One call for every lane would be
faster, but a matrix product's last bits depend on how many rows it multiplies, so a lane
would then act a little differently from its market alone; evaluated per lane it acts
exactly as alone (``tests/model/test_learned_lanes.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.learned_firm import clip_actions, correction_counts
from agents.learned_kernels import (
    ACTION_SIZE,
    ASK_VOLUME,
    BEST_BID,
    BID_VOLUME,
    COIN_SCALE,
    DEPTH_LEVELS,
    LAST_PRICE,
    MAX_ORDERS,
    N_FEATURES,
    QUANTITY_SCALE,
    RESEARCHES,
    STEPS_PER_YEAR,
    YEARS_GONE,
    observe,
)
from market import book_kernels as book
from market import tallies as tally_
from market.accounts import ESCROW_COINS
from market.lanes import MarketArrays
from model import round_kernel as rk
from model.lane_start import LaneStart


@njit(cache=True, error_model="numpy")
def observe_lane(b, firms, steps, scales, floats, acc, book_arrays, params, tally, blocks, out):
    """Lane ``b``'s learned firms' observations after ``steps`` rounds, into ``out`` (k, 22).

    Args:
        b: the lane.
        firms: its learned firms, shape ``(k,)``.
        steps: rounds played (0 before the first).
        scales: the lane's quantity and coin scales, then its order limit, shape ``(3,)``.
        floats: the firms' float columns of every lane.
        acc: the accounts blocks, ``(lanes, 4, n_firms)``.
        book_arrays: the books, as the round kernel takes them.
        params: the lane's rules (``model.round_kernel.PARAMS``).
        tally: the lane's tallies.
        blocks: the round's work arrays (``market.lanes.work_blocks``); no round is playing.
        out: float32 rows to write.
    """
    _, levels, _, firm_info, _, meta, _ = book_arrays
    steps_per_year = np.int64(params[rk.STEPS_PER_YEAR])
    years = np.int64(params[rk.YEARS])
    played = steps - 1 if steps > 0 else 0  # the round just played; the first before any
    round_in_year = played % steps_per_year if steps > 0 else 0
    year = played // steps_per_year
    rounds_left = steps_per_year - 1 - round_in_year
    rounds_left_episode = steps_per_year * years - steps
    sight = rk.counted_sight(b, floats, acc, firm_info, meta, params, rounds_left,
                             rounds_left_episode, tally[tally_.EXPECTED])  # fmt: skip
    top = np.empty(4, dtype=np.int64)
    top[BEST_BID] = meta[b, book.BEST_BID]
    top[LAST_PRICE] = meta[b, book.LAST_PRICE]
    top[BID_VOLUME] = book.top_volume(b, book.BID, DEPTH_LEVELS, levels, meta)
    top[ASK_VOLUME] = book.top_volume(b, book.ASK, DEPTH_LEVELS, levels, meta)
    seen = np.empty(6)
    seen[QUANTITY_SCALE], seen[COIN_SCALE], seen[MAX_ORDERS] = scales[0], scales[1], scales[2]
    seen[STEPS_PER_YEAR] = steps_per_year
    seen[YEARS_GONE] = year / years
    seen[RESEARCHES] = params[rk.RESEARCH]
    observe(sight, firms, acc[b, ESCROW_COINS], firm_info[b, :, book.COUNT], top, seen,
            rk.counted_work(blocks), out)  # fmt: skip


@njit(cache=True, error_model="numpy")
def observe_lanes(lanes, firms, starts, steps, scales, floats, acc, book_arrays, params, tallies,
                  blocks, out):  # fmt: skip
    """:func:`observe_lane` for every learned lane, into the rows of ``out``.

    Lane ``lanes[k]``'s learned firms are ``firms[starts[k]:starts[k + 1]]``, its rows of
    ``out`` the same, its scales ``scales[k]``.
    """
    for k in range(lanes.size):
        b, rows = lanes[k], slice(starts[k], starts[k + 1])
        observe_lane(b, firms[rows], steps, scales[k], floats, acc, book_arrays, params[b],
                     tallies[b], blocks, out[rows])  # fmt: skip


class LearnedLanes:
    """The lanes of a block holding learned firms, and the actions the round kernel reads.

    Args:
        starts: every lane of the block's start.
        actions: the block's action rows, ``(lanes, n_firms, ACTION_SIZE)``
            (``model.behaviour_groups.lane_groups``), written here.

    Attributes:
        counts: per lane, the firm-rounds each action corrected the rule, then those decided
            (``agents.learned_firm.correction_counts``), shape ``(lanes, ACTION_SIZE + 1)``.
    """

    def __init__(self, starts: list[LaneStart], actions: np.ndarray) -> None:
        self.actions = actions
        self.counts = np.zeros((len(starts), ACTION_SIZE + 1), dtype=np.int64)
        lanes, firms, scales, self._networks = [], [], [], []
        for b, start in enumerate(starts):
            if start.network is None:
                continue
            codes, members, sizes, _, _ = start.groups
            g = int(np.flatnonzero(codes == rk.LEARNED)[0])
            lanes.append(b)
            firms.append(members[g, : sizes[g]])
            scales.append([*start.scales, start.config.max_orders])
            self._networks.append(start.network)
        self.lanes = np.array(lanes, dtype=np.int64)
        sizes = [len(f) for f in firms]
        self._starts = np.cumsum([0, *sizes]).astype(np.int64)
        self._firms = np.concatenate(firms).astype(np.int64) if firms else np.zeros(0, np.int64)
        self._lane_of_row = np.repeat(self.lanes, sizes)
        self._scales = np.array(scales, dtype=float).reshape(len(lanes), 3)
        self._observations = np.empty((len(self._firms), N_FEATURES), dtype=np.float32)
        self._actions = np.empty((len(self._firms), ACTION_SIZE))

    def __bool__(self) -> bool:
        return bool(self.lanes.size)

    def act(self, arrays: MarketArrays, params: np.ndarray, steps: int, running: bool) -> None:
        """Every learned lane's actions for the next round, from the lane after ``steps`` rounds.

        Args:
            arrays: the block's arrays.
            params: every lane's rules, ``(lanes, len(PARAMS))``.
            steps: rounds played so far.
            running: whether the episode goes on (decisions are counted only then).
        """
        observed, chosen, starts = self._observations, self._actions, self._starts
        observe_lanes(self.lanes, self._firms, starts, steps, self._scales, arrays.firms.floats,
                      arrays.accounts, arrays.book.as_tuple(), params, arrays.tallies,
                      arrays.scratch, observed)  # fmt: skip
        for network, first, end in zip(self._networks, starts[:-1], starts[1:], strict=True):
            chosen[first:end] = network.act(observed[first:end])  # each lane as alone
        clipped = clip_actions(chosen, len(chosen))
        self.actions[self._lane_of_row, self._firms] = clipped
        if running:
            self.counts[self.lanes] += correction_counts(clipped, starts[:-1])
