"""Each panel renders, reacts to a step and follows the highlighted firm (no browser)."""

import dataclasses
import json

import ipyvuetify as v
import jsonschema
import numpy as np
import pandas as pd
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
from dashboard.emissions import SERIES as EMISSION_SERIES
from dashboard.emissions import Emissions
from dashboard.firm_table import ROWS_PER_PAGE, FirmTable, cell_text, sort_order, table_frame
from dashboard.market import DashboardMarket
from dashboard.order_book import (
    MARK,
    PRICE,
    QUANTITY,
    TAPE_LENGTH,
    OrderBook,
    depth_frame,
    depth_spec,
    own_frame,
    tape_rows,
)
from dashboard.pages import PANELS
from dashboard.policy_choice import AS_IN_SCENARIO
from dashboard.price_chart import LAST, VWAP, PriceChart, firm_trades, price_spec
from dashboard.price_chart import SERIES as PRICE_SERIES
from dashboard.selection import select_firm, selected_firm
from dashboard.vega import VEGA_LITE_MAJOR
from dashboard.welfare import LORENZ_POINTS, Welfare, lorenz_frame
from dashboard.welfare import MEASURES as WELFARE_MEASURES


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


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: p.__name__)
def test_a_highlighted_firm_the_market_lacks_highlights_nothing(panel, text_of):
    market = stepped(30, behaviour="zi-c")  # five firms
    box, rc = solara.render(panel(market), handle_error=False)
    plain = (text_of(box), chart_specs(rc))
    select_firm(25)  # as a Reset from a larger market leaves it
    assert (text_of(box), chart_specs(rc)) == plain


def test_price_chart_gains_a_row_per_round(rows_of):
    market = stepped(20, behaviour="zi-c")
    _box, rc = solara.render(PriceChart(market), handle_error=False)
    assert rows_of(rc) == {"prices": 21}  # rounds 0 to 20
    play(market, 20)
    assert rows_of(rc) == {"prices": 41}


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
    own = [t for t in market.book.trades if firm in (t.buyer, t.seller)]
    assert trades["round"].tolist() == [t.round + 1 for t in own]
    assert trades["price"].tolist() == [t.price for t in own]
    assert trades["role"].tolist() == ["bought" if t.buyer == firm else "sold" for t in own]


def test_order_book_depth_and_tape_follow_the_book(text_of):
    market = stepped(30, behaviour="zi-c")
    depth = depth_frame(market)
    for side in ("bid", "ask"):
        assert depth["quantity"][depth["side"] == side].sum() == sum(
            o.quantity for o in market.book if o.side.name.lower() == side
        )
    tape = tape_rows(market, firm=market.book.trades[-1].seller)
    assert tape[0][PRICE] == market.book.trades[-1].price  # newest first
    assert tape[0][MARK] == "*"
    box, _rc = solara.render(OrderBook(market), handle_error=False)
    assert f"{len(market.book)} open orders" in text_of(box)


def test_the_tape_holds_the_last_trades_newest_first_and_marks_the_firms_own():
    market = stepped(30, scenario="eu-large", n_firms=30, behaviour="zi-c", policy=AS_IN_SCENARIO)
    trades = market.book.trades
    firm = trades[-1].buyer
    tape = tape_rows(market, firm)
    assert len(tape) == TAPE_LENGTH < len(trades)
    assert tape == [
        {
            MARK: "*" if firm in (t.buyer, t.seller) else "",
            "round": t.round + 1,
            "buyer": t.buyer,
            "seller": t.seller,
            PRICE: t.price,
            QUANTITY: t.quantity,
        }
        for t in trades[-TAPE_LENGTH:][::-1]
    ]
    select_firm(firm)
    _box, rc = solara.render(OrderBook(market), handle_error=False)
    table = rc.find(v.DataTable).widget
    assert table.items == tape and table.disable_pagination  # every row on one page
    assert [h["text"] for h in table.headers] == ["", "round", "buyer", "seller", PRICE, QUANTITY]


def test_the_line_charts_carry_every_rounds_measures_as_mesa_records_them(datasets_of):
    market = stepped(80, behaviour="zi-c")
    history = market.history()  # Mesa's DataCollector's model variables, one row per round
    charts = [
        (PriceChart, "prices", {VWAP: "price", LAST: "last_price"}),
        (Emissions, "emissions", {label: name for name, label in EMISSION_SERIES.items()}),
        (Welfare, "measures", {name: name for name in WELFARE_MEASURES}),
    ]
    for panel, dataset, columns in charts:
        _box, rc = solara.render(panel(market), handle_error=False)
        (chart,) = chart_specs(rc)
        rows = datasets_of(chart)[dataset]
        assert [row["round"] for row in rows] == list(range(81))
        for label, measure in columns.items():
            recorded = [None if pd.isna(value) else value for value in history[measure]]
            assert [row[label] for row in rows] == recorded, (panel.__name__, label)


