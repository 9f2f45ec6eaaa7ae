"""What a room records and shows: its phase, trades, rounds, standings, where records go."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol


class Phase(enum.StrEnum):
    """Where a room's game is."""

    LOBBY = "lobby"  # students join; no round played yet
    TRADING = "trading"  # rounds advance (countdown or button), students trade
    PAUSED = "paused"  # no countdown and no student orders; the button still advances
    BETWEEN_YEARS = "between years"  # a year ended; the teacher may switch the treatment
    ENDED = "ended"


@dataclass(frozen=True)
class TradeRecord:
    """A trade as the debrief lists it (price in coins per allowance, quantity in tonnes)."""

    seq: int
    round: int
    year: int
    buyer: int
    seller: int
    buyer_name: str
    seller_name: str
    price: int
    quantity: int


@dataclass(frozen=True)
class RoundRecord:
    """A played round: its volume-weighted price (nan without trades) and volume."""

    round: int
    year: int
    price: float
    volume: int
    treatment: str


@dataclass(frozen=True)
class Standing:
    """One seat on the leaderboard (coins); ``score`` is None where theory has no benchmark."""

    seat: int
    name: str
    profit: float
    score: float | None


class EventSink(Protocol):
    """Where a room writes what happens (the database)."""

    def event(self, room_id: int, seq: int, kind: str, payload: dict[str, Any]) -> None:
        """Append one event with its outcome."""

    def trades(self, room_id: int, trades: list[TradeRecord]) -> None:
        """Append the trades an event produced."""

    def round(self, room_id: int, record: RoundRecord) -> None:
        """Append a played round."""


def key_digest(key: str) -> str:
    """The stored form of a teacher key (its SHA-256, hex)."""
    return hashlib.sha256(key.encode()).hexdigest()
