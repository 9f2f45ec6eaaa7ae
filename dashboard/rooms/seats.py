"""A room's seats: the firm each student plays, their token, and what the room tells them.

A seat is one firm of the room's market. A student holds it by their personal token (a
secret in their page's link); a seat nobody holds is played by the room's bot behaviour.
"""

from __future__ import annotations

import math
import secrets
from collections import deque
from dataclasses import dataclass, field

from dashboard.rooms.errors import RoomError
from dashboard.student import StudentBehaviour

#: Notices a seat keeps (the newest last).
NOTICES = 20
#: Longest student name, in characters.
NAME_LENGTH = 24
#: Join codes use letters and digits that cannot be mistaken for each other.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5


@dataclass
class Seat:
    """One firm of the room and who plays it.

    Attributes:
        index: the firm's index in the market.
        name: the student's name, None while a bot plays the seat.
        token: the student's secret token, None while a bot plays the seat.
        behaviour: the student's firm decisions (production, R&D) while a student holds it.
        notices: what happened to the student's orders (rejected, cancelled, expired).
    """

    index: int
    name: str | None = None
    token: str | None = None
    behaviour: StudentBehaviour | None = None
    notices: deque[str] = field(default_factory=lambda: deque(maxlen=NOTICES))

    @property
    def occupied(self) -> bool:
        """Whether a student holds the seat."""
        return self.token is not None

    def label(self, bots: str) -> str:
        """The seat as lists show it: the student's name or the bot that plays it."""
        return self.name if self.name is not None else f"bot ({bots})"


def new_token() -> str:
    """A student's personal token (URL-safe, unguessable)."""
    return secrets.token_urlsafe(12)


def new_code() -> str:
    """A short join code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_name(name: object) -> str:
    """A student's name, trimmed.

    Raises:
        RoomError: the name is empty, too long or not printable.
    """
    text = str(name or "").strip()
    if not text:
        raise RoomError("name: type a name to join")
    if len(text) > NAME_LENGTH or not text.isprintable():
        raise RoomError(f"name: at most {NAME_LENGTH} printable characters")
    return text


def clean_code(code: object) -> str:
    """A join code as typed (spaces dropped, upper case)."""
    return "".join(str(code or "").split()).upper()


def whole_number(name: str, value: object, low: int, high: int) -> int:
    """A whole number typed into a field, checked against its range.

    Raises:
        RoomError: the value is not a whole number or is outside ``[low, high]``.
    """
    if isinstance(value, bool):
        raise RoomError(f"{name}: {value!r} is not a whole number")
    if isinstance(value, int):
        number = value
    else:
        try:
            as_float = float(str(value).strip())
        except ValueError:
            raise RoomError(f"{name}: {value!r} is not a whole number") from None
        if not math.isfinite(as_float) or as_float != int(as_float):
            raise RoomError(f"{name}: {value!r} is not a whole number")
        number = int(as_float)
    if not low <= number <= high:
        raise RoomError(f"{name}: {number} must be in [{low}, {high}]")
    return number
