"""A trained regulator behind the government's policy interface (``--policy learned:PATH``).

A regulator is saved as three files side by side (``train-regulator`` writes them):

* ``NAME.zip``: the Stable-Baselines3 PPO model;
* ``NAME.vecnormalize.pkl``: the observation normalisation statistics (VecNormalize);
* ``NAME.json``: how its actions and observations are laid out (action mode, levers, number
  of firms) and how it was made (command, seed, config).

Stable-Baselines3 files are pickles: loading one can run arbitrary code. Load only files you
trust (the ones shipped in ``data/policies`` or that you trained yourself).
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.policies import Allocation, ManualPolicy
from learning.levers import ActionSpec
from learning.observation import observation_size, observe
from model.scenario import DATA_DIR, ScenarioError

if TYPE_CHECKING:
    from stable_baselines3 import PPO

    from model.market import CarbonMarket
    from model.scenario import GovernmentConfig

SHIPPED_REGULATOR = DATA_DIR / "policies" / "regulator-paper.zip"


def sidecars(model_path: Path) -> tuple[Path, Path]:
    """The normalisation-statistics and metadata files that belong to a model ``.zip``."""
    stem = model_path.with_suffix("")
    return stem.with_name(stem.name + ".vecnormalize.pkl"), stem.with_suffix(".json")


def resolve_policy_path(path: str | Path) -> Path:
    """``shipped`` (or an empty path) names the shipped regulator; anything else is a path."""
    return SHIPPED_REGULATOR if str(path) in ("", "shipped") else Path(path)


class LearnedPolicy(ManualPolicy):
    """Sets the manual levers each year from a trained PPO regulator's deterministic action.

    Args:
        config: the scenario's ``[government]`` table.
        model: the loaded PPO model.
        normalizer: the VecNormalize statistics it was trained with (or None).
        metadata: the ``.json`` sidecar (action layout).
        path: where the model came from (for messages).
    """

    name = "learned"
    description = "a trained regulator (PPO)"

    def __init__(
        self,
        config: GovernmentConfig,
        model: PPO,
        normalizer: Any,
        metadata: dict[str, Any],
        path: Path,
    ) -> None:
        super().__init__(config)
        self.model, self.normalizer, self.metadata, self.path = model, normalizer, metadata, path
        self.name = f"learned:{path}"
        self.releases: list[float] = []
        self._initial_floor: int | None = None

    def check(self, market: CarbonMarket) -> ActionSpec:
        """The action layout for ``market``, after checking the model fits it."""
        meta = self.metadata
        spec = ActionSpec(
            meta["action_mode"], market.enterprises.n, meta["auction"], meta["price_floor"]
        )
        per_firm = spec.mode == "per-firm"
        expected_obs = (observation_size(per_firm, market.enterprises.n),)
        if self.model.observation_space.shape != expected_obs or self.model.action_space.shape != (
            spec.size,
        ):
            raise ScenarioError(
                f"government.policy: {self.path} was trained for "
                f"{meta.get('n_firms')} firms in {meta['action_mode']} mode (observation "
                f"{self.model.observation_space.shape}, action {self.model.action_space.shape}); "
                f"this market needs observation {expected_obs} and action ({spec.size},)"
            )
        return spec

    def allocate(self, market: CarbonMarket) -> Allocation:
        """Observe the market, ask the model for its action, and allocate with those levers."""
        spec = self.check(market)
        obs = observe(market, market.config.climate_coefficient, spec.mode == "per-firm")
        if self.normalizer is not None:
            obs = self.normalizer.normalize_obs(obs[None, :])[0]
        action, _ = self.model.predict(obs, deterministic=True)
        if self._initial_floor is None:  # the scenario's floor, before any floor lever
            self._initial_floor = market.config.price_floor
        spec.apply(np.asarray(action), market, self._initial_floor)
        allocation = super().allocate(market)
        self.releases.append(allocation.release)
        return allocation


def load_saved_policy(path: str | Path, where: str) -> tuple[PPO, Any, dict[str, Any], Path]:
    """Load a saved PPO model with its sidecars; ``where`` prefixes every error message.

    Raises:
        ScenarioError: the file is missing, corrupt, not a PPO model, or lacks its sidecars.
    """
    from stable_baselines3 import PPO

    model_path = Path(path)
    if not model_path.is_file():
        raise ScenarioError(f"{where}: no policy file at {model_path}")
    stats_path, meta_path = sidecars(model_path)
    if not meta_path.is_file():
        raise ScenarioError(
            f"{where}: missing {meta_path.name} beside it (written by "
            "training; it says how the policy's inputs and outputs are laid out)"
        )
    try:
        metadata = json.loads(meta_path.read_text())
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{where}: {meta_path.name} is corrupt ({err})") from err
    if not isinstance(metadata, dict):
        raise ScenarioError(f"{where}: {meta_path.name} is corrupt (not a JSON object)")
    try:
        model = PPO.load(model_path, device="cpu")
    except (
        zipfile.BadZipFile,
        ValueError,
        KeyError,
        EOFError,
        RuntimeError,
        pickle.UnpicklingError,
    ) as err:
        raise ScenarioError(
            f"{where}: {model_path} is not a readable Stable-Baselines3 PPO "
            f"file ({type(err).__name__}: {err})"
        ) from err
    normalizer = None
    if stats_path.is_file():
        try:
            with stats_path.open("rb") as handle:
                normalizer = pickle.load(handle)  # trusted file: see the module docstring
        except (pickle.UnpicklingError, EOFError, AttributeError) as err:
            raise ScenarioError(f"{where}: {stats_path.name} is corrupt ({err})") from err
    elif metadata.get("normalize", True):
        raise ScenarioError(
            f"{where}: missing {stats_path.name} beside it (the observation "
            "statistics it was trained with)"
        )
    return model, normalizer, metadata, model_path


def load_regulator(path: str | Path) -> tuple[PPO, Any, dict[str, Any], Path]:
    """Load a saved regulator (``shipped`` names the shipped one), checking its layout keys.

    Raises:
        ScenarioError: as :func:`load_saved_policy`, or the metadata lacks the action layout.
    """
    where = f"government.policy: learned:{path}"
    model, normalizer, metadata, model_path = load_saved_policy(resolve_policy_path(path), where)
    missing = [k for k in ("action_mode", "auction", "price_floor") if k not in metadata]
    if missing:
        raise ScenarioError(
            f"{where}: {sidecars(model_path)[1].name} is corrupt (no {missing[0]!r})"
        )
    return model, normalizer, metadata, model_path


def load_learned_policy(config: GovernmentConfig, path: str) -> LearnedPolicy:
    """The ``learned:PATH`` policy (``learned:shipped`` is the shipped paper regulator)."""
    model, normalizer, metadata, model_path = load_regulator(path)
    return LearnedPolicy(config, model, normalizer, metadata, model_path)
