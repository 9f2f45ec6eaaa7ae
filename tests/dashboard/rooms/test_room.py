"""The room core: seats, tokens, bots, the teacher's operations and the leaderboard."""

import numpy as np
import pytest

from dashboard.policy_choice import learned_regulator
from dashboard.rooms.errors import RoomError
from dashboard.rooms.room import Phase, Room
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.standings import gains, leaderboard
from dashboard.rooms.treatments import treatment_names
from dashboard.student import StudentBehaviour
from market.orders import Side
from market.theory import unit_permit_equilibrium
from model import CarbonMarket


def make_room(**settings) -> Room:
    return Room(1, "ABCDE", "x", RoomSettings(**{"round_seconds": 0, **settings}))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_new_room_has_every_seat_played_by_the_bot():
    room = make_room(seats=4, bots="rule-based")
    assert room.market.enterprises.n == 4
    assert list(room.market.behaviour_names) == ["rule-based"] * 4
    assert all(not seat.occupied for seat in room.seats)


def test_joining_takes_the_first_bot_seat_and_the_token_finds_it_again():
    room = make_room()
    ann, bob = room.join("Ann"), room.join("Bob")
    assert (ann.index, bob.index) == (0, 1)
    assert room.seat_of(ann.token) is ann
    assert isinstance(room.market.firms[1].behaviour, StudentBehaviour)
    assert room.market.behaviour_names[2] == "zi-c"


def test_a_name_is_taken_once_and_a_full_room_refuses():
    room = make_room()
    room.join("Ann")
    with pytest.raises(RoomError, match="name: 'ann' is already taken"):
        room.join("ann")
    room.join("Bob")
    room.join("Cem")
    with pytest.raises(RoomError, match="all 3 seats are taken"):
        room.join("Dee")


def test_a_student_acts_only_for_their_own_firm():
    room = make_room()
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start()
    room.submit(ann.token, "sell", 100, 1)
    (order,) = room.market.book.open_orders(ann.index)
    assert room.market.book.open_orders(bob.index) == []
    with pytest.raises(RoomError, match="is not one of your open orders"):
        room.cancel(bob.token, order.order_id)
    assert room.market.book.open_orders(ann.index)[0].order_id == order.order_id
    with pytest.raises(RoomError, match="token: this link holds no seat"):
        room.submit("forged-token", "sell", 100, 1)


@pytest.mark.parametrize(
    ("price", "quantity", "message"),
    [
        ("abc", 1, "price: 'abc' is not a whole number"),
        (-5, 1, r"price: -5 must be in \[0, 120\]"),
        (10**9, 1, r"price: 1000000000 must be in \[0, 120\]"),
        ("40.5", 1, "price: '40.5' is not a whole number"),
        (40, 0, r"quantity: 0 must be in \[1, 10000\]"),
        (40, "nan", "quantity: 'nan' is not a whole number"),
    ],
)
def test_bad_fields_submit_nothing(price, quantity, message):
    room = make_room()
    ann = room.join("Ann")
    room.start()
    version = room.version
    with pytest.raises(RoomError, match=message):
        room.submit(ann.token, "buy", price, quantity)
    assert room.market.book.open_orders(ann.index) == []
    assert room.version == version


def test_a_rejected_order_is_told_to_the_student():
    room = make_room()
    ann = room.join("Ann")
    room.start()
    with pytest.raises(RoomError, match="order rejected"):
        room.submit(ann.token, "sell", 40, 5000)  # holds 80 allowances
    assert "order rejected" in ann.notices[-1]


def test_orders_are_closed_before_the_start_and_while_paused():
    room = make_room()
    ann = room.join("Ann")
    with pytest.raises(RoomError, match=r"orders are closed \(lobby\)"):
        room.submit(ann.token, "buy", 40, 1)
    room.start()
    room.pause()
    with pytest.raises(RoomError, match=r"orders are closed \(paused\)"):
        room.submit(ann.token, "buy", 40, 1)
    room.resume()
    room.submit(ann.token, "buy", 40, 1)


def test_two_students_trade_with_each_other_in_the_one_book():
    room = make_room()
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start()
    room.submit(ann.token, "sell", 55, 3)
    message = room.submit(bob.token, "buy", 55, 3)
    assert message == "buy 3 at 55: traded 3 allowance(s) for 165 coins"
    (trade,) = [t for t in room.trades if {t.buyer, t.seller} == {0, 1}]
    seen = (trade.seller_name, trade.buyer_name, trade.price, trade.quantity)
    assert seen == ("Ann", "Bob", 55, 3)


