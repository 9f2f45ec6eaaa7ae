"""Which government policies the dashboard offers, and the one it opens with.

The dashboard opens on the shipped learned regulator when its file exists and loads, else on
the paper's baseline ``decreasing-size``: :data:`DEFAULT_POLICY` is that one choice, made once
when this module is imported. ``learned`` is offered only when the regulator loads.
"""

from __future__ import annotations

import functools
from pathlib import Path

from agents.learned_regulator import SHIPPED_REGULATOR
from agents.registry import POLICIES
from model import load_scenario

#: The regulator trained on the ``paper`` scenario (learning/, `carbon-market train-regulator`).
LEARNED_REGULATOR = SHIPPED_REGULATOR
#: The paper baseline the dashboard falls back on without a learned regulator.
FALLBACK_POLICY = "decreasing-size"
#: The policy select's entry for the scenario file's own ``[government]`` policy.
AS_IN_SCENARIO = "as in scenario"
#: The policy select's entry for the learned regulator.
LEARNED = "learned"


def learned_available(path: Path | None = None) -> bool:
    """Whether the learned regulator at ``path`` (default: the shipped one) exists and loads.

    Any failure to load (no file, learning/ not installed or not ready, a corrupt zip) means
    it is not offered; the dashboard then runs on the baselines.
    """
    return _loads(LEARNED_REGULATOR if path is None else path)


@functools.cache
def _loads(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        load_scenario("paper", policy=f"learned:{path}")
    except Exception:  # whatever stops it loading, the baselines remain
        return False
    return True


def policy_value(choice: str, path: Path | None = None) -> str | None:
    """The ``policy`` override a select entry stands for (None: the scenario's own policy)."""
    if choice == AS_IN_SCENARIO:
        return None
    if choice == LEARNED:
        return f"learned:{LEARNED_REGULATOR if path is None else path}"
    return choice


def policy_choices(path: Path | None = None) -> list[str]:
    """The entries of the policy select: the scenario's own, learned (if it loads), the rest."""
    learned = [LEARNED] if learned_available(path) else []
    return [AS_IN_SCENARIO, *learned, *POLICIES]


def policy_label(name: str) -> str:
    """A policy's name as the panels show it: a learned one by its file name, not its path."""
    if name.startswith("learned:"):
        return f"learned ({Path(name.removeprefix('learned:')).name})"
    return name


#: The policy the dashboard opens with: the learned regulator if it loads, else the baseline.
DEFAULT_POLICY = LEARNED if learned_available() else FALLBACK_POLICY
