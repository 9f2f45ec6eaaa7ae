"""A batch's lanes as their markets start, written into the arrays without building the markets.

A lane of a batch plays from the batch's arrays; what its :class:`model.CarbonMarket` adds
(the Mesa agents, the government, the view, the data collector) is needed only where Python
decides for the lane (a policy the kernels do not decide, a textbook
market's efficiency) or when someone reads the market. :func:`start_lanes` writes into each
lane what building ``CarbonMarket(scenario, seed=s)`` into it writes (the firms drawn with
the seed's generator, their coins, the generator's state after the draws, the budget) and
keeps what the market would be built from (:class:`LaneStart`), so that the batch builds a
lane's market only when it is needed, over the lane as it then stands
(``model.batch.Block.market``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.policies import EUBenchmark, Policy, sector_codes
from agents.registry import check_behaviour_names, make_behaviour, make_policy
from market.accounts import COINS
from market.config import MarketConfig, ScenarioError
from market.firm_table import episode_firms
from market.lanes import MarketArrays
from market.random_kernels import export_state
from market.scenario import Scenario
from market.shocks import EpisodeShocks, episode_scenario
from market.tallies import REMAINING
from model.behaviour_groups import compiled_groups, group_firms

COMPILED_ONLY = (
    "behaviour: a batch plays compiled behaviours only (zi-c, zi-u, truthful, rule-based); "
    "play other markets one by one"
)


@dataclass(frozen=True)
class LaneStart:
    """What a lane's market is built from, and what the batch reads of it before that.

    Attributes:
        loaded: the scenario as loaded, which the market is built from.
        seed: the market's seed.
        shocks: the episode's shocks (drawn from the seed).
        config: the episode's ``[market]`` table.
        budget: the episode's budget (allowances).
        policy: the government's policy (the batch reads its schedule, if it is one).
        groups: the firms' behaviour groups as the round kernel takes them
            (``model.behaviour_groups.compiled_groups``).
        sectors: the firms' sectors as codes (``agents.policies.sector_codes``), for a
            policy that allocates by sector (``eu-benchmark``); None for the others.
    """

    loaded: Scenario
    seed: int
    shocks: EpisodeShocks
    config: MarketConfig
    budget: float
    policy: Policy
    groups: tuple[np.ndarray, ...]
    sectors: np.ndarray | None = None


def start_lanes(
    arrays: MarketArrays,
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    shocks: Sequence[EpisodeShocks],
) -> list[LaneStart]:
    """Write each market's opening state into its lane of ``arrays`` (zeroed arrays).

    Args:
        arrays: the lanes' arrays, as ``MarketArrays.empty`` makes them.
        scenarios: each lane's scenario as loaded.
        seeds: each lane's seed.
        shocks: each lane's shocks, drawn from its scenario and seed.

    Returns:
        Each lane's start, in lane order.

    Raises:
        ScenarioError: a firm holds a behaviour that is not compiled (a batch cannot play it),
            or a behaviour or policy name is unknown.
    """
    starts = []
    # Per episode scenario (kept in the value, so its id stays its own): policy and groups.
    made: dict[int, tuple[Scenario, Policy, tuple[np.ndarray, ...]]] = {}
    for b, (loaded, seed, drawn) in enumerate(zip(scenarios, seeds, shocks, strict=True)):
        scenario = episode_scenario(loaded, drawn)
        cfg = scenario.market
        rng = np.random.default_rng(seed)  # as Mesa seeds the market's generator
        table, budget = episode_firms(scenario, drawn.research_ability_factor, rng)
        arrays.accounts[b, COINS] = table.coins
        arrays.firms.start(b, cfg, table.capacity, table.research_ability,
                           table.emission_rate, table.baseline_emissions,
                           table.abatement_cost)  # fmt: skip
        arrays.rng[b] = export_state(rng)
        arrays.tallies[b, REMAINING] = budget
        if id(scenario) not in made:
            made[id(scenario)] = (scenario, *_policy_and_groups(scenario, table.behaviour))
        _, policy, groups = made[id(scenario)]
        sectors = sector_codes(table.sector) if isinstance(policy, EUBenchmark) else None
        starts.append(LaneStart(loaded, int(seed), drawn, cfg, budget, policy, groups, sectors))
    return starts


def _policy_and_groups(
    scenario: Scenario, names: list[str]
) -> tuple[Policy, tuple[np.ndarray, ...]]:
    """The policy of an episode's scenario and its firms' compiled behaviour groups."""
    cfg = scenario.market
    if cfg.learned_share > 0:
        raise ScenarioError(COMPILED_ONLY)
    check_behaviour_names(scenario)
    shared = {name: make_behaviour(name, cfg) for name in dict.fromkeys(names)}
    groups = compiled_groups(group_firms([shared[name] for name in names]), len(names))
    if groups is None:
        raise ScenarioError(COMPILED_ONLY)
    return make_policy(scenario), groups
