"""What a teacher chooses for a room, checked in one place.

A room's market is the scenario resized to the number of seats and years, with the budget
scaled in proportion to both so every firm faces the same yearly cap whatever the class size
and the length of the game, and with the room's tempo (rounds per year). The allocation
comes from the treatment of each year (:mod:`dashboard.rooms.treatments`), applied through
the manual policy's levers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from dashboard.policy_choice import AS_IN_SCENARIO
from dashboard.rooms.errors import RoomError
from dashboard.rooms.treatments import treatment_policy
from model import ScenarioError, load_scenario

#: Scenarios a room can run.
SCENARIOS = ("classroom", "classroom-12", "paper")
#: Behaviours that play the seats no student holds.
BOTS = ("zi-c", "rule-based")
#: Ranges of the numeric settings: (low, high), inclusive.
RANGES: dict[str, tuple[float, float]] = {
    "seats": (2, 60),
    "round_seconds": (0, 600),
    "rounds_per_year": (1, 500),
    "years": (1, 10),
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class RoomSettings:
    """A room's settings.

    Attributes:
        scenario: one of :data:`SCENARIOS`.
        treatment: the first year's treatment (a name of
            :data:`~dashboard.rooms.treatments.TREATMENTS`).
        seats: firms in the market, one per student; bots play the empty ones.
        bots: the behaviour of the empty seats, one of :data:`BOTS`.
        round_seconds: seconds per round on the countdown; 0 advances only by the button.
        rounds_per_year: trading rounds in a compliance year.
        years: compliance years in the game.
        seed: random seed of the market (the same seed and events give the same game).
    """

    scenario: str = "classroom"
    treatment: str = AS_IN_SCENARIO
    seats: int = 3
    bots: str = "zi-c"
    round_seconds: float = 10.0
    rounds_per_year: int = 20
    years: int = 3
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoomSettings:
        """Settings from a JSON-like dict, checked (unknown keys rejected).

        Raises:
            RoomError: a key is unknown or a value is out of range.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RoomError(f"settings: unknown key {unknown[0]!r} (known: {', '.join(known)})")
        settings = cls(**data)
        settings.check()
        return settings

    def as_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return dataclasses.asdict(self)

    def check(self) -> None:
        """Fail unless every setting is allowed and the scenario accepts the overrides.

        Raises:
            RoomError: naming the setting and its allowed values.
        """
        if self.scenario not in SCENARIOS:
            raise RoomError(f"scenario: {self.scenario!r} is not one of {', '.join(SCENARIOS)}")
        if self.bots not in BOTS:
            raise RoomError(f"bots: {self.bots!r} is not one of {', '.join(BOTS)}")
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            whole = name != "round_seconds"
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or (whole and value != int(value))
                or not low <= value <= high
            ):
                kind = "a whole number" if whole else "a number"
                raise RoomError(f"{name}: {value!r} must be {kind} in [{low:g}, {high:g}]")
        try:
            load_scenario(self.scenario, **self.overrides())
        except ScenarioError as err:
            raise RoomError(str(err)) from None
        treatment_policy(self.scenario, self.treatment, self.overrides())

    def overrides(self) -> dict[str, Any]:
        """The scenario overrides the room's market is built with."""
        base = load_scenario(self.scenario)
        return {
            "policy": "manual",
            "n_firms": int(self.seats),
            "budget": base.market.budget
            * (int(self.seats) / base.n_firms)
            * (int(self.years) / base.market.years),
            "steps_per_year": int(self.rounds_per_year),
            "years": int(self.years),
        }
