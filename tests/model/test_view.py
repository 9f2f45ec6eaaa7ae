"""The view agents decide from: read-only, always current, and the market's only face to them."""

import numpy as np
import pytest

from agents.view import AccountsView, BookView, FirmsView, MarketView
from model import CarbonMarket
from model.view import AccountsReader, BookReader, FirmsReader, MarketReader


def played(rounds=12, **overrides):
    market = CarbonMarket("paper", seed=2, **overrides)
    for _ in range(rounds):
        market.step()
    return market


@pytest.mark.parametrize(
    "write",
    [
        lambda view: view.accounts.coins.__setitem__(0, 1e9),
        lambda view: view.accounts.allowances.__iadd__(1.0),
        lambda view: view.enterprises.emission_rate.__setitem__(slice(None), 0.0),
        lambda view: view.enterprises.ytd_emissions.fill(0.0),
        lambda view: view.scenario_allocation.__setitem__(0, 5.0),
    ],
)
def test_writing_through_the_view_is_refused(write):
    market = played()
    before = market.accounts.coins.copy(), market.enterprises.emission_rate.copy()
    with pytest.raises(ValueError, match="read-only"):
        write(market.view)
    np.testing.assert_array_equal(market.accounts.coins, before[0])
    np.testing.assert_array_equal(market.enterprises.emission_rate, before[1])


def test_the_view_shows_the_state_as_it_is_now():
    market = CarbonMarket("paper", seed=2)
    view = market.view
    for _ in range(60):  # across the year end, where compliance settles the columns
        market.step()
        np.testing.assert_array_equal(view.accounts.coins, market.accounts.coins)
        np.testing.assert_array_equal(view.accounts.allowances, market.accounts.allowances)
        np.testing.assert_array_equal(
            view.enterprises.ytd_emissions, market.enterprises.ytd_emissions
        )
        np.testing.assert_array_equal(
            view.enterprises.last_year_emissions, market.enterprises.last_year_emissions
        )
        np.testing.assert_array_equal(view.enterprises.owed, market.enterprises.owed)
        assert view.expected_price == market.expected_price
        assert view.remaining_budget == market.run.remaining_budget
        assert view.round_in_year == market.round_in_year
        assert view.book.best_bid() == market.book.best_bid()
    assert view.years_done == 1 and len(view.year_records) == 1


def test_the_view_offers_no_way_to_act():
    view = played(rounds=60).view
    for name in ("submit", "cancel", "cancel_firm", "expire", "clear"):
        assert not hasattr(view.book, name)
    with pytest.raises(TypeError):
        view.measures["welfare"] = 0.0  # a read-only mapping
    with pytest.raises(TypeError):
        view.year_records[0]["release"] = 0.0  # not the market's records


def test_the_readers_provide_every_field_the_protocols_declare():
    for reader, protocol in (
        (MarketReader, MarketView),
        (FirmsReader, FirmsView),
        (AccountsReader, AccountsView),
        (BookReader, BookView),
    ):
        declared = set(protocol.__annotations__) | {
            name for name in vars(protocol) if not name.startswith("_")
        }
        instance = {
            MarketReader: lambda m: m.view,
            FirmsReader: lambda m: m.view.enterprises,
            AccountsReader: lambda m: m.view.accounts,
            BookReader: lambda m: m.view.book,
        }[reader](played(rounds=60))
        missing = [name for name in declared if not hasattr(instance, name)]
        assert missing == [], f"{reader.__name__} lacks {missing}"