def test_self_trade_prevention_tells_the_student_their_order_was_cancelled():
    room = make_room()
    ann, _, _ = room.join("Ann"), room.join("Bob"), room.join("Cem")  # no bot quotes
    room.start()
    room.submit(ann.token, "sell", 50, 2)
    room.submit(ann.token, "buy", 60, 1)
    assert room.market.book.open_orders(ann.index)[0].side == 0  # the buy rests
    assert ann.notices[-1] == (
        "order 0 (sell 2 at 50): 2 unfilled cancelled by self-trade prevention"
    )


def test_a_latecomer_takes_over_a_bot_seat_mid_game():
    room = make_room()
    room.join("Ann")
    room.start()
    while not room.market.book.open_orders(1):
        room.advance()
    bot_orders = room.market.book.open_orders(1)
    late = room.join("Late")
    assert late.index == 1
    assert bot_orders != [] and room.market.book.open_orders(1) == []  # not the bot's quotes
    assert isinstance(room.market.firms[1].behaviour, StudentBehaviour)
    room.submit(late.token, "buy", 10, 1)
    assert room.market.book.open_orders(1)[0].price == 10


def test_kick_frees_the_seat_for_a_bot_and_cancels_the_orders():
    room = make_room()
    ann = room.join("Ann")
    room.start()
    room.submit(ann.token, "buy", 10, 1)
    room.kick(0)
    assert room.market.book.open_orders(0) == []
    assert room.market.behaviour_names[0] == "zi-c"
    with pytest.raises(RoomError, match="token"):
        room.seat_of(ann.token)
    with pytest.raises(RoomError, match="seat: seat 0 holds no student"):
        room.kick(0)
    with pytest.raises(RoomError, match=r"seat: 7 must be in \[0, 2\]"):
        room.kick(7)


def test_reseat_moves_the_student_and_their_token_to_another_firm():
    room = make_room()
    ann, bob = room.join("Ann"), room.join("Bob")
    token = ann.token
    with pytest.raises(RoomError, match="to: seat 1 is held by Bob"):
        room.reseat(0, 1)
    room.reseat(0, 2)
    assert room.seat_of(token).index == 2
    assert room.seats[0].occupied is False
    assert room.market.behaviour_names[0] == "zi-c"
    assert isinstance(room.market.firms[2].behaviour, StudentBehaviour)
    assert room.seat_of(bob.token).index == 1


def test_the_countdown_advances_a_round_and_pause_stops_it():
    clock = Clock()
    room = Room(1, "ABCDE", "x", RoomSettings(round_seconds=5), clock=clock)
    room.start()
    assert room.market.steps == 1
    clock.now = 4.9
    assert room.tick() is False
    clock.now = 5.0
    assert room.tick() is True
    assert room.market.steps == 2
    assert room.seconds_left == 5.0
    room.pause()
    clock.now = 100
    assert room.tick() is False
    assert room.market.steps == 2


def test_a_year_ends_between_years_and_the_last_one_ends_the_game():
    room = make_room(rounds_per_year=3, years=2)
    room.start()
    room.advance()
    room.advance()
    assert room.phase == Phase.BETWEEN_YEARS
    with pytest.raises(RoomError, match="round: only while the room is trading or paused"):
        room.advance()
    room.start()
    room.close_year()
    assert room.market.steps == 6
    assert room.phase == Phase.ENDED


def test_close_year_stops_all_trading_for_the_rest_of_the_year():
    room = make_room(rounds_per_year=50)
    room.start()
    trades = len(room.trades)
    room.close_year()
    assert room.market.steps == 50
    assert len(room.trades) == trades
    assert room.phase == Phase.BETWEEN_YEARS
    assert list(room.market.behaviour_names) == ["zi-c"] * 3  # the bots are back


def test_the_treatment_switches_between_years_only():
    room = make_room(rounds_per_year=2, treatment="the scenario's own")
    room.start()
    with pytest.raises(RoomError, match="treatment: only while the room is lobby or between years"):
        room.set_treatment("auction")
    room.advance()
    room.set_treatment("auction")
    room.start()
    assert room.treatment_by_year == ["the scenario's own", "auction"]
    auction = room.market.run.auctions[-1]
    assert auction.sold == 230
    np.testing.assert_array_equal(room.market.run.allocations[0], [80, 80, 70])


