"""What the room pages show, without a browser: status, theory lines, leaderboard, gains."""

import ipyvuetify as v
import pytest
import solara

from dashboard.rooms.charts import (
    gains_text,
    leaderboard_frame,
    price_spec,
    stack_frame,
    theory_frame,
)
from dashboard.rooms.live import link, status_line
from dashboard.rooms.room import Room
from dashboard.rooms.screen_page import Leaderboard
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.student_page import StudentView
from dashboard.rooms.teacher_page import Console


def make_room(**settings) -> Room:
    return Room(1, "ABCDE", "x", RoomSettings(**{"round_seconds": 0, **settings}))


def test_the_status_names_the_round_orders_go_into():
    room = make_room(rounds_per_year=2, years=2)
    own = "treatment: the scenario's own"
    assert status_line(room) == f"lobby · not started · {own}"
    room.start()
    assert status_line(room) == f"trading · year 1 of 2, round 2 of 2 · {own}"
    room.advance()
    assert status_line(room) == f"between years · year 1 of 2 finished · {own}"


def test_the_theory_lines_follow_each_year_and_show_only_when_revealed(datasets_of):
    room = make_room(rounds_per_year=4)
    room.start()
    assert "theory" not in price_spec(room)["datasets"]
    room.show_theory(True)
    theory = theory_frame(room)
    assert theory[["start", "end", "p_star", "low", "high"]].values.tolist() == [
        [1, 4, 40.0, 39.5, 40.5]
    ]
    assert datasets_of(price_spec(room))["theory"][0]["label"] == "p* = 40"


def test_the_leaderboard_table_and_the_gains_sentence():
    room = make_room()
    for name in ("Ann", "Bob", "Cem"):
        room.join(name)
    room.start()
    table = leaderboard_frame(room)
    assert table["name"].tolist() == ["Bob", "Ann", "Cem"]  # scores 0, -200, -800
    assert table["score vs equilibrium"].tolist() == [0.0, -200.0, -800.0]
    assert gains_text(room) == (
        "The class realised **0** of the **1,000** coins of maximum gains from trade (0%) "
        "this year."
    )


def test_the_leaderboard_shows_every_seat_on_one_page():
    room = make_room(seats=40)
    room.join("Ann")
    room.start()
    _box, rc = solara.render(Leaderboard(room, room.version), handle_error=False)
    table = rc.find(v.DataTable).widget
    assert table.items == leaderboard_frame(room).to_dict("records")
    assert len(table.items) == 40 and table.disable_pagination and table.hide_default_footer
    headers = [h["text"] for h in table.headers]
    assert headers == ["rank", "name", "firm", "profit", "score vs equilibrium"]


def test_the_paper_economy_ranks_by_profit_without_a_score():
    room = make_room(scenario="paper", seats=5)
    room.start()
    assert "score vs equilibrium" not in leaderboard_frame(room).columns
    assert gains_text(room) is None


@pytest.mark.parametrize(
    ("page", "params", "url"), [("join", {"code": "AB CD"}, "/join?code=AB+CD")]
)
def test_links_carry_their_parameters(page, params, url):
    assert link(page, **params) == url


def rendered_text(element, text_of) -> str:
    box, _ = solara.render(element, handle_error=False)
    return text_of(box)


def test_the_student_view_shows_the_firm_and_decisions_only_where_firms_produce(text_of):
    textbook = make_room()
    ann = textbook.join("Ann")
    textbook.start()
    text = rendered_text(StudentView(textbook, ann, textbook.version), text_of)
    assert "Ann: firm 0 · room ABCDE" in text
    assert "one more allowance is worth" in text
    assert "Your firm's decisions" not in text
    paper = make_room(scenario="paper", seats=5)
    bob = paper.join("Bob")
    paper.start()
    assert "Your firm's decisions" in rendered_text(StudentView(paper, bob, 0), text_of)


def test_the_console_lists_the_seats_with_their_students(text_of):
    room = make_room()
    room.join("Ann")
    text = rendered_text(Console(room, "key"), text_of)
    assert "firm 0: Ann" in text and "firm 1: bot (zi-c)" in text
    assert "/join?code=ABCDE" in text


def test_the_stacks_are_the_book_cumulated_from_the_best_price():
    room = make_room()
    ann, bob, cem = room.join("Ann"), room.join("Bob"), room.join("Cem")  # no bots
    room.start()
    room.submit(ann.token, "sell", 50, 2)
    room.submit(bob.token, "sell", 45, 3)
    room.submit(cem.token, "buy", 30, 4)
    rows = stack_frame(room).values.tolist()
    assert rows == [
        ["bids", 0, 30],
        ["bids", 4, 30],
        ["asks", 0, 45],
        ["asks", 3, 45],
        ["asks", 3, 50],
        ["asks", 5, 50],
    ]
