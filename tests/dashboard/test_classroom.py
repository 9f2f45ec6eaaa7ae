"""Classroom mode: the student's firm, their orders, sessions and the teacher's CSV."""

import io

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

from dashboard.classroom import Classroom, Settings, new_session, session_csv, treatments
from dashboard.market import DashboardMarket
from dashboard.policy_choice import AS_IN_SCENARIO
from dashboard.student import StudentBehaviour, firm_view, place_order
from market.orders import OrderRejected


def stepped_session(rounds, **settings):
    session = new_session(Settings(**settings))
    for _ in range(rounds):
        session.market.step()
    return session


def test_student_decides_production_and_posts_no_automatic_orders():
    session = new_session(Settings(firm=1))
    session.behaviour.production_share = 0.5
    session.behaviour.do_research = True
    for _ in range(20):
        session.market.step()
    ent = session.market.enterprises
    assert ent.output[1] == pytest.approx(0.5 * ent.capacity[1])
    assert session.market.research_spent > 0
    assert session.market.book.n_open(1) == 0  # the heuristics quote, the student does not
    assert not any(1 in (t.buyer, t.seller) for t in session.market.book.trades)
    assert session.market.behaviour_names[1] == StudentBehaviour.name


def test_a_resting_order_enters_the_book_and_a_crossing_one_trades():
    session = new_session(Settings(treatment="grandfathering"))
    market, firm = session.market, session.firm
    while market.book.best_ask() is None and market.steps < 250:
        market.step()  # until a heuristic firm offers an allowance
    floor = market.config.price_floor
    message = place_order(market, firm, "buy", floor, 1)
    assert "rests in the book" in message
    assert [o.price for o in market.book.open_orders(firm)] == [floor]
    best_ask = market.book.best_ask()
    assert best_ask is not None
    coins = market.accounts.total_coins()[firm]
    message = place_order(market, firm, "buy", market.config.price_ceiling, 1)
    assert f"traded 1 allowance(s) for {best_ask} coins" in message
    assert market.accounts.total_coins()[firm] == pytest.approx(coins - best_ask)
    market.step()  # the trade joins the ledger with the coming round
    assert market.datacollector.get_table_dataframe("trades")["buyer"].eq(firm).any()


def test_orders_the_book_refuses_name_the_field():
    market = new_session(Settings()).market
    with pytest.raises(OrderRejected, match="price"):
        place_order(market, 0, "buy", market.config.price_ceiling + 1, 1)
    with pytest.raises(OrderRejected, match="allowances"):
        place_order(market, 0, "sell", 5, 1_000)
    with pytest.raises(OrderRejected, match="side"):
        place_order(market, 0, "hold", 5, 1)


def test_firm_view_reports_values_and_profit():
    session = stepped_session(10)
    view = firm_view(session.market, session.firm, session.start_coins)
    market = session.market
    assert view.profit == pytest.approx(market.accounts.total_coins()[0] - session.start_coins)
    assert view.value_of_buying >= 0 and np.isfinite(view.cost_of_selling)


def test_sessions_share_nothing():
    first, second = new_session(Settings()), new_session(Settings())
    assert first.market is not second.market
    for _ in range(5):
        first.market.step()
    place_order(first.market, 0, "buy", 1, 1)
    assert second.market.steps == 0 and len(second.market.book) == 0


def test_treatments_switch_the_policy():
    names = {
        t: new_session(Settings(treatment=t)).market.government.policy.name for t in treatments()
    }
    assert names["grandfathering"] == "flat-grandfathering"
    assert names["benchmarking"] == "flat-benchmarking"
    assert names["auction"] == "auction"
    textbook = new_session(Settings(scenario="classroom", treatment=AS_IN_SCENARIO))
    assert textbook.market.government.policy.name == "scenario"
    with pytest.raises(ValueError, match="firm"):
        new_session(Settings(firm=9))
    with pytest.raises(ValueError, match="treatment"):
        new_session(Settings(treatment="lottery"))


