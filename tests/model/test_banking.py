"""Banking: unused allowances carry into the next year, alone and in a batch, or expire.

The holdings ledger of every year: holdings after settlement = last year's + the allowances
issued in the year (free, sold, green projects) - those surrendered - those expired. With
banking nothing expires and the surplus is held on into the next year; without banking every
unused allowance expires at the year's end.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CarbonMarket
from model.batch import MarketBatch

#: A generous paper market (400 allowances a year for five firms), so a surplus is left.
GENEROUS = {"years": 3, "budget": 2000.0, "max_release_share": 0.5, "policy": "flat-benchmarking"}


def year_end(market: CarbonMarket) -> tuple[float, float]:
    """Allowances held by all firms and issued so far, at a year's end."""
    return float(market.accounts.total_allowances().sum()), market.allowances_issued


def year_ends_alone(banking: bool, seed: int) -> tuple[CarbonMarket, list[tuple[float, float]]]:
    market = CarbonMarket("paper", seed=seed, banking=banking, **GENEROUS)
    ends = []
    while market.running:
        for _ in range(market.config.steps_per_year):
            market.step()
        ends.append(year_end(market))
    return market, ends


def assert_the_ledger_balances(market: CarbonMarket, ends: list[tuple[float, float]]) -> None:
    held_before, issued_before = 0.0, 0.0
    for record, (held, issued) in zip(market.compliance_by_year, ends, strict=True):
        balance = held_before + (issued - issued_before) - record.surrendered - record.expired
        assert held == pytest.approx(balance, rel=1e-12, abs=1e-9)  # sums of fractional tonnes
        held_before, issued_before = held, issued


@pytest.mark.parametrize("banking", [True, False])
def test_unused_allowances_carry_over_only_with_banking(banking: bool) -> None:
    market, ends = year_ends_alone(banking, seed=3)
    assert_the_ledger_balances(market, ends)
    expired = [r.expired for r in market.compliance_by_year]
    held = [h for h, _ in ends]
    if banking:
        assert expired == [0.0, 0.0, 0.0]
        assert min(held) > 0  # every year's surplus is still held when the next year opens
    else:
        assert held == [0.0, 0.0, 0.0]
        assert min(expired) > 0


def test_a_batch_banks_as_the_market_alone() -> None:
    seeds = [3, 1, 4]
    batch = MarketBatch("paper", seeds, banking=True, **GENEROUS)
    ends = []
    while batch.running:
        batch.play_year()
        ends.append([year_end(m) for m in batch.markets])
    for lane, (market, seed) in enumerate(zip(batch.markets, seeds, strict=True)):
        alone, ends_alone = year_ends_alone(True, seed)
        lane_ends = [year[lane] for year in ends]
        assert lane_ends == ends_alone
        assert_the_ledger_balances(market, lane_ends)
        assert min(h for h, _ in lane_ends) > 0
        assert [r.expired for r in market.compliance_by_year] == [0.0, 0.0, 0.0]
        np.testing.assert_array_equal(market.accounts.block, alone.accounts.block)
