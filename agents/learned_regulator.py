"""A trained regulator behind the government's policy interface (``--policy learned:PATH``).

A regulator is saved as files side by side (``train-regulator`` writes them):

* ``NAME.npz``: its network, the numbers it acts with (:mod:`agents.network`);
* ``NAME.json``: how its actions and observations are laid out (action mode, levers, number
  of firms) and how it was made (command, seed, config);
* ``NAME.zip`` and ``NAME.vecnormalize.pkl``: the Stable-Baselines3 model and its
  normalisation statistics, for training further (not needed to act).

A schedule-anchored (residual) regulator's network gives a correction around an open-loop
schedule (:mod:`agents.regulator_levers`); its ``NAME.json`` holds that schedule's content
(``base_schedule``: release shares, rule weights, auctioned share) and ``correction_scale``,
so it plays the same wherever the file goes, whatever became of the schedule file.

Each year the regulator observes the market (:mod:`agents.regulator_observation`), its
network gives the deterministic action, and the action decodes into the year's levers
(:mod:`agents.regulator_levers`), with which it allocates as the manual policy would.

A recurrent regulator (trained with ``algorithm: recurrent-ppo``) also remembers: its LSTM
state starts from zero in the market's first year and carries over from year to year. Every
market builds its own policy object (``agents.registry.make_policy``), so the memory is one
market's, also when a batch plays many markets with the same regulator file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.decisions import Allocation
from agents.network import LstmState, PolicyNetwork, load_network, read_metadata
from agents.policies import Policy, allocate_with
from agents.regulator_levers import ActionSpec
from agents.regulator_observation import observation_size, observe
from agents.schedule import schedule_from_record
from market.config import ScenarioError
from market.data import POLICY_DIR

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import GovernmentConfig

SHIPPED_REGULATOR = POLICY_DIR / "regulator-paper.zip"
LAYOUT_KEYS = ("action_mode", "auction", "price_floor")


def resolve_policy_path(path: str | Path) -> Path:
    """``shipped`` (or an empty path) names the shipped regulator; anything else is a path."""
    return SHIPPED_REGULATOR if str(path) in ("", "shipped") else Path(path)


class LearnedPolicy(Policy):
    """Allocates each year with the levers a trained regulator's network chooses.

    Args:
        config: the scenario's ``[government]`` table.
        network: the trained network.
        spec: how its action vector decodes into levers.
        path: where it came from (its name in tables and messages).
    """

    name = "learned"
    description = "a trained regulator (PPO)"

    def __init__(
        self, config: GovernmentConfig, network: PolicyNetwork, spec: ActionSpec, path: Path
    ) -> None:
        super().__init__(config)
        self.network, self.spec, self.path = network, spec, path
        self.name = f"learned:{path}"
        #: a recurrent network's memory: (year, state entering it, state leaving it)
        self.memory: tuple[int, LstmState, LstmState] | None = None

    def allocate(self, view: MarketView) -> Allocation:
        """Observe the market, take the network's action, and allocate with its levers."""
        observation = observe(view, self.spec.per_firm)
        if self.network.recurrent:
            action = self._remembering(observation, view.year)
        else:
            action = self.network.act(observation)
        return allocate_with(view, self.spec.decode(action, view))

    def _remembering(self, observation: np.ndarray, year: int) -> np.ndarray:
        """The recurrent action of ``year``: from zero in year 0, else from last year's state.

        Asked twice for the same year (a preview, then the year itself), it answers from the
        same state both times, so the memory advances once a year.
        """
        if year == 0 or self.memory is None:
            entering = self.network.initial_state()
        elif year == self.memory[0]:
            entering = self.memory[1]
        else:
            entering = self.memory[2]
        actions, leaving = self.network.act_recurrent(observation[None, :], entering)
        self.memory = (year, entering, leaving)
        return actions[0]


def residual_metadata(spec: ActionSpec) -> dict[str, Any]:
    """What a regulator's ``NAME.json`` records of its base schedule (nothing without one)."""
    if spec.base is None:
        return {}
    return {"base_schedule": spec.base.record(), "correction_scale": spec.correction_scale}


def load_learned_policy(
    config: GovernmentConfig, path: str, n_firms: int, years: int
) -> LearnedPolicy:
    """The ``learned:PATH`` policy for a market of ``n_firms`` firms and ``years`` years.

    ``learned:shipped`` is the shipped paper regulator.

    Raises:
        ScenarioError: the files are missing or corrupt, or the regulator was trained for
            another layout (number of firms, action mode, length of its base schedule); the
            message names the file.
    """
    where = f"government.policy: learned:{path}"
    model_path = resolve_policy_path(path)
    metadata = read_metadata(model_path, where)
    json_name = model_path.with_suffix(".json").name
    missing = [key for key in LAYOUT_KEYS if key not in metadata]
    if missing:
        raise ScenarioError(f"{where}: {json_name} is corrupt (no {missing[0]!r})")
    residual = {}
    if "base_schedule" in metadata:
        residual = {
            "base": schedule_from_record(
                metadata["base_schedule"], years, f"{where}: {json_name}: base_schedule"
            ),
            "correction_scale": metadata.get("correction_scale"),
        }
    try:
        spec = ActionSpec(
            metadata["action_mode"],
            n_firms,
            metadata["auction"],
            metadata["price_floor"],
            **residual,
        )
    except (ValueError, TypeError) as err:
        raise ScenarioError(f"{where}: {json_name}: {err}") from None
    network = load_network(model_path, where)
    expected = (observation_size(spec.per_firm, n_firms), spec.size)
    if (network.observation_size, network.action_size) != expected:
        raise ScenarioError(
            f"{where}: {model_path} was trained for {metadata.get('n_firms')} firms in "
            f"{metadata['action_mode']} mode (observation ({network.observation_size},), action "
            f"({network.action_size},)); this market needs observation ({expected[0]},) and "
            f"action ({expected[1]},)"
        )
    return LearnedPolicy(config, network, spec, model_path)
