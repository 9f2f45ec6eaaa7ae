"""Each panel renders, reacts to a step and follows the highlighted firm (no browser)."""

import ipyvuetify as v
import numpy as np
import pytest
import solara
from mesa.visualization.utils import force_update

from dashboard.allocation import TOP_FIRMS, Allocation, allocation_frame
from dashboard.controls import MarketStatus
from dashboard.emissions import emissions_frame
from dashboard.firm_table import FirmTable, sort_order, table_frame
from dashboard.market import DashboardMarket
from dashboard.order_book import OrderBook, depth_frame, tape_frame
from dashboard.pages import PANELS
from dashboard.policy_choice import FALLBACK_POLICY
from dashboard.price_chart import PriceChart, firm_trades, price_frame
from dashboard.selection import select_firm, selected_firm
from dashboard.welfare import LORENZ_POINTS, Welfare, lorenz_frame


def stepped(rounds, **controls):
    """A market under the paper baseline (the default may be the shipped learned regulator)."""
    market = DashboardMarket(**{"policy": FALLBACK_POLICY, **controls})
    for _ in range(rounds):
        market.step()
    return market


def play(market, rounds):
    for _ in range(rounds):
        market.step()
    force_update()


def chart_specs(rc):
    return [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.__name__)
def test_every_panel_renders_and_redraws_after_a_year(panel, text_of):
    market = stepped(55, behaviour="zi-c")
    box, rc = solara.render(panel(market), handle_error=False)
    text_before, specs_before = text_of(box), chart_specs(rc)
    assert text_before  # it shows something
    play(market, 50)
    assert (text_of(box), chart_specs(rc)) != (text_before, specs_before)


def test_price_chart_gains_a_point_per_traded_round(rows_of):
    market = stepped(20, behaviour="zi-c")
    _box, rc = solara.render(PriceChart(market), handle_error=False)
    (before,) = rows_of(rc).values()
    assert before == len(price_frame(market))
    play(market, 20)
    (after,) = rows_of(rc).values()
    assert after == len(price_frame(market)) > before


def test_price_chart_draws_p_star_in_textbook_markets(rows_of):
    market = DashboardMarket(scenario="classroom", policy="as in scenario")
    play(market, 30)
    _box, rc = solara.render(PriceChart(market), handle_error=False)
    assert "p* = 40" in str(rc.find(solara.widgets.VegaLite).widget.spec)


def test_highlighted_firm_trades_are_marked(rows_of):
    market = stepped(100, behaviour="zi-c")
    _box, rc = solara.render(PriceChart(market), handle_error=False)
    assert len(rows_of(rc)) == 1
    firm = market.book.trades[0].buyer
    select_firm(firm)
    assert len(rows_of(rc)) == 2  # the firm's trades are a second layer
    trades = firm_trades(market, firm)
    assert len(trades) == sum(firm in (t.buyer, t.seller) for t in market.book.trades)
    assert set(trades["role"]) <= {"bought", "sold"}


def test_order_book_depth_and_tape_follow_the_book(text_of):
    market = stepped(30, behaviour="zi-c")
    depth = depth_frame(market)
    for side in ("bid", "ask"):
        assert depth[depth.side == side]["quantity"].sum() == sum(
            o.quantity for o in market.book if o.side.name.lower() == side
        )
    tape = tape_frame(market, firm=market.book.trades[-1].seller)
    assert tape.iloc[0]["price"] == market.book.trades[-1].price  # newest first
    assert tape.iloc[0][""] == "*"
    box, _rc = solara.render(OrderBook(market), handle_error=False)
    assert f"{len(market.book)} open orders" in text_of(box)


def test_emissions_series_match_the_measures():
    market = stepped(60)
    frame = emissions_frame(market)
    last = frame[frame["round"] == 60].set_index("series")["tonnes"]
    assert last["released this year"] == market.measures["release"]
    assert last["budget remaining"] == market.measures["remaining_budget"]


def test_lorenz_curve_is_thinned_and_counts_debt_as_zero():
    curve = lorenz_frame(np.arange(5000.0))
    assert len(curve) == LORENZ_POINTS
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    with_debt = lorenz_frame(np.array([-10.0, 10.0]))
    assert with_debt["coins"].tolist() == [0.0, 0.0, 1.0]


def test_welfare_panel_shows_the_measures(text_of):
    market = stepped(10)
    box, _rc = solara.render(Welfare(market), handle_error=False)
    assert f"equality {market.measures['equality']:.3f}" in text_of(box)


def test_allocation_groups_small_recipients_and_keeps_the_highlighted_firm(text_of):
    market = stepped(1, scenario="eu-large", n_firms=30, policy="as in scenario")
    frame = allocation_frame(market)
    firms = set(frame["firm"])
    assert len(firms) == TOP_FIRMS + 1 and "others" in firms
    assert frame["allowances"].sum() == pytest.approx(market.government.allocations[0].sum())
    smallest = int(np.argmin(market.government.allocations[0]))
    assert f"firm {smallest}" in set(allocation_frame(market, smallest)["firm"])
    box, _rc = solara.render(Allocation(market), handle_error=False)
    assert "eu-benchmark" in text_of(box)


def test_firm_table_sorts_and_highlights():
    market = stepped(30)
    frame = table_frame(market, ("coins", False), firm=2)
    assert frame["coins"].is_monotonic_decreasing
    assert frame.loc[frame["firm"] == 2, "*"].item() == "*"
    _box, rc = solara.render(FirmTable(market), handle_error=False)
    table = rc.find(solara.components.datatable.DataTableWidget).widget
    sort_order.set(("firm", True))
    table.vue_on_column_action(["coins", 1])  # the header's "sort descending"
    assert sort_order.value == ("coins", False)
    table = rc.find(solara.components.datatable.DataTableWidget).widget
    table.vue_on_cell_action([0, "coins", 0])  # "highlight this firm" on the top row
    richest = int(np.argmax(market.accounts.total_coins()))
    assert selected_firm.value == richest
    sort_order.set(("firm", True))


def test_invalid_settings_show_the_validation_message():
    market = DashboardMarket(custom_parameters=True, price_ceiling=0)
    _box, rc = solara.render(MarketStatus(market), handle_error=False)
    alert = rc.find(v.Alert).widget
    assert "market.price_ceiling" in str(alert.children)
    assert "not applied" in str(alert.children)
    valid = DashboardMarket()
    _box, rc = solara.render(MarketStatus(valid), handle_error=False)
    rc.find(v.Alert).assert_empty()


def test_manual_levers_set_next_years_allocation():
    market = DashboardMarket(policy="manual")
    _box, rc = solara.render(MarketStatus(market), handle_error=False)
    release = rc.find(v.Slider, label="release share of the budget").widget
    release.v_model = 0.2
    market.step()  # the first year's allocation reads the lever
    wanted = 0.2 * market.config.budget  # less what whole-allowance splits round off
    assert wanted - market.enterprises.n <= market.government.release <= wanted
    for other in (stepped(0), DashboardMarket()):  # a baseline; the default regulator
        _box, rc = solara.render(MarketStatus(other), handle_error=False)
        rc.find(v.Slider, label="release share of the budget").assert_empty()
