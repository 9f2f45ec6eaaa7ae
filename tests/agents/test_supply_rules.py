"""The supply rules of real systems: the MSR against the EU's published intakes, the price
collar and the price target against hand-computed years."""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.supply_rules import (
    EU_CAP_2021,
    MarketStabilityReserve,
    PriceCollar,
    PriceTarget,
    ReserveRule,
)
from market.config import GovernmentConfig
from model import CarbonMarket
from tests.agents.stub_view import stub_view

# The EU's published TNACs and MSR intakes (reference/domain.md, "MSR test vectors").
EU_INTAKES = [
    (1_654_909_824, 397_178_358),  # 2018: 24% of the TNAC
    (1_134_794_738, 272_350_737),  # 2022: 24% of the TNAC
    (1_023_494_202, 190_494_202),  # 2025: TNAC - 833 M, the buffer band
]


@pytest.mark.parametrize(("tnac", "intake"), EU_INTAKES)
def test_the_reserve_rule_takes_in_what_the_eu_published(tnac: int, intake: int) -> None:
    assert round(ReserveRule().intake(tnac)) == intake


def test_the_reserve_rule_takes_nothing_in_at_or_below_the_upper_threshold() -> None:
    rule = ReserveRule()
    assert rule.intake(833_000_000) == 0 and rule.intake(500_000_000) == 0
    assert rule.intake(1_096_000_000) == 263_000_000  # the band's top: TNAC - 833 M


def test_the_reserve_releases_below_the_lower_threshold_what_it_holds() -> None:
    rule = ReserveRule()
    assert rule.outflow(399_999_999, reserve=5e8) == 100_000_000
    assert rule.outflow(399_999_999, reserve=3e7) == 3e7
    assert rule.outflow(400_000_000, reserve=5e8) == 0


@pytest.mark.parametrize(("tnac", "intake"), EU_INTAKES)
def test_a_scaled_rule_takes_in_the_scaled_intake(tnac: int, intake: int) -> None:
    factor = 20.0 / EU_CAP_2021  # the paper: 200 allowances over 10 years
    assert ReserveRule().scaled(factor).intake(tnac * factor) == pytest.approx(intake * factor)


def msr_year(policy: MarketStabilityReserve, tnac: float, year: int) -> float:
    """The MSR's release (allowances) in ``year`` of a 200-allowance, 10-year budget."""
    view = stub_view(4, allowances=tnac / 4)
    view.year = year
    return policy.release_share(view) * view.budget


def test_the_msr_withholds_a_surplus_and_releases_it_when_the_market_runs_short() -> None:
    policy = MarketStabilityReserve(GovernmentConfig(policy="msr"))
    flat, scale = 20.0, 20.0 / EU_CAP_2021
    upper, top = 833e6 * scale, 1096e6 * scale  # 10.6 and 13.9 allowances
    assert msr_year(policy, 5.0, 0) == pytest.approx(flat)  # between the thresholds
    assert msr_year(policy, 12.0, 1) == pytest.approx(flat - (12.0 - upper))  # the band
    assert msr_year(policy, 16.0, 2) == pytest.approx(flat - 0.24 * 16.0)  # above it
    held = (12.0 - upper) + 0.24 * 16.0
    assert policy.reserve == pytest.approx(held)
    assert msr_year(policy, 1.0, 3) == pytest.approx(flat + min(held, 100e6 * scale))
    assert top > 12.0


def test_without_banking_the_msr_is_the_flat_auction() -> None:
    """No allowance survives settlement, so the TNAC is 0 and nothing is ever withheld."""
    years = {}
    for policy in ("msr", "auction"):
        market = CarbonMarket("paper", seed=3, policy=policy)
        while market.running:
            market.step()
        years[policy] = [(r["release"], r["price"]) for r in market.year_records]
    np.testing.assert_array_equal(years["msr"], years["auction"])  # nan: a year with no trade


def collar_view(price: float | None, year: int = 1):
    view = stub_view(4)
    view.year = year
    view.year_records = [] if price is None else [{"price": price}]
    return view


def test_the_price_collar_releases_its_reserve_after_a_year_at_the_trigger() -> None:
    policy = PriceCollar(GovernmentConfig(policy="price-collar"))
    base = 0.9 / 10  # the schedule without the 10% reserve
    assert policy.release_share(collar_view(None, 0)) == pytest.approx(base)
    assert policy.release_share(collar_view(12.9)) == pytest.approx(base)  # trigger: 13
    assert policy.release_share(collar_view(13.0)) == pytest.approx(base + 0.1 / 10)
    assert policy.reserve == pytest.approx(0.1 * 200 - 2.0)
    assert policy.release_share(collar_view(math.nan)) == pytest.approx(base)


def test_the_price_collars_reserve_runs_out() -> None:
    policy = PriceCollar(GovernmentConfig(policy="price-collar", ccr_share=0.02))
    shares = [policy.release_share(collar_view(20.0)) for _ in range(12)]
    extra = np.array(shares) - 0.98 / 10
    assert extra.sum() * 200 == pytest.approx(0.02 * 200)
    assert extra[-1] == 0


def test_the_price_collar_floors_the_year_at_the_reserve_price() -> None:
    policy = PriceCollar(GovernmentConfig(policy="price-collar", reserve_price_share=0.25))
    allocation = policy.allocate(collar_view(None, 0))
    assert allocation.price_floor == 5  # a quarter of the ceiling of 20
    assert allocation.auctioned == int(0.9 * 20 - 1) and allocation.free.sum() == 0
    assert allocation.green_projects == 1  # 10% of the 18 released


@pytest.mark.parametrize(
    ("price", "expected"),
    [(None, 1.0), (10.0, 1.0), (15.0, 1.25), (5.0, 0.75), (math.nan, 1.0), (-30.0, 0.0)],
)
def test_the_price_target_moves_the_release_with_last_years_price(price, expected) -> None:
    policy = PriceTarget(GovernmentConfig(policy="price-target", target_gain=0.5))
    view = collar_view(price, 0 if price is None else 1)
    assert policy.release_share(view) == pytest.approx(0.1 * expected)


def test_supply_split_gives_the_release_free_by_a_textbook_rule() -> None:
    policy = PriceTarget(GovernmentConfig(policy="price-target", supply_split="size"))
    view = stub_view(4, capacity=[1.0, 1.0, 2.0, 4.0])
    allocation = policy.allocate(view)
    assert allocation.auctioned == 0
    assert allocation.free.tolist() == [2.0, 2.0, 4.0, 9.0]  # 18 by capacity, floored
