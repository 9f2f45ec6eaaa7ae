"""A batch's lanes as their markets start, written into the arrays without building the markets.

A lane of a batch plays from the batch's arrays; what its :class:`model.CarbonMarket` adds
(the Mesa agents, the government, the view, the data collector) is needed only where Python
decides for the lane (a policy the kernels do not decide, a textbook
market's efficiency) or when someone reads the market. :func:`start_lanes` writes into each
lane what building ``CarbonMarket(scenario, seed=s)`` into it writes (the firms drawn with
the seed's generator, their coins, the generator's state after the draws, the budget) and
keeps what the market would be built from (:class:`LaneStart`), so that the batch builds a
lane's market only when it is needed, over the lane as it then stands
(``model.block.Block.market``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.learned_firm import observation_scales
from agents.network import PolicyNetwork
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
from model.behaviour_groups import compiled_groups, group_firms, with_learned_share

COMPILED_ONLY = (
    "behaviour: a batch plays compiled behaviours only (zi-c, zi-u, truthful, rule-based, "
    "learned); play other markets one by one"
)
DRIVEN_FROM_OUTSIDE = (
    "market.enterprise_policy: a batch's learned firms act through a trained policy; name one "
    "(a market whose learned firms a training env drives plays alone)"
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
        network: the learned firms' policy (None: the lane has no learned firm).
        scales: the learned firms' observation scales, quantity and coins
            (``agents.learned_firm.observation_scales``; None without learned firms).
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
    network: PolicyNetwork | None = None
    scales: tuple[float, float] | None = None
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
    # Per episode scenario (kept in the value, so its id stays its own): its policy; per
    # scenario and the firms' behaviours (learned_share draws them per lane): the groups.
    policies: dict[int, tuple[Scenario, Policy]] = {}
    grouped: dict[tuple, tuple[Scenario, tuple[np.ndarray, ...], PolicyNetwork | None]] = {}
    for b, (loaded, seed, drawn) in enumerate(zip(scenarios, seeds, shocks, strict=True)):
        scenario = episode_scenario(loaded, drawn)
        cfg = scenario.market
        rng = np.random.default_rng(seed)  # as Mesa seeds the market's generator
        table, budget = episode_firms(scenario, drawn.research_ability_factor, rng)
        names = with_learned_share(table.behaviour, cfg.learned_share, rng)
        arrays.accounts[b, COINS] = table.coins
        arrays.firms.start(b, cfg, table.capacity, table.research_ability,
                           table.emission_rate, table.baseline_emissions,
                           table.abatement_cost)  # fmt: skip
        arrays.rng[b] = export_state(rng)
        arrays.tallies[b, REMAINING] = budget
        if id(scenario) not in policies:
            check_behaviour_names(scenario)
            policies[id(scenario)] = (scenario, make_policy(scenario))
        key = (id(scenario), *names)
        if key not in grouped:
            grouped[key] = (scenario, *_groups(cfg, names))
        _, groups, network = grouped[key]
        scales = None
        if network is not None:
            scales = observation_scales(cfg, table.capacity, table.emission_rate,
                                        table.baseline_emissions, table.coins)  # fmt: skip
        policy = policies[id(scenario)][1]
        sectors = sector_codes(table.sector) if isinstance(policy, EUBenchmark) else None
        start = LaneStart(loaded, int(seed), drawn, cfg, budget, policy, groups, network,
                          scales, sectors)  # fmt: skip
        starts.append(start)
    return starts


def _groups(
    cfg: MarketConfig, names: list[str]
) -> tuple[tuple[np.ndarray, ...], PolicyNetwork | None]:
    """The firms' compiled behaviour groups, and the policy of the learned ones (if any)."""
    shared = {name: make_behaviour(name, cfg) for name in dict.fromkeys(names)}
    groups = compiled_groups(group_firms([shared[name] for name in names]), len(names))
    if groups is None:
        raise ScenarioError(COMPILED_ONLY)
    learned = shared.get("learned")
    if learned is not None and learned.network is None:
        raise ScenarioError(DRIVEN_FROM_OUTSIDE)
    return groups, None if learned is None else learned.network
