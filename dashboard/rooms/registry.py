"""The rooms of one server: created, found by join code or token, rebuilt after a restart.

The registry owns the database and one countdown thread that plays each room's next round
when its time is up. Rooms are independent: each has its own market and lock, and the
registry's own lock guards only its table of rooms.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dashboard.rooms.errors import RoomError
from dashboard.rooms.records import key_digest
from dashboard.rooms.room import Room
from dashboard.rooms.seats import clean_code, new_code
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.store import RoomStore

logger = logging.getLogger(__name__)

#: The database the server's rooms live in unless ``CARBON_ROOMS_DB`` names another file.
DEFAULT_DATABASE = "rooms.sqlite3"
#: Seconds between two looks at the countdowns.
TICK = 0.2


class RoomRegistry:
    """Every room of a server, rebuilt from the database when it is opened.

    Args:
        store: the rooms' database.
        clock: seconds, for the countdowns (``time.monotonic``).
    """

    def __init__(self, store: RoomStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self._clock = store, clock
        self._lock = threading.Lock()
        self._rooms: dict[str, Room] = {}
        for room_id, code, key_hash, settings in store.rooms():
            events = store.events(room_id)
            self._rooms[code] = Room.replay(room_id, code, key_hash, settings, events, store, clock)
        self._ticker: threading.Thread | None = None

    def create(self, settings: RoomSettings) -> tuple[Room, str]:
        """A new room with a fresh join code; returns it and its teacher key (shown once).

        Raises:
            RoomError: a setting is out of range.
        """
        settings.check()
        key = secrets.token_urlsafe(12)
        with self._lock:
            code = new_code()
            while code in self._rooms:
                code = new_code()
            room_id = self.store.add_room(code, key_digest(key), settings)
            room = Room(room_id, code, key_digest(key), settings, self.store, self._clock)
            self._rooms[code] = room
        return room, key

    def room(self, code: object) -> Room:
        """The room with this join code.

        Raises:
            RoomError: no room has it.
        """
        with self._lock:
            room = self._rooms.get(clean_code(code))
        if room is None:
            raise RoomError(f"code: no room has the code {clean_code(code)!r}")
        return room

    def teacher_room(self, code: object, key: object) -> Room:
        """The room whose teacher key is ``key``.

        Raises:
            RoomError: no room has the code, or the key is wrong.
        """
        room = self.room(code)
        if not room.check_key(key):
            raise RoomError("key: this is not the room's teacher key")
        return room

    def rooms(self) -> list[Room]:
        """Every room, oldest first."""
        with self._lock:
            return list(self._rooms.values())

    def tick(self) -> int:
        """Play the next round of every room whose countdown ran out; how many did."""
        return sum(room.tick() for room in self.rooms())

    def start_countdowns(self) -> None:
        """Run :meth:`tick` every :data:`TICK` seconds on a daemon thread (once)."""
        with self._lock:
            if self._ticker is not None:
                return
            self._ticker = threading.Thread(target=self._tick_forever, daemon=True)
            self._ticker.start()

    def _tick_forever(self) -> None:
        while True:
            time.sleep(TICK)
            try:
                self.tick()
            except Exception:  # one room's failure must not stop every countdown
                logger.exception("rooms: a countdown failed")


_shared: RoomRegistry | None = None
_shared_lock = threading.Lock()


def shared_registry() -> RoomRegistry:
    """The server's registry, opened on first use from ``CARBON_ROOMS_DB`` (or the default)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            path = Path(os.environ.get("CARBON_ROOMS_DB", DEFAULT_DATABASE))
            _shared = RoomRegistry(RoomStore(path))
            _shared.start_countdowns()
        return _shared
