"""The projector's page ``/screen`` (no controls) and the teacher's ``/debrief``.

The screen shows the class what the lesson is about: the price path, the bids and asks in
the book (by price, and stacked as the class's demand and supply), the volume, the
countdown and the leaderboard; once the teacher reveals theory, also p* and the competitive
interval on the price path and the gains from trade realised against the most there are.
The debrief page draws the price path for the whole game, its tables, and offers the
debrief file.
"""

from __future__ import annotations

import solara

from dashboard.order_book import depth_spec
from dashboard.rooms.charts import (
    gains_text,
    leaderboard_frame,
    price_spec,
    stacks_spec,
    volume_text,
)
from dashboard.rooms.debrief import debrief_tables, debrief_zip
from dashboard.rooms.errors import RoomError
from dashboard.rooms.live import find_room, status_line, use_query, use_room_updates
from dashboard.rooms.registry import shared_registry
from dashboard.rooms.room import Room
from dashboard.tables import DenseTable
from dashboard.vega import VegaChart


@solara.component
def ScreenPage():
    """Page ``/screen``: the room for the projector."""
    room, error = find_room(use_query().get("code"))
    version = use_room_updates(room)
    solara.Title("Carbon market: class screen")
    if room is None:
        solara.Error(error or "code: add ?code=<the room's code> to the link")
        return
    Screen(room, version)


@solara.component
def Screen(room: Room, version: int):
    """What the projector shows of ``room``; ``version`` is the room's version it shows."""
    with room.lock:
        status, volume = status_line(room), volume_text(room)
        gains = gains_text(room) if room.theory_shown else None
        prices, depth, stacks = price_spec(room), depth_spec(room.market, None), stacks_spec(room)
    solara.Markdown(f"# Room {room.code} · join at /join with the code **{room.code}**")
    solara.Text(status, classes=["room-status"])
    if gains is not None:
        solara.Markdown(gains)
    solara.Text(volume)
    with solara.Columns([1, 1]):
        with solara.Card("Price per round", margin=0):
            VegaChart(prices)
        with solara.Card("Bids and asks in the book", margin=0):
            VegaChart(depth)
    with solara.Card("The bid and ask stacks", margin=0):
        VegaChart(stacks)
    Leaderboard(room, version)


@solara.component
def Leaderboard(room: Room, version: int):
    """The leaderboard: profit, and the score against the competitive equilibrium.

    ``version`` is the room's version this render shows (a new one renders it again).
    """
    with room.lock:
        table = leaderboard_frame(room)
    with solara.Card("Leaderboard", margin=0):
        if room.textbook:
            solara.Text(
                "score = profit minus the firm's profit in the competitive equilibrium "
                "(0 = traded like the textbook market)"
            )
        DenseTable({column: column for column in table.columns}, table.to_dict("records"))


@solara.component
def DebriefPage():
    """Page ``/debrief``: the game's charts and tables, and the debrief file (teacher key)."""
    query = use_query()
    solara.Title("Carbon market: debrief")
    try:
        room = shared_registry().teacher_room(query.get("code"), query.get("key"))
    except RoomError as err:
        solara.Error(str(err))
        return
    use_room_updates(room)
    with room.lock:
        tables = debrief_tables(shared_registry().store, room)
        prices = price_spec(room)
    solara.Markdown(f"# Debrief of room {room.code}")
    solara.FileDownload(
        lambda: debrief_zip(shared_registry().store, room),
        filename=f"room-{room.code}-debrief.zip",
        label="Download the debrief (zip of CSV files)",
    )
    with solara.Card("Price per round (theory as shown on the screen)", margin=0):
        VegaChart(prices)
    for name in ("years.csv", "results.csv", "trades.csv"):
        frame = tables[name]
        with solara.Card(name.removesuffix(".csv"), margin=0):
            if len(frame):
                solara.DataFrame(frame, items_per_page=12)
            else:
                solara.Text("nothing yet")
