"""The allocation treatments a teacher switches between, one per compliance year.

The treatments are the classroom page's (:mod:`dashboard.classroom`): three of the paper's
rules, the scenario's own policy and, where it ships, the learned regulator (trained on the
paper economy; a teacher may try it on any room whose layout it accepts).

A room's market runs the manual policy. Before a year's first round the room asks the year's
treatment, a shipped policy, what it would allocate, and sets the manual policy's levers to
give that allocation (:func:`levers_for`): the released share of the budget, the split
between firms (the policy's own free allocation as weights) and the auctioned share. The
model has no public way to change a running market's policy; these levers are (see the
report of issue 12: ``CarbonMarket.set_policy`` between years would make this direct).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.decisions import Levers
from agents.policies import Policy
from agents.registry import make_policy
from dashboard.policy_choice import AS_IN_SCENARIO, LEARNED, learned_available, policy_value
from dashboard.rooms.errors import RoomError
from model import ScenarioError, load_scenario

#: Treatments: the name a teacher picks -> the policy select entry it stands for.
TREATMENTS: dict[str, str] = {
    AS_IN_SCENARIO: AS_IN_SCENARIO,
    "grandfathering": "flat-grandfathering",
    "benchmarking": "flat-benchmarking",
    "auction": "auction",
    "learned regulator": LEARNED,
}


def treatment_names(scenario: str) -> list[str]:
    """The treatments on offer on ``scenario``: the learned regulator only where it fits."""
    return [
        name
        for name, entry in TREATMENTS.items()
        if entry != LEARNED or learned_available(scenario)
    ]


def check_treatment(treatment: str, scenario: str) -> None:
    """Fail unless ``treatment`` is one on offer on ``scenario``.

    Raises:
        RoomError: naming the treatments on offer.
    """
    names = treatment_names(scenario)
    if treatment not in names:
        raise RoomError(f"treatment: {treatment!r} is not one of {', '.join(names)}")


def treatment_policy(scenario: str, treatment: str, overrides: dict[str, Any]) -> Policy:
    """The policy a treatment stands for, built for the room's scenario and overrides.

    Raises:
        RoomError: the treatment is unknown or its policy does not fit the room (a learned
            regulator trained for another number of firms).
    """
    check_treatment(treatment, scenario)
    name = (
        policy_value(TREATMENTS[treatment], scenario) or load_scenario(scenario).government.policy
    )
    try:
        return make_policy(load_scenario(scenario, **{**overrides, "policy": name}))
    except ScenarioError as err:
        raise RoomError(f"treatment: {treatment} does not fit this room ({err})") from None


class _YearView:
    """The market's view with ``year`` set to the coming year (read before it starts)."""

    def __init__(self, view: Any, year: int) -> None:
        self._view, self.year = view, year

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)


def levers_for(policy: Policy, view: Any, year: int) -> Levers:
    """The manual policy's levers that give ``policy``'s allocation for ``year``.

    Args:
        policy: the treatment's policy.
        view: the market's read-only view, as it stands before the year's first round.
        year: the coming year (0-based).

    Returns:
        Levers releasing what the policy releases, split in proportion to its free
        allocation, with its auctioned part as the auctioned share.
    """
    allocation = policy.allocate(_YearView(view, year))
    free = np.asarray(allocation.free, dtype=float)
    to_firms = float(free.sum()) + allocation.auctioned
    release = to_firms + allocation.green_projects
    budget = float(view.budget)
    return Levers(
        release_share=min(1.0, release / budget) if budget > 0 else 0.0,
        weights=free if free.sum() > 0 else None,
        auction_share=allocation.auctioned / to_firms if to_firms > 0 else 0.0,
        price_floor=allocation.price_floor,
    )
