"""The rooms' database: events written as they happen, rooms rebuilt exactly, the debrief."""

import io
import sqlite3
import zipfile

import numpy as np
import pandas as pd
import pytest

from dashboard.rooms.debrief import debrief_zip
from dashboard.rooms.errors import RoomError
from dashboard.rooms.registry import RoomRegistry
from dashboard.rooms.room import Phase, ReplayError, Room
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.standings import leaderboard
from dashboard.rooms.store import RoomStore
from market.orders import Side


def play(registry: RoomRegistry):
    """A game with every kind of event; returns the room and the students' tokens."""
    room, key = registry.create(RoomSettings(seats=4, rounds_per_year=6, round_seconds=0))
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start()
    room.submit(ann.token, "sell", 45, 3)
    room.submit(bob.token, "buy", 45, 2)
    with pytest.raises(RoomError):
        room.submit(ann.token, "sell", 45, 999)  # rejected: recorded too
    room.advance()
    room.submit(bob.token, "buy", 1, 1)  # below any bot's ask: it rests
    (order,) = room.market.book.open_orders(bob.index)
    room.cancel(bob.token, order.order_id)
    room.submit(bob.token, "buy", 30, 1)
    room.advance()
    cem = room.join("Cem")
    tokens = {"Ann": ann.token, "Cem": cem.token}
    room.reseat(cem.index, 3)
    room.kick(bob.index)
    room.show_theory(True)
    room.close_year()
    room.set_treatment("auction")
    room.start()
    room.advance()
    return room, key, tokens


def state(room: Room) -> dict:
    market = room.market
    return {
        "coins": market.accounts.coins.tolist(),
        "allowances": market.accounts.allowances.tolist(),
        "escrow": (market.accounts.total_coins() - market.accounts.coins).tolist(),
        "output": market.enterprises.output.tolist(),
        "emission_rate": market.enterprises.emission_rate.tolist(),
        "emissions": market.enterprises.ytd_emissions.tolist(),
        "book": [market.book.depth(side) for side in Side],
        "orders": [market.book.open_orders(i) for i in range(market.enterprises.n)],
        "ledger": list(market.book.trades),
        "trades": room.trades,
        "rounds": [(r.round, r.year, r.volume, r.treatment) for r in room.rounds],
        "prices": np.array([r.price for r in room.rounds]),
        "seats": [(s.index, s.name, s.token, list(s.notices)) for s in room.seats],
        "phase": room.phase,
        "treatments": room.treatment_by_year,
        "theory": room.theory_shown,
        "leaderboard": leaderboard(room),
        "steps": market.steps,
    }


