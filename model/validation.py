"""The one validation entry: a scenario, with overrides, checked for everything a market needs.

:func:`load_scenario` is what the command line, the dashboard, the sweeps and the training
envs call before they build or promise a market: it checks every key's type and range
(:mod:`market.scenario_files`), then the names of the behaviours and the policy and that a
learned policy's files load and fit the market (:mod:`agents.registry`). Every failure is a
:class:`~market.config.ScenarioError` that names the key and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.registry import check_behaviour_names, make_behaviour, make_policy
from market import scenario_files
from market.config import ScenarioError
from market.scenario import Scenario


def read_scenario(scenario: str | Path | Scenario = "paper", **overrides: Any) -> Scenario:
    """A scenario by shipped name or path with overrides applied, each key checked.

    A :class:`Scenario` passes through unchanged (it was checked when it was loaded; it is
    frozen, so nothing can have changed it since).

    Raises:
        ScenarioError: a key is unknown or a value out of range, or overrides were given
            with a :class:`Scenario`.
    """
    if isinstance(scenario, Scenario):
        if overrides:
            raise ScenarioError("overrides: pass a scenario name or path to use overrides")
        return scenario
    return scenario_files.load_scenario(scenario, **overrides)


def load_scenario(scenario: str | Path | Scenario = "paper", **overrides: Any) -> Scenario:
    """Load a scenario and check everything a market built from it needs.

    Raises:
        ScenarioError: a key, a behaviour or policy name, or a learned policy's file is
            wrong; the message names the key.
    """
    checked = read_scenario(scenario, **overrides)
    check_behaviour_names(checked)
    make_policy(checked)
    if checked.market.learned_share > 0:
        make_behaviour("learned", checked.market)
    return checked