@pytest.mark.parametrize(
    "treatment", ["grandfathering", "benchmarking", "auction", "learned regulator"]
)
def test_a_treatment_allocates_what_its_policy_does(treatment):
    """A room of bots under a treatment gives the allocations of a market built with the policy."""
    if treatment not in treatment_names("paper"):
        pytest.skip("the learned regulator is not shipped here")
    policy = {
        "grandfathering": "flat-grandfathering",
        "benchmarking": "flat-benchmarking",
        "learned regulator": f"learned:{learned_regulator('paper')}",
    }
    settings = RoomSettings(
        scenario="paper", treatment=treatment, seats=5, years=3, round_seconds=0
    )
    room = Room(1, "ABCDE", "x", settings)
    overrides = {**settings.overrides(), "policy": policy.get(treatment, treatment)}
    direct = CarbonMarket("paper", seed=0, **overrides)
    direct.assign_behaviours(dict.fromkeys(range(5), room._bot))
    for _ in range(3):
        room.start()
        while room.phase == Phase.TRADING:
            room.advance()
    for _ in range(3 * direct.config.steps_per_year):
        direct.step()
    assert len(room.market.run.allocations) == 3
    for got, want in zip(room.market.run.allocations, direct.run.allocations, strict=True):
        np.testing.assert_array_equal(got, want)


def test_the_leaderboard_is_zero_for_every_firm_at_the_competitive_equilibrium():
    """classroom: firm 0 (c=1) sells 20 to firm 2 (c=4) at p* = 40, the efficient holdings."""
    room = make_room()
    ann, _, cem = room.join("Ann"), room.join("Bob"), room.join("Cem")
    room.start()
    room.submit(ann.token, "sell", 40, 20)
    room.submit(cem.token, "buy", 40, 20)
    start = room.year_start
    theory = unit_permit_equilibrium([100] * 3, [1, 2, 4], start.holdings, 200)
    efficient = theory.efficient_holdings
    np.testing.assert_array_equal(room.market.accounts.total_allowances(), efficient)
    standings = {s.name: s for s in leaderboard(room)}
    assert {name: s.score for name, s in standings.items()} == {"Ann": 0.0, "Bob": 0.0, "Cem": 0.0}
    # Ann sold 20 for 800 and abates 40 t at 1 x 40^2 / 2 = 800: profit 0; Cem pays 800 + 200.
    profits = {name: s.profit for name, s in standings.items()}
    assert profits == {"Ann": 0, "Bob": -400, "Cem": -1000}
    assert gains(room) == (1000.0, 1000.0)


def test_the_leaderboard_before_any_trade_is_each_firm_s_cost_of_not_trading():
    room = make_room()
    for name in ("Ann", "Bob", "Cem"):  # no bots: nothing trades
        room.join(name)
    room.start()
    # Holdings 80 / 80 / 70 cost c (100 - h)^2 / 2 = 200, 400, 1800 against 0, 400, 1000 at p*.
    scores = {s.name: s.score for s in leaderboard(room)}
    assert scores == {"Ann": -200.0, "Bob": 0.0, "Cem": -800.0}
    assert gains(room) == (0.0, 1000.0)


def test_rooms_are_isolated():
    """An order in one room leaves another with the same seed as a room nobody touched."""
    one, two, untouched = make_room(), make_room(), make_room()
    ann = one.join("Ann")
    for room in (one, two, untouched):
        room.start()
    one.submit(ann.token, "buy", 5, 1)
    one.advance()
    two.advance()
    untouched.advance()
    for side in Side:
        assert two.market.book.depth(side) == untouched.market.book.depth(side)
    assert two.trades == untouched.trades
    with pytest.raises(RoomError, match="token"):
        two.seat_of(ann.token)


def test_a_student_sets_their_firm_s_output_in_a_producing_economy():
    room = make_room(scenario="paper", seats=5)
    ann = room.join("Ann")
    room.start()
    with pytest.raises(RoomError, match=r"production: 1.5 must be in \[0, 1\]"):
        room.decide(ann.token, 1.5, False, False)
    with pytest.raises(RoomError, match="production: 'lots' is not a number"):
        room.decide(ann.token, "lots", False, False)
    room.decide(ann.token, 0.0, True, False)
    assert (ann.behaviour.production_share, ann.behaviour.do_research) == (0.0, True)
    room.advance()
    assert room.market.enterprises.output[0] == 0.0
    assert room.market.enterprises.output[1] > 0.0
    textbook = make_room()
    bob = textbook.join("Bob")
    with pytest.raises(RoomError, match="production: this market's firms do not produce"):
        textbook.decide(bob.token, 0.5, False, False)