def test_lorenz_curve_is_thinned_and_counts_debt_as_zero():
    curve = lorenz_frame(np.arange(5000.0))
    assert len(curve["population"]) == len(curve["coins"]) == LORENZ_POINTS
    assert (curve["population"][0], curve["coins"][0]) == (0.0, 0.0)
    assert (curve["population"][-1], curve["coins"][-1]) == (1.0, 1.0)
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


def large_market(**controls):
    """An ``eu-large`` market of 120 firms (more than a select lists) after a year."""
    return stepped(50, scenario="eu-large", n_firms=120, policy=AS_IN_SCENARIO, **controls)


def shown_firms(rc) -> list[int]:
    """The firms of the table's page on screen, top to bottom."""
    table = rc.find(solara.components.datatable.DataTableWidget).widget
    return [int(item["firm"].replace(",", "")) for item in table.items]


def test_the_firm_table_pages_through_every_firm_in_the_sorted_order():
    market = large_market()
    coins = market.accounts.total_coins()
    richest_first = sorted(range(120), key=lambda i: (-coins[i], i))
    sort_order.set(("coins", False))
    _box, rc = solara.render(FirmTable(market), handle_error=False)
    assert shown_firms(rc) == richest_first[:ROWS_PER_PAGE]
    table = rc.find(solara.components.datatable.DataTableWidget).widget
    assert table.total_length == 120
    table.options = {**table.options, "page": 3}  # the footer's page buttons
    assert shown_firms(rc) == richest_first[2 * ROWS_PER_PAGE : 3 * ROWS_PER_PAGE]
    sort_order.set(("firm", True))


def test_text_columns_sort_by_value_and_ties_by_firm():
    market = stepped(3, behaviour="rule-based + zi-c")  # firms 0, 2, 4 rule-based; 1, 3 zi-c
    ascending = table_frame(market, ("behaviour", True), firm=None)
    assert ascending["firm"].tolist() == [0, 2, 4, 1, 3]
    descending = table_frame(market, ("behaviour", False), firm=None)
    assert descending["firm"].tolist() == [1, 3, 0, 2, 4]
    by_orders = table_frame(market, ("open_orders", False), firm=None)
    orders = market.book.open_counts()
    assert by_orders["firm"].tolist() == sorted(range(5), key=lambda i: (-orders[i], i))


def test_a_large_market_takes_the_highlighted_firms_number():
    market = large_market()
    _box, rc = solara.render(FirmTable(market), handle_error=False)
    rc.find(v.Select, label="highlight firm").assert_empty()  # no list of 121 entries

    def type_in(text):
        field = rc.find(v.TextField).widget
        field.v_model = text
        field.fire_event("focusout")  # it applies on leaving the field (or on Enter)
        return rc.find(v.TextField).widget

    field = type_in("117")
    assert field.label == "highlight firm (0 to 119; empty for none)"
    assert selected_firm.value == 117 and not field.error
    for typed, message in [
        ("abc", "highlight firm: 'abc' is not a whole number"),
        ("120", "highlight firm: there is no firm 120 (0 to 119)"),
    ]:
        field = type_in(typed)
        assert field.error and field.messages == [message]
        assert selected_firm.value == 117  # unchanged
    field = type_in(" ")
    assert selected_firm.value is None and not field.error and field.messages == []
    small = stepped(1)
    _box, rc = solara.render(FirmTable(small), handle_error=False)
    assert rc.find(v.Select, label="highlight firm").widget.items == ["none", *"01234"]


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
    frame = market.series(PRICE_SERIES)
    assert frame["round"].tolist() == list(range(121))  # a row per round, from round 0
    traded = sorted({t.round + 1 for t in market.book.trades})
    assert np.flatnonzero(~np.isnan(frame[VWAP])).tolist() == traded
    before_first_trade = frame[LAST][: traded[0]]
    assert np.isnan(before_first_trade).all() and frame[LAST][-1] == market.book.trades[-1].price
    layers = price_spec(market, None)["layer"]
    for layer in layers[:2]:  # each series a layer of the rows folded into (series, price)
        assert layer["transform"][0] == {"fold": [VWAP, LAST], "as": ["series", "price"]}
    filters = [layer["transform"][1]["filter"] for layer in layers[:2]]
    assert filters == [  # the VWAP's rounds without trades are left out: its line joins the rest
        f"(datum.series === '{LAST}')",
        f"((datum.series === '{VWAP}') && isValid(datum.price))",
    ]
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
    assert own["price"].tolist() == sorted({o.price for o in orders})  # one row per price
    quiet = DashboardMarket()
    assert {k: v.tolist() for k, v in own_frame(quiet, 0).items()} == {
        "price": [0],
        "quantity": [0],
    }
    outline = depth_spec(quiet, 0)["layer"][1]["encoding"]["strokeWidth"]
    assert outline["condition"] == {"test": "(datum.quantity > 0)", "value": 2}
    assert outline["value"] == 0
