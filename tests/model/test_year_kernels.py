"""A batch's year end in one call settles every lane as its market settles alone."""

from __future__ import annotations

import numpy as np
import pytest

from market.enterprises import ComplianceResult
from model.batch import MarketBatch
from model.year_kernels import settle_lanes


def mid_year(scenario: str, **overrides) -> MarketBatch:
    """A batch whose lanes have played a year's rounds (orders open, emissions owed)."""
    batch = MarketBatch(scenario, [3, 1, 4, 1, 5], **overrides)
    for market in batch.markets:
        for _ in range(market.config.steps_per_year - 1):
            market.step()
    return batch


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [("paper", {}), ("paper", {"banking": True, "make_good": True}), ("classroom", {})],
)
def test_settle_lanes_is_every_market_clearing_and_settling_alone(scenario, overrides) -> None:
    together, alone = mid_year(scenario, **overrides), mid_year(scenario, **overrides)
    block = together.blocks[0]
    assert block.arrays.accounts[:, 2:].any()  # open orders hold escrow the clear refunds
    settled = settle_lanes(
        *block.arrays.book.core, block.arrays.accounts, block.arrays.firms.floats,
        *block._settle_rules,
    )  # fmt: skip
    for b, market in enumerate(alone.markets):
        market.book.clear()
        result = market.enterprises.settle_compliance()
        assert ComplianceResult(*settled[b].tolist()) == result
    np.testing.assert_array_equal(block.arrays.accounts, alone.blocks[0].arrays.accounts)
    np.testing.assert_array_equal(block.arrays.firms.floats, alone.blocks[0].arrays.firms.floats)
    np.testing.assert_array_equal(block.arrays.book.meta, alone.blocks[0].arrays.book.meta)
