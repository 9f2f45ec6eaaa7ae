"""An open-loop schedule: a fixed release per year and a fixed mix of the textbook split rules.

A schedule observes nothing: year ``y`` releases ``release_shares[y]`` of the episode budget
(capped, as every policy is, by the yearly maximum and what remains) and splits it between
the firms by a weighted mix of the textbook allocation rules (``agents.policies.rule_shares``
in the order of ``ALLOCATION_RULES``: grandfathering, benchmarking, size, equal). It is the
baseline an adaptive regulator must beat to show that reacting to the market pays:
``carbon-market optimize-schedule`` finds the best one for a scenario, and ``schedule:FILE``
plays it.

The file is JSON::

    {"release_shares": [0.0, 0.12, ...],          # one per year, each in [0, 1]
     "rule_weights": [0.1, 0.6, 0.2, 0.1],        # grandfathering, benchmarking, size, equal
     "auction_share": 0.0}                        # optional, of the firms' part, in [0, 1]

and may carry anything else (``provenance``: how it was made).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.decisions import Allocation, Levers
from agents.policies import Policy, allocate_with, rule_shares
from market.config import ScenarioError

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import GovernmentConfig


@dataclass(frozen=True)
class Schedule:
    """Per-year release shares and the weights of the textbook split rules.

    Attributes:
        release_shares: share of the episode budget released in each year.
        rule_weights: non-negative weights of :data:`agents.policies.ALLOCATION_RULES`.
        auction_share: share of the firms' part sold in the call auction.
    """

    release_shares: tuple[float, ...]
    rule_weights: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)
    auction_share: float = 0.0

    def levers(self, view: MarketView, year: int) -> Levers:
        """The manual levers that play this schedule's ``year`` (from 0) in ``view``'s market."""
        weights = np.asarray(self.rule_weights) @ rule_shares(view)
        return Levers(self.release_shares[year], weights, self.auction_share)

    def record(self) -> dict[str, Any]:
        """The schedule as the JSON object of its file (lists of floats)."""
        return {key: list(v) if isinstance(v, tuple) else v for key, v in asdict(self).items()}

    def save(self, path: str | Path, **extra: Any) -> Path:
        """Write the schedule as JSON with ``extra`` keys (e.g. ``provenance``) beside it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {**self.record(), **extra}
        path.write_text(json.dumps(record, indent=2) + "\n")
        return path


def load_schedule(path: str | Path, years: int) -> Schedule:
    """Read and check a schedule file for an episode of ``years`` years.

    Raises:
        ScenarioError: the file is missing or not JSON, or a field is missing or out of range
            (the message names the file and the field).
    """
    where = f"schedule {path}"
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScenarioError(f"{where}: cannot be read as JSON ({error})") from None
    return schedule_from_record(record, years, where)


def schedule_from_record(record: Any, years: int, where: str) -> Schedule:
    """Check a schedule's JSON object (as a file or a regulator's metadata holds it).

    Args:
        record: the decoded JSON object.
        years: the episode's length in years.
        where: what every error message starts with (the file that held it).

    Raises:
        ScenarioError: a field is missing or out of range (the message names it).
    """
    if not isinstance(record, dict):
        raise ScenarioError(f"{where}: expected a JSON object with release_shares")
    shares = _numbers(where, "release_shares", record.get("release_shares"), years, 0.0, 1.0)
    weights = _numbers(
        where, "rule_weights", record.get("rule_weights", [0, 0, 0, 1]), 4, 0.0, math.inf
    )
    if sum(weights) <= 0:
        raise ScenarioError(f"{where}: rule_weights must not all be 0")
    (auction,) = _numbers(where, "auction_share", [record.get("auction_share", 0.0)], 1, 0.0, 1.0)
    return Schedule(shares, weights, auction)


def _numbers(
    where: str, field: str, values: Any, length: int, lo: float, hi: float
) -> tuple[float, ...]:
    """``values`` as ``length`` finite floats in ``[lo, hi]``, or an error naming ``field``."""
    ok = isinstance(values, list) and len(values) == length
    ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if not ok or not all(math.isfinite(v) for v in values):
        raise ScenarioError(f"{where}: {field} must be a list of {length} numbers")
    if not all(lo <= v <= hi for v in values):
        raise ScenarioError(f"{where}: every entry of {field} must be in [{lo:g}, {hi:g}]")
    return tuple(float(v) for v in values)


class ScheduleAllocation(Policy):
    """Plays an open-loop :class:`Schedule` (``schedule:FILE``).

    Args:
        config: the scenario's ``[government]`` table.
        schedule: the schedule to play.
    """

    description = (
        "an open-loop schedule from a JSON file: a release share per year and a mix of the "
        "textbook split rules (carbon-market optimize-schedule writes one)"
    )

    def __init__(self, config: GovernmentConfig, schedule: Schedule, name: str) -> None:
        super().__init__(config)
        self.schedule, self.name = schedule, name

    def allocate(self, view: MarketView) -> Allocation:
        """This year's share, split by the schedule's mix of the textbook rules."""
        return allocate_with(view, self.schedule.levers(view, view.year))
