"""A batch's yearly allocation for the lanes under ``eu-benchmark`` (sector benchmarks).

``eu-benchmark`` (``agents.policies.EUBenchmark``) releases a linearly falling cap, gives
each firm its sector's benchmark emission rate times its activity free and auctions the
rest. A batch decides all such lanes' allocations in one call a year
(:func:`agents.allocation_kernels.benchmark_allocations`, the kernel the policy calls for
one market), each lane's firms' sectors kept as codes from its start
(``model.lane_start.LaneStart.sectors``); the block applies them as arrays, the call
auction included (``model.lane_allocations``).
"""

from __future__ import annotations

import numpy as np

from agents import allocation_kernels
from agents.policies import EUBenchmark
from market.enterprises import FLOAT_ROW
from market.lanes import MarketArrays
from market.tallies import REMAINING
from model.lane_allocations import LaneYear
from model.lane_start import LaneStart


class BenchmarkLanes:
    """The lanes of a block whose policy is ``eu-benchmark``.

    Args:
        lanes: the lanes' indices in the block.
        starts: every lane of the block's start (``model.lane_start.LaneStart``).
        n_firms: the firms in each lane.
    """

    def __init__(self, lanes: list[int], starts: list[LaneStart], n_firms: int) -> None:
        self.lanes = np.array(lanes, dtype=np.int64)
        chosen = [starts[b] for b in lanes]
        gov = [s.policy.config for s in chosen]
        self.years = starts[0].config.years
        self.reduction = np.array([g.linear_reduction_factor for g in gov], dtype=float)
        self.percentile = np.array([g.benchmark_percentile for g in gov], dtype=float)
        self.rounds = np.array([s.config.steps_per_year for s in chosen], dtype=np.int64)
        self.budget = np.array([float(s.budget) for s in chosen])
        self.max_release = np.array([s.config.max_release_share for s in chosen], dtype=float)
        self.green_share = np.array([s.config.green_share for s in chosen], dtype=float)
        self.auction_share = np.array([g.auction_share for g in gov], dtype=float)
        self.sectors = np.array([s.sectors for s in chosen], dtype=np.int64).reshape(
            len(lanes), n_firms
        )
        self.names = np.array([s.policy.name for s in chosen], dtype=object)
        self.recycle = np.array([g.recycling == "lump-sum" for g in gov], dtype=np.bool_)
        self.columns = [FLOAT_ROW[name] for name in allocation_kernels.BENCHMARK_COLUMNS]

    @classmethod
    def of(cls, starts: list[LaneStart], n_firms: int) -> BenchmarkLanes:
        """The lanes whose policy is ``eu-benchmark``."""
        lanes = [b for b, s in enumerate(starts) if isinstance(s.policy, EUBenchmark)]
        return cls(lanes, starts, n_firms)

    def allocate(self, year: int, arrays: MarketArrays) -> LaneYear:
        """This year's allocation of every ``eu-benchmark`` lane, the auctioned share moved."""
        lanes = self.lanes
        free, auctioned, green = allocation_kernels.benchmark_allocations(
            year,
            self.years,
            self.reduction,
            self.percentile,
            self.rounds,
            self.budget,
            arrays.tallies[lanes, REMAINING],
            self.max_release,
            self.green_share,
            self.sectors,
            arrays.firms.floats[lanes][:, self.columns],
        )
        allocation_kernels.move_to_auction(free, auctioned, self.auction_share)
        floors = np.full(lanes.size, -1, dtype=np.int64)
        return LaneYear(lanes, self.names, free, auctioned, green, floors, self.recycle)