def test_csv_downloads_hold_the_sessions_data():
    session = stepped_session(30, treatment="auction")
    market = session.market
    rounds = pd.read_csv(io.StringIO(session_csv(market, "rounds")))
    assert list(rounds["round"]) == list(range(31))
    trades = pd.read_csv(io.StringIO(session_csv(market, "trades")))
    assert len(trades) == len(market.datacollector.get_table_dataframe("trades"))
    firms = pd.read_csv(io.StringIO(session_csv(market, "firms")))
    assert set(firms["firm"]) == set(range(market.enterprises.n))
    with pytest.raises(ValueError, match="table"):
        session_csv(market, "orders")


def test_classroom_page_places_orders_and_shows_rejections(text_of):
    box, rc = solara.render(Classroom(), handle_error=False)
    rc.find(v.Btn, children=["Next 10 rounds"]).widget.click()
    assert "round 10 of 500" in text_of(box)
    rc.find(v.TextField, label="price").widget.v_model = "1"
    rc.find(v.Btn, children=["Place order"]).widget.click()
    assert "buy 1 at 1: order" in text_of(box)
    assert "Cancel" in text_of(box)
    rc.find(v.TextField, label="price").widget.v_model = "99"
    rc.find(v.Btn, children=["Place order"]).widget.click()
    assert "order rejected: price: 99 is outside the allowed ticks" in text_of(box)
    rc.find(v.Btn, children=["Cancel"]).widget.click()
    assert "cancelled" in text_of(box)
    rc.find(v.Btn, children=["Cancel"]).assert_empty()


def start_session(rc, **fields):
    """Type ``fields`` into the teacher's card (label: text) and press Start."""
    for label, text in fields.items():
        rc.find(v.TextField, label=label).widget.v_model = text
    rc.find(v.Btn, children=["Start a new session"]).widget.click()


def test_a_bad_teacher_setting_shows_a_message_and_the_session_goes_on(text_of):
    box, rc = solara.render(Classroom(), handle_error=False)
    rc.find(v.Btn, children=["Next round"]).widget.click()
    rc.find(v.Select, label="scenario").widget.v_model = "classroom"
    start_session(rc, **{"student's firm": "7"})
    assert "No new session: firm: 7 must be in [0, 2]" in text_of(box)
    start_session(rc, **{"student's firm": "2", "seed": "-1"})
    assert "No new session: seed: -1 must be a whole number >= 0" in text_of(box)
    start_session(rc, seed="one")
    assert "No new session: seed: 'one' is not a whole number" in text_of(box)
    assert "round 1 of 500" in text_of(box)  # the paper session still runs
    start_session(rc, seed="3")
    assert "No new session" not in text_of(box)
    assert "Your firm: firm 2" in text_of(box) and "round 0 of 500" not in text_of(box)


def test_an_order_whose_price_is_not_a_number_is_not_placed(text_of):
    box, rc = solara.render(Classroom(), handle_error=False)
    for text in ("", "1.5", "abc"):
        rc.find(v.TextField, label="price").widget.v_model = text
        rc.find(v.Btn, children=["Place order"]).widget.click()
        assert f"order not placed: price: {text!r} is not a whole number" in text_of(box)
    rc.find(v.TextField, label="quantity").widget.v_model = "x"
    rc.find(v.TextField, label="price").widget.v_model = "1"
    rc.find(v.Btn, children=["Place order"]).widget.click()
    assert "order not placed: quantity: 'x' is not a whole number" in text_of(box)
    rc.find(v.Btn, children=["Cancel"]).assert_empty()  # nothing reached the book


def test_a_negative_seed_is_a_message_on_the_dashboard_too():
    market = DashboardMarket(seed=-1)
    assert market.validation_error == "seed: -1 must be a whole number >= 0"
    assert not market.running
