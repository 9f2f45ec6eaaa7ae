"""Training envs for learned firms: every learned firm of M markets is one slot of a VecEnv.

:class:`EnterpriseVecEnv` is a Stable-Baselines3 ``VecEnv`` over ``markets`` (M) independent
:class:`~model.carbon_market.CarbonMarket` s: the slots are the learned firms of market 0,
then those of market 1, and so on, so one PPO policy acting on all slots is the paper's
parameter sharing, one rollout collects every learned firm's experience, and one policy call
per round acts for every firm of every market. One step is one trading round in every
market; each market's episode ends on its own and a fresh market starts in its place from
that market's next seed. :class:`EnterpriseEnv` is the same with a single learned firm, as a
plain Gymnasium env (it passes ``check_env``). Observations and actions:
:mod:`agents.learned_firm`; rewards: :mod:`learning.firm_reward`.

Seeds: market k draws its markets' seeds from a stream of its own, so a market's trajectory
does not depend on how many markets are batched with it (:func:`market_seed_sequences`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv

from agents.learned_firm import ACTION_SIZE, FIRM_FEATURES, LearnedBehaviour, firm_observations
from learning.firm_reward import isoelastic_utility, net_worth
from learning.seeds import EVALUATION_SEED_START
from learning.train_config import check_markets
from model import CarbonMarket
from model.validation import read_scenario

OBSERVATION_SPACE = gym.spaces.Box(-np.inf, np.inf, (len(FIRM_FEATURES),), np.float32)
ACTION_SPACE = gym.spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)


def market_seed_sequences(seed: int | None, markets: int) -> list[np.random.SeedSequence]:
    """The seed sequence each of ``markets`` markets draws its market seeds from.

    Market 0 takes ``SeedSequence(seed)`` itself, the stream a single market has always
    drawn from (``np.random.default_rng(seed)``), so one market replays the training of
    before; market k >= 1 takes the child ``SeedSequence(seed, spawn_key=(k,))``. Each
    depends on ``seed`` and k only, so market k plays the same episodes whatever the number
    of markets beside it; with ``seed`` None all share one fresh entropy.
    """
    root = np.random.SeedSequence(seed)
    return [root] + [
        np.random.SeedSequence(root.entropy, spawn_key=(k,)) for k in range(1, markets)
    ]


class FirmMarket:
    """A market whose learned firms are driven from outside, one round at a time.

    Args:
        scenario: shipped scenario name or TOML path.
        seed: seeds the sequence of market seeds (an int, a ``SeedSequence`` or None).
        seed_pool: market seeds to use in turn instead (held-out evaluation).
        **overrides: scenario keys; by default every firm is learned (``learned_share=1``).
    """

    render_mode = None  # nothing to render; SB3's VecEnv asks

    def __init__(
        self,
        scenario: str = "paper",
        seed: int | np.random.SeedSequence | None = None,
        seed_pool: Sequence[int] | None = None,
        **overrides: Any,
    ) -> None:
        self.scenario = scenario
        self.overrides = {
            "learned_share": 1.0,
            "firm_data": "year",
            **overrides,
            "enterprise_policy": "",
        }
        self.rng = np.random.default_rng(seed)
        self.seed_pool = list(seed_pool) if seed_pool is not None else None
        self.episodes = 0
        self.new_market()

    def new_market(self) -> np.ndarray:
        """Start the next episode; return the slots' first observations."""
        if self.seed_pool is not None:
            seed = self.seed_pool[self.episodes % len(self.seed_pool)]
        else:
            seed = int(self.rng.integers(EVALUATION_SEED_START))
        self.episodes += 1
        self.market = CarbonMarket(self.scenario, seed=seed, **self.overrides)
        groups = [
            (b, f) for b, f in self.market.behaviour_groups() if isinstance(b, LearnedBehaviour)
        ]
        if not groups:
            raise ValueError("learned_share: the market has no learned firm to train")
        self.behaviour, self.slots = groups[0]
        self.utility = isoelastic_utility(net_worth(self.market.view, self.slots))
        return firm_observations(self.market.view, self.slots)

    def play_round(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """One trading round with the slots' ``actions``: (observations, rewards, episode over)."""
        self.behaviour.set_actions(actions)
        self.market.step()
        utility = isoelastic_utility(net_worth(self.market.view, self.slots))
        rewards, self.utility = utility - self.utility, utility
        return firm_observations(self.market.view, self.slots), rewards, not self.market.running


class EnterpriseVecEnv(VecEnv):
    """The learned firms of ``markets`` markets as the slots of one VecEnv (parameter sharing).

    Slot ``k * S + i`` (``S`` learned firms per market) is firm i of market k. A step plays
    one round in every market; a market whose episode ends reports ``dones`` True and its
    ``terminal_observation`` in its own slots only, and starts a fresh market from its next
    seed (SB3's auto-reset), while the others play on.

    Args:
        scenario: shipped scenario name or TOML path.
        seed: seeds every market's sequence of market seeds (:func:`market_seed_sequences`).
        seed_pool: market seeds to use instead (held-out evaluation): market k plays entries
            k, k + M, k + 2M, ... in turn, so M markets share out the pool one market plays.
        markets: M, the markets played side by side, in ``[1, MAX_MARKETS]``.
        **overrides: scenario keys (:class:`FirmMarket`).

    Raises:
        ValueError: ``markets`` out of range; a ``seed_pool`` with fewer seeds than
            markets; or a scenario that draws its number of firms per episode
            (``shocks.n_firms_range``: a VecEnv's number of slots is fixed).
    """

    def __init__(
        self,
        scenario: str = "paper",
        seed: int | None = None,
        seed_pool: Sequence[int] | None = None,
        markets: int = 1,
        **overrides: Any,
    ) -> None:
        markets = check_markets(markets)
        drawn = read_scenario(scenario, **overrides).shocks.n_firms_range
        if drawn and drawn[0] != drawn[1]:
            raise ValueError(
                f"shocks.n_firms_range: {list(drawn)} draws the number of firms per episode, "
                "so the number of learned firms (the env's slots) would change between "
                "episodes; n_firms=N fixes it"
            )
        if seed_pool is not None and len(seed_pool) < markets:
            raise ValueError(
                f"seed_pool: {len(seed_pool)} seeds for {markets} markets; "
                "every market needs at least one"
            )
        pools = (
            [None] * markets
            if seed_pool is None
            else [seed_pool[k::markets] for k in range(markets)]
        )
        self.markets = [
            FirmMarket(scenario, sequence, pool, **overrides)
            for sequence, pool in zip(market_seed_sequences(seed, markets), pools, strict=True)
        ]
        self.slots_per_market = len(self.markets[0].slots)
        super().__init__(markets * self.slots_per_market, OBSERVATION_SPACE, ACTION_SPACE)
        self._actions: np.ndarray | None = None

    @property
    def firms(self) -> FirmMarket:
        """Market 0 (the only one when ``markets`` is 1)."""
        return self.markets[0]

    def _slots(self, k: int) -> slice:
        return slice(k * self.slots_per_market, (k + 1) * self.slots_per_market)

    def _first_observations(self, firms: FirmMarket) -> np.ndarray:
        obs = firms.new_market()
        if len(obs) != self.slots_per_market:  # cannot happen with a fixed number of firms
            raise ValueError(
                f"shocks.n_firms_range: a market has {len(obs)} learned firms, "
                f"the env {self.slots_per_market} slots per market"
            )
        return obs

    def reset(self) -> np.ndarray:
        """A fresh market in every market's place; observations ``(num_envs, features)``."""
        return np.concatenate([self._first_observations(firms) for firms in self.markets])

    def step_async(self, actions: np.ndarray) -> None:
        """Store the slots' actions, ``(num_envs, ACTION_SIZE)``, for the next round."""
        self._actions = np.asarray(actions)

    def step_wait(self):
        """Play the round in every market; each market that ends restarts (SB3's auto-reset).

        Returns:
            observations ``(num_envs, features)`` float32, rewards ``(num_envs,)`` float32
            (utility gained this round), dones ``(num_envs,)`` and one info dict per slot.
        """
        obs = np.empty((self.num_envs, len(FIRM_FEATURES)), np.float32)
        rewards = np.empty(self.num_envs, np.float32)
        dones = np.zeros(self.num_envs, bool)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for k, firms in enumerate(self.markets):
            slots = self._slots(k)
            market_obs, rewards[slots], over = firms.play_round(self._actions[slots])
            if over:
                for info, terminal in zip(infos[slots], market_obs, strict=True):
                    info["terminal_observation"] = terminal
                    info["TimeLimit.truncated"] = False
                market_obs = self._first_observations(firms)
                dones[slots] = True
            obs[slots] = market_obs
        return obs, rewards, dones, infos

    def close(self) -> None:
        """Nothing to release."""

    def _markets_of(self, indices) -> list[FirmMarket]:
        """The market wrapper of each slot in ``indices`` (all slots by default)."""
        return [self.markets[i // self.slots_per_market] for i in self._get_indices(indices)]

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        """An attribute of each slot's market wrapper."""
        return [getattr(firms, attr_name) for firms in self._markets_of(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        """Set an attribute of the market wrappers of the slots ``indices``."""
        for firms in dict.fromkeys(self._markets_of(indices)):
            setattr(firms, attr_name, value)

    def env_method(self, method_name: str, *args, indices=None, **kwargs) -> list[Any]:
        """Call a method of each market wrapper of the slots ``indices`` once, per slot."""
        chosen = self._markets_of(indices)
        results = {id(f): getattr(f, method_name)(*args, **kwargs) for f in dict.fromkeys(chosen)}
        return [results[id(firms)] for firms in chosen]

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        """No slot is wrapped."""
        return [False] * len(self._get_indices(indices))


class EnterpriseEnv(gym.Env):
    """One learned firm among heuristic ones, as a Gymnasium env (one step = one round).

    Args:
        scenario: shipped scenario name or TOML path.
        learned_share: share of learned firms; it must leave exactly one learned firm.
        **overrides: further scenario keys.
    """

    metadata: ClassVar[dict] = {"render_modes": []}
    observation_space = OBSERVATION_SPACE
    action_space = ACTION_SPACE

    def __init__(
        self, scenario: str = "paper", learned_share: float = 0.2, **overrides: Any
    ) -> None:
        super().__init__()
        self.scenario, self.overrides = scenario, {**overrides, "learned_share": learned_share}
        self.firms: FirmMarket | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """A fresh market seeded from the env's ``np_random``."""
        super().reset(seed=seed)
        self.firms = FirmMarket(
            self.scenario, int(self.np_random.integers(2**31)), **self.overrides
        )
        if len(self.firms.slots) != 1:
            raise ValueError(
                f"learned_share: {self.overrides['learned_share']} gives "
                f"{len(self.firms.slots)} learned firms; this env drives one"
            )
        return firm_observations(self.firms.market.view, self.firms.slots)[0], {}

    def step(self, action: np.ndarray):
        """One trading round for the learned firm."""
        obs, rewards, over = self.firms.play_round(np.asarray(action)[None, :])
        return obs[0], float(rewards[0]), over, False, {}
