"""Which government policies and firm behaviours the dashboard offers on each scenario.

A policy is offered on a scenario only where it fits: a rule when the scenario accepts it
(``scenario``, the file's allocation table, needs a table), a learned one only on the scenario
it was trained on (the ``scenario`` its metadata records) and only when its files load. Each
scenario offers the regulator shipped for it (``regulator-NAME.zip``: ``paper``,
``paper-shocks``, ``eu-shocks``); where none was trained, as on ``classroom``, no learned
regulator is offered (the paper's would allocate nothing there). Learned firms likewise play
only where a shipped firm policy was trained (``paper``, ``classroom-12``), each scenario with
its own. The dashboard opens on the scenario's own policy, :data:`AS_IN_SCENARIO`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from agents.network import read_metadata
from agents.registry import POLICIES, shipped_regulator
from market.data import POLICY_DIR
from model import ScenarioError, load_scenario

#: The select entry (policy and behaviour mix) for what the scenario file itself says.
AS_IN_SCENARIO = "the scenario's own"
#: The policy the dashboard opens with.
DEFAULT_POLICY = AS_IN_SCENARIO
#: The policy select's entry for the learned regulator.
LEARNED = "learned"


def trained_on(path: Path) -> str | None:
    """The scenario a saved policy (regulator or firms) was trained on, None if unreadable."""
    try:
        scenario = read_metadata(path, str(path)).get("scenario")
    except ScenarioError:
        return None
    return scenario if isinstance(scenario, str) else None


def learned_regulator(scenario: str) -> Path:
    """The regulator the learned entry plays on ``scenario``: the one shipped for it.

    Where no regulator was trained on ``scenario`` this is the paper's, which
    :func:`learned_available` then refuses (it was trained on another scenario).
    """
    return shipped_regulator(scenario)


def learned_available(scenario: str = "paper", path: Path | None = None) -> bool:
    """Whether the learned regulator at ``path`` (default: the one shipped for ``scenario``) fits.

    It fits when it was trained on ``scenario`` and loads for it. Any failure to load (no
    file, a corrupt zip, another layout) means it is not offered.
    """
    return _fits(scenario, learned_regulator(scenario) if path is None else path)


@functools.cache
def _fits(scenario: str, path: Path) -> bool:
    if not path.is_file() or trained_on(path) != scenario:
        return False
    try:
        load_scenario(scenario, policy=f"learned:{path}")
    except Exception:  # whatever stops it loading, the baselines remain
        return False
    return True


@functools.cache
def learned_firms(scenario: str) -> Path | None:
    """The shipped learned-firm policy trained on ``scenario`` (``enterprises-*.zip``), if any."""
    for path in sorted(POLICY_DIR.glob("enterprises-*.zip")):
        if trained_on(path) == scenario:
            return path
    return None


def policy_value(choice: str, scenario: str, path: Path | None = None) -> str | None:
    """The ``policy`` override a select entry stands for on ``scenario`` (None: its own policy).

    The learned entry names the regulator at ``path``, by default the one shipped for
    ``scenario``.
    """
    if choice == AS_IN_SCENARIO:
        return None
    if choice == LEARNED:
        return f"learned:{learned_regulator(scenario) if path is None else path}"
    return choice


@functools.cache
def _rules_accepted(scenario: str) -> tuple[str, ...]:
    accepted = []
    for name in POLICIES:
        try:
            load_scenario(scenario, policy=name)
        except ScenarioError:
            continue
        accepted.append(name)
    return tuple(accepted)


def policy_choices(scenario: str = "paper", path: Path | None = None) -> list[str]:
    """The policy select's entries on ``scenario``: its own, learned (if it fits), the rules.

    The scenario's own rule is listed once, as :data:`AS_IN_SCENARIO` (the select's label
    names it), so no two entries mean the same policy.
    """
    learned = [LEARNED] if learned_available(scenario, path) else []
    own = scenario_policy(scenario)
    rules = [name for name in _rules_accepted(scenario) if name != own]
    return [AS_IN_SCENARIO, *learned, *rules]


def scenario_policy(scenario: str) -> str:
    """The name of the policy the scenario file sets (``[government] policy``)."""
    return load_scenario(scenario).government.policy


def policy_label(name: str) -> str:
    """A policy's name as the panels show it: a learned one by its file name, not its path."""
    if name.startswith("learned:"):
        return f"learned ({Path(name.removeprefix('learned:')).name})"
    return name
