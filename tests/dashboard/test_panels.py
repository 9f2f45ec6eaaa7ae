"""Each panel renders, reacts to a step and follows the highlighted firm (no browser)."""

import dataclasses
import json

import ipyvuetify as v
import jsonschema
import numpy as np
import pytest
import solara
from mesa.visualization.utils import force_update

from dashboard.allocation import (
    OTHERS,
    OTHERS_COLOUR,
    TOP_FIRMS,
    Allocation,
    allocation_frame,
    allocation_spec,
)
from dashboard.assets import cdn_cache
from dashboard.controls import MarketStatus
from dashboard.emissions import emissions_frame
from dashboard.firm_table import FirmTable, cell_text, sort_order, table_frame
from dashboard.market import DashboardMarket
from dashboard.order_book import PRICE, OrderBook, depth_frame, depth_spec, own_frame, tape_frame
from dashboard.pages import PANELS
from dashboard.policy_choice import AS_IN_SCENARIO
from dashboard.price_chart import LAST, VWAP, PriceChart, firm_trades, price_frame, price_spec
from dashboard.selection import select_firm, selected_firm
from dashboard.vega import VEGA_LITE_MAJOR
from dashboard.welfare import LORENZ_POINTS, Welfare, lorenz_frame


def stepped(rounds, **controls):
    """A market under the paper baseline ``decreasing-size``."""
    market = DashboardMarket(**{"policy": "decreasing-size", **controls})
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
    market = DashboardMarket(scenario="classroom", policy=AS_IN_SCENARIO)
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
    assert tape.iloc[0][PRICE] == market.book.trades[-1].price  # newest first
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
    market = stepped(1, scenario="eu-large", n_firms=30, policy=AS_IN_SCENARIO)
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


def release_sliders(rc):
    """The manual policy's release slider (its label ends with its value), if shown."""
    sliders = rc.find(v.Slider).widgets
    return [s for s in sliders if s.label.startswith("release share of the budget: ")]


def test_manual_levers_set_next_years_allocation():
    market = DashboardMarket(policy="manual")
    _box, rc = solara.render(MarketStatus(market), handle_error=False)
    (release,) = release_sliders(rc)
    release.v_model = 0.2
    market.step()  # the first year's allocation reads the lever
    wanted = 0.2 * market.config.budget  # less what whole-allowance splits round off
    assert wanted - market.enterprises.n <= market.government.release <= wanted
    for other in (stepped(0), DashboardMarket()):  # a baseline; the default regulator
        _box, rc = solara.render(MarketStatus(other), handle_error=False)
        assert release_sliders(rc) == []


def test_the_vwap_joins_the_rounds_that_traded_and_is_drawn_above_the_last_trade():
    market = stepped(120, behaviour="zi-c")
    frame = price_frame(market)
    vwap = frame[frame["series"] == VWAP]
    traded = sorted({t.round + 1 for t in market.book.trades})
    assert list(vwap["round"]) == traded and vwap["price"].notna().all()
    last = frame[frame["series"] == LAST]
    assert list(last["round"]) == list(range(121))  # a row per round, from round 0
    layers = price_spec(market, None)["layer"]
    filters = [layer["transform"][0]["filter"] for layer in layers[:2]]
    assert filters == [f"(datum.series === '{LAST}')", f"(datum.series === '{VWAP}')"]
    assert layers[1]["mark"]["point"]["filled"] is True  # the VWAP, drawn last, on top


def test_others_have_a_colour_no_firm_has():
    market = stepped(1, scenario="eu-large", n_firms=30, policy=AS_IN_SCENARIO)
    scale = allocation_spec(market, None)["encoding"]["color"]["scale"]
    assert scale["domain"][-1] == OTHERS and len(scale["domain"]) == TOP_FIRMS + 1
    assert scale["range"][-1] == OTHERS_COLOUR
    assert len(set(scale["range"])) == len(scale["range"])  # one colour each


def vega_lite_schema():
    """The JSON schema of the Vega-Lite the page loads (from Solara's asset cache)."""
    path = cdn_cache() / f"vega-lite@{VEGA_LITE_MAJOR}" / "build" / "vega-lite-schema.json"
    return json.loads(path.read_text())


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.__name__)
def test_every_chart_is_a_valid_spec_of_the_vega_lite_the_page_loads(panel):
    validator = jsonschema.Draft7Validator(vega_lite_schema())
    market = stepped(60, behaviour="zi-c")
    select_firm(1)  # the highlighted firm's layers too
    _box, rc = solara.render(panel(market), handle_error=False)
    for chart in chart_specs(rc):
        assert (
            chart["$schema"] == f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_MAJOR}.json"
        )
        errors = [e.message for e in validator.iter_errors(chart)]
        assert errors == []


def test_numbers_show_with_thousands_marks_and_the_headers_with_units(text_of):
    market = stepped(3, scenario="eu-large", n_firms=30, policy=AS_IN_SCENARIO)
    box, _rc = solara.render(Welfare(market), handle_error=False)
    text = text_of(box)
    assert "e+" not in text
    assert f"productivity {market.measures['productivity']:,.1f} coins per firm" in text
    frame = table_frame(market, ("coins", False), firm=None)
    assert "emission rate (t/unit)" in frame.columns and "emission_rate" not in frame.columns
    assert cell_text(frame, "coins", 0, 12345.678) == "12,345.7"
    assert cell_text(frame, "emission rate (t/unit)", 0, 0.00002) == "0.000"
    box, _rc = solara.render(FirmTable(market), handle_error=False)
    shown = text_of(box)
    assert "e+" not in shown and f"{frame['coins'].iloc[0]:,.1f}" in shown


def test_the_market_panel_says_why_nothing_trades(text_of):
    market = DashboardMarket(policy="manual")
    box, _rc = solara.render(MarketStatus(market), handle_error=False)
    assert "Press Play or Step" in text_of(box)
    market.set_levers(dataclasses.replace(market.run.levers, release_share=0.0))
    play(market, 3)
    assert market.book.trades == []
    assert (
        "The government released no allowances in year 1: the firms hold none, so nothing "
        "trades until the next allocation, in round 51."
    ) in text_of(box)
    trading = stepped(6)
    box, _rc = solara.render(MarketStatus(trading), handle_error=False)
    last = trading.book.trades[-1].round + 1
    assert f"{len(trading.book.trades)} trades so far, the last in round {last}." in text_of(box)
    play(trading, 30)  # the paper's thin market goes quiet after its first trades
    assert trading.book.trades[-1].round + 1 == last
    assert trading.book.best_ask() is None and trading.book.best_bid() is not None
    assert (
        f"the last in round {last}; none since, as no firm offers an allowance for sale."
    ) in text_of(box)


def test_the_highlighted_firms_orders_are_summed_per_price_and_none_draw_no_outline():
    market = stepped(30, behaviour="zi-c")
    firm = max(range(market.enterprises.n), key=market.book.n_open)
    own = own_frame(market, firm)
    orders = market.book.open_orders(firm)
    assert own["quantity"].sum() == sum(o.quantity for o in orders) > 0
    assert own["price"].is_unique
    quiet = DashboardMarket()
    assert own_frame(quiet, 0).to_dict("records") == [{"price": 0, "quantity": 0}]
    outline = depth_spec(quiet, 0)["layer"][1]["encoding"]["strokeWidth"]
    assert outline["condition"] == {"test": "(datum.quantity > 0)", "value": 2}
    assert outline["value"] == 0
