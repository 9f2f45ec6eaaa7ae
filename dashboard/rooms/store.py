"""The rooms' database: one SQLite file with every room's events, trades and rounds.

Events are written as they happen, one transaction each, so a killed server loses nothing a
page was told had happened. The file runs in write-ahead-log mode (readers, such as the
debrief download, do not block the room that writes). A room is rebuilt from its row in
``rooms`` and its ``events`` in order; ``trades`` and ``rounds`` are what the debrief reads.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dashboard.rooms.records import RoundRecord, TradeRecord
from dashboard.rooms.settings import RoomSettings

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
    settings TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    room INTEGER NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (room, seq)
);
CREATE TABLE IF NOT EXISTS trades (
    room INTEGER NOT NULL REFERENCES rooms(id),
    seq INTEGER NOT NULL,
    round INTEGER NOT NULL,
    year INTEGER NOT NULL,
    buyer INTEGER NOT NULL,
    seller INTEGER NOT NULL,
    buyer_name TEXT NOT NULL,
    seller_name TEXT NOT NULL,
    price INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    PRIMARY KEY (room, seq)
);
CREATE TABLE IF NOT EXISTS rounds (
    room INTEGER NOT NULL REFERENCES rooms(id),
    round INTEGER NOT NULL,
    year INTEGER NOT NULL,
    price REAL,
    volume INTEGER NOT NULL,
    treatment TEXT NOT NULL,
    PRIMARY KEY (room, round)
);
"""


class RoomStore:
    """The database of one server's rooms.

    Args:
        path: the SQLite file (created if missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def add_room(self, code: str, key_hash: str, settings: RoomSettings) -> int:
        """Record a new room; returns its id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO rooms (code, key_hash, settings, created) VALUES (?, ?, ?, ?)",
                (code, key_hash, json.dumps(settings.as_dict()), time.time()),
            )
            return int(cursor.lastrowid)

    def event(self, room_id: int, seq: int, kind: str, payload: dict[str, Any]) -> None:
        """Append one event of a room."""
        with self._lock:
            self._db.execute(
                "INSERT INTO events (room, seq, kind, payload, at) VALUES (?, ?, ?, ?, ?)",
                (room_id, seq, kind, json.dumps(payload), time.time()),
            )

    def trades(self, room_id: int, trades: list[TradeRecord]) -> None:
        """Append a room's new trades (one transaction)."""
        rows = [(room_id, *asdict(t).values()) for t in trades]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")

    def round(self, room_id: int, record: RoundRecord) -> None:
        """Append a played round."""
        price = None if math.isnan(record.price) else record.price
        with self._lock:
            self._db.execute(
                "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?)",
                (room_id, record.round, record.year, price, record.volume, record.treatment),
            )

    def rooms(self) -> list[tuple[int, str, str, RoomSettings]]:
        """Every room: ``(id, code, key_hash, settings)``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, code, key_hash, settings FROM rooms ORDER BY id"
            ).fetchall()
        return [(i, c, k, RoomSettings.from_dict(json.loads(s))) for i, c, k, s in rows]

    def events(self, room_id: int) -> list[tuple[str, dict[str, Any]]]:
        """A room's events in order: ``(kind, payload)``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, payload FROM events WHERE room = ? ORDER BY seq", (room_id,)
            ).fetchall()
        return [(kind, json.loads(payload)) for kind, payload in rows]

    def query(self, sql: str, params: tuple = ()) -> tuple[list[str], list[tuple]]:
        """Rows of a read-only query: ``(column names, rows)``."""
        with self._lock:
            cursor = self._db.execute(sql, params)
            return [d[0] for d in cursor.description], cursor.fetchall()
