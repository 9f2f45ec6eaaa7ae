"""How a page follows its room: the link's parameters and a short poll of the room.

``solara.reactive`` values are per browser tab, so a room (shared by a class) cannot be one.
Each page instead polls its room's version counter, which every event bumps, on a thread of
its own (``solara.use_thread``) every :data:`POLL` seconds, and renders again when the
version (or the countdown's second) changed: a new order or trade reaches every page within
a second.
"""

from __future__ import annotations

import math
import threading
from urllib.parse import parse_qs, urlencode

import solara

from dashboard.rooms.errors import RoomError
from dashboard.rooms.registry import shared_registry
from dashboard.rooms.room import Phase, Room

#: Seconds between two looks at a room.
POLL = 0.25


def use_query() -> dict[str, str]:
    """The page link's query parameters (the first value of each)."""
    search = solara.use_router().search or ""
    return {key: values[0] for key, values in parse_qs(search).items()}


def link(path: str, **params: str) -> str:
    """A page's path with its query parameters."""
    return f"/{path}?{urlencode(params)}"


def find_room(code: str | None) -> tuple[Room | None, str | None]:
    """The room of a join code, or the message saying why there is none."""
    if not code:
        return None, None
    try:
        return shared_registry().room(code), None
    except RoomError as err:
        return None, str(err)


def use_room_updates(room: Room | None) -> int:
    """Render again whenever the room changes or its countdown's second does."""
    state, set_state = solara.use_state((0, 0))

    def poll(cancel: threading.Event) -> None:
        if room is None:
            return
        seen = None
        while not cancel.wait(POLL):
            left = room.seconds_left
            now = (room.version, -1 if left is None else math.ceil(left))
            if now != seen:
                seen = now
                set_state(now)

    solara.use_thread(poll, dependencies=[room], intrusive_cancel=False)
    return state[0]


def status_line(room: Room) -> str:
    """Where the game is: phase, year, the round orders go into now, countdown, treatment.

    A year's first round is played as it starts (the allocation and the bots' first quotes),
    so while a year is under way the round shown is the coming one, the round a student's
    order is placed in and the countdown will close.
    """
    market, cfg = room.market, room.market.config
    rounds = cfg.steps_per_year
    year, round_ = divmod(market.steps, rounds)
    if room.phase == Phase.LOBBY:
        where = "not started"
    elif room.phase in (Phase.TRADING, Phase.PAUSED):
        where = f"year {year + 1} of {cfg.years}, round {round_ + 1} of {rounds}"
    else:
        where = f"year {year} of {cfg.years} finished"
    left = room.seconds_left
    countdown = f" · next round in {math.ceil(left)} s" if left is not None else ""
    return f"{room.phase} · {where}{countdown} · treatment: {room.treatment()}"