def test_a_room_rebuilt_from_the_database_is_the_same_room(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    room, key, tokens = play(RoomRegistry(RoomStore(path)))
    before = state(room)
    assert len(before["trades"]) > 0 and before["phase"] == Phase.TRADING

    again = RoomRegistry(RoomStore(path)).teacher_room(room.code, key)
    after = state(again)
    np.testing.assert_array_equal(after.pop("prices"), before.pop("prices"))
    assert after == before
    assert again.seat_of(tokens["Cem"]).index == 3
    # The rebuilt room keeps writing: its next events follow on.
    again.advance()
    third = RoomRegistry(RoomStore(path)).room(room.code)
    assert third.market.steps == again.market.steps
    assert third.trades == again.trades


def test_events_reach_the_database_as_they_happen(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    registry = RoomRegistry(RoomStore(path))
    room, _ = registry.create(RoomSettings(round_seconds=0))
    ann = room.join("Ann")
    room.start()
    room.submit(ann.token, "buy", 12, 1)
    with sqlite3.connect(path) as other:  # another reader, as after a crash
        kinds = [k for (k,) in other.execute("SELECT kind FROM events ORDER BY seq")]
        (mode,) = other.execute("PRAGMA journal_mode").fetchone()
    assert kinds == ["join", "start", "order"]
    assert mode == "wal"


def test_a_tampered_log_does_not_replay_silently(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    play(RoomRegistry(RoomStore(path)))
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE events SET payload = json_set(payload, '$.quantity', 1) "
            "WHERE kind = 'order' AND json_extract(payload, '$.quantity') = 999"
        )
    with pytest.raises(ReplayError, match=r"event 6 \(order\) replayed to \{'order'"):
        RoomRegistry(RoomStore(path))


def test_a_producing_room_with_decisions_rebuilds_the_same(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    registry = RoomRegistry(RoomStore(path))
    room, _ = registry.create(RoomSettings(scenario="paper", seats=5, round_seconds=0))
    ann = room.join("Ann")
    room.start()
    room.decide(ann.token, 0.3, True, True)
    room.submit(ann.token, "buy", 5, 1)
    for _ in range(4):
        room.advance()
    before = state(room)
    after = state(RoomRegistry(RoomStore(path)).room(room.code))
    np.testing.assert_array_equal(after.pop("prices"), before.pop("prices"))
    assert after == before


def test_rooms_in_one_database_rebuild_apart(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    registry = RoomRegistry(RoomStore(path))
    one, _, _ = play(registry)
    two, _ = registry.create(RoomSettings(scenario="classroom-12", seats=12, round_seconds=0))
    two.join("Zoe")
    two.start()
    again = RoomRegistry(RoomStore(path))
    assert [r.code for r in again.rooms()] == [one.code, two.code]
    assert again.room(two.code).seats[0].name == "Zoe"
    assert again.room(two.code).market.steps == 1
    assert state(again.room(one.code))["trades"] == one.trades


def test_the_teacher_key_and_the_code_are_checked(tmp_path):
    registry = RoomRegistry(RoomStore(tmp_path / "rooms.sqlite3"))
    room, key = registry.create(RoomSettings())
    assert registry.teacher_room(room.code.lower(), key) is room
    with pytest.raises(RoomError, match="key: this is not the room's teacher key"):
        registry.teacher_room(room.code, key + "x")
    with pytest.raises(RoomError, match="code: no room has the code 'NOPE1'"):
        registry.room("nope1")


def test_bad_settings_make_no_room(tmp_path):
    registry = RoomRegistry(RoomStore(tmp_path / "rooms.sqlite3"))
    with pytest.raises(RoomError, match=r"seats: 0 must be a whole number in \[2, 60\]"):
        registry.create(RoomSettings(seats=0))
    with pytest.raises(RoomError, match="treatment: 'lottery' is not one of"):
        registry.create(RoomSettings(treatment="lottery"))
    assert registry.rooms() == []
    assert registry.store.rooms() == []


def test_the_debrief_holds_every_trade_with_names_and_the_year_treatments(tmp_path):
    path = tmp_path / "rooms.sqlite3"
    registry = RoomRegistry(RoomStore(path))
    room, _, _ = play(registry)
    files = zipfile.ZipFile(io.BytesIO(debrief_zip(registry.store, room)))
    assert sorted(files.namelist()) == sorted(
        ["trades.csv", "rounds.csv", "results.csv", "years.csv", "events.csv", "room.csv"]
    )
    trades = pd.read_csv(files.open("trades.csv"))
    assert len(trades) == len(room.trades)
    assert list(trades["price"]) == [t.price for t in room.trades]
    first = trades.iloc[0]
    assert (first.seller_name, first.buyer_name, first.price, first.quantity) == (
        "Ann",
        "Bob",
        45,
        2,
    )
    years = pd.read_csv(files.open("years.csv"))
    assert list(years["treatment"]) == ["the scenario's own"]
    # Four classroom firms (c = 1, 2, 4, 1) cut 400 - 310 t: p* = 90 / (1 + 1/2 + 1/4 + 1).
    assert years["p_star"].iloc[0] == pytest.approx(90 / 2.75, rel=1e-12)
    rounds = pd.read_csv(files.open("rounds.csv"))
    assert list(rounds["treatment"]) == ["the scenario's own"] * 6 + ["auction"] * 2
    settings = pd.read_csv(files.open("room.csv"))
    assert settings["seed"].iloc[0] == 0
    events = files.open("events.csv").read().decode()
    assert all(token not in events for token in (s.token for s in room.seats if s.token))
    results = pd.read_csv(files.open("results.csv"))
    assert set(results["name"]) >= {"Ann", "Cem"}
