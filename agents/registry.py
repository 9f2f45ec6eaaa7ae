"""Every decision rule by name: the behaviours firms hold and the government's policies.

One static table each, name -> factory. The model builds a market's agents from them, the
validation entry (``model.load_scenario``) checks a scenario's names against them, and
``carbon-market policies`` and the dashboard list them. A policy named by a pattern
(``learned:PATH``) has an entry in :data:`POLICY_PATTERNS` keyed by its prefix.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agents.behaviours import (
    Behaviour,
    RuleBased,
    Truthful,
    ZeroIntelligenceConstrained,
    ZeroIntelligenceUnconstrained,
)
from agents.learned_firm import make_learned_behaviour
from agents.learned_regulator import SHIPPED_REGULATOR, load_learned_policy
from agents.policies import (
    PAPER_BASELINES,
    EqualSplit,
    EUBenchmark,
    FullAuction,
    ManualPolicy,
    PaperBaseline,
    Policy,
    ScenarioAllocation,
)
from agents.schedule import ScheduleAllocation, load_schedule
from agents.supply_rules import MarketStabilityReserve, PriceCollar, PriceTarget
from market.config import MarketConfig, ScenarioError
from market.data import POLICY_DIR
from market.scenario import Scenario


@dataclass(frozen=True)
class BehaviourEntry:
    """A behaviour firms may hold: what it does, and how to make one for a market."""

    description: str
    build: Callable[[MarketConfig], Behaviour]


@dataclass(frozen=True)
class PolicyEntry:
    """A government policy: what it does, and how to make it for a scenario."""

    description: str
    build: Callable[[Scenario], Policy]


@dataclass(frozen=True)
class PatternEntry:
    """A policy named by a pattern: ``PREFIX`` followed by an argument (a path)."""

    pattern: str
    description: str
    build: Callable[[Scenario, str], Policy]


def _heuristic(cls: type[Behaviour]) -> Callable[[MarketConfig], Behaviour]:
    def build(config: MarketConfig) -> Behaviour:
        return cls()

    return build


def _learned_behaviour(config: MarketConfig) -> Behaviour:
    return make_learned_behaviour(config.enterprise_policy)


BEHAVIOURS: dict[str, BehaviourEntry] = {
    "zi-c": BehaviourEntry(
        "zero intelligence, constrained (Gode & Sunder 1993): one unit at a random price "
        "never past its value",
        _heuristic(ZeroIntelligenceConstrained),
    ),
    "zi-u": BehaviourEntry(
        "zero intelligence, unconstrained: one unit at a random price on the whole band",
        _heuristic(ZeroIntelligenceUnconstrained),
    ),
    "truthful": BehaviourEntry(
        "one unit at its marginal value (bid) or cost (ask)", _heuristic(Truthful)
    ),
    "rule-based": BehaviourEntry(
        "a price-taker a tick around the expected price, for the units worth it",
        _heuristic(RuleBased),
    ),
    "learned": BehaviourEntry(
        "the rule-based firm corrected by a shared trained policy (market.enterprise_policy)",
        _learned_behaviour,
    ),
}


def _paper_baseline(schedule: str, rule: str) -> Callable[[Scenario], Policy]:
    def build(scenario: Scenario) -> Policy:
        return PaperBaseline(scenario.government, schedule, rule)

    return build


def _policy(cls: type[Policy]) -> Callable[[Scenario], Policy]:
    def build(scenario: Scenario) -> Policy:
        return cls(scenario.government)

    return build


def shipped_regulator(scenario: str) -> Path:
    """The regulator ``learned:shipped`` names in the scenario called ``scenario``.

    The one trained on that scenario (``data/policies/regulator-NAME.zip``, e.g.
    ``regulator-paper-shocks.zip``) where one is shipped, else the paper regulator.
    """
    own = POLICY_DIR / f"regulator-{scenario}.zip"
    return own if own.is_file() else SHIPPED_REGULATOR


def shipped_regulators(scenario: str) -> list[Path]:
    """Every shipped regulator trained on the scenario called ``scenario``.

    A regulator's provenance ``.json`` names its scenario; where none was trained on this
    one, the regulator ``learned:shipped`` falls back to.
    """
    own = [
        path
        for path in sorted(POLICY_DIR.glob("regulator-*.zip"))
        if json.loads(path.with_suffix(".json").read_text()).get("scenario") == scenario
    ]
    return own or [shipped_regulator(scenario)]


def _learned_policy(scenario: Scenario, path: str) -> Policy:
    if path in ("", "shipped"):
        path = str(shipped_regulator(scenario.name))
    policy = load_learned_policy(scenario.government, path, scenario.n_firms, scenario.market.years)
    if policy.spec.per_firm and scenario.shocks.n_firms_range:
        raise ScenarioError(
            f"government.policy: learned:{path} acts per firm, for {scenario.n_firms} firms; "
            "this scenario draws the number of firms per episode (shocks.n_firms_range; "
            "n_firms=N fixes it)"
        )
    return policy


def _schedule_policy(scenario: Scenario, path: str) -> Policy:
    schedule = load_schedule(path, scenario.market.years)
    return ScheduleAllocation(scenario.government, schedule, f"schedule:{path}")


POLICIES: dict[str, PolicyEntry] = {
    **{
        name: PolicyEntry(
            f"paper baseline: {schedule} schedule, {rule} ranking", _paper_baseline(schedule, rule)
        )
        for name, (schedule, rule) in PAPER_BASELINES.items()
    },
    **{
        cls.name: PolicyEntry(cls.description, _policy(cls))
        for cls in (
            EqualSplit,
            FullAuction,
            EUBenchmark,
            MarketStabilityReserve,
            PriceCollar,
            PriceTarget,
            ScenarioAllocation,
            ManualPolicy,
        )
    },
}

POLICY_PATTERNS: dict[str, PatternEntry] = {
    "learned:": PatternEntry(
        "learned:PATH",
        "a trained regulator: a .zip saved by `carbon-market train-regulator` "
        "(learned:shipped is the one shipped for the scenario, else the paper regulator)",
        _learned_policy,
    ),
    "schedule:": PatternEntry(
        "schedule:FILE",
        ScheduleAllocation.description,
        _schedule_policy,
    ),
}


def policy_descriptions() -> dict[str, str]:
    """Every policy name (and pattern) with what it does, as ``carbon-market policies`` lists."""
    return {
        **{name: entry.description for name, entry in POLICIES.items()},
        **{entry.pattern: entry.description for entry in POLICY_PATTERNS.values()},
    }


def _unknown(where: str, name: str, known: list[str]) -> ScenarioError:
    hint = difflib.get_close_matches(name, known, n=1)
    return ScenarioError(
        f"{where}: {name!r} is not one of {', '.join(known)}"
        + (f" (did you mean {hint[0]!r}?)" if hint else "")
    )


def make_policy(scenario: Scenario) -> Policy:
    """The policy the scenario's ``[government]`` table names.

    Raises:
        ScenarioError: the name is unknown, or a learned policy's files do not fit.
    """
    name = scenario.government.policy
    if name in POLICIES:
        return POLICIES[name].build(scenario)
    for prefix, entry in POLICY_PATTERNS.items():
        if name.startswith(prefix):
            return entry.build(scenario, name.removeprefix(prefix))
    known = [*POLICIES, *(entry.pattern for entry in POLICY_PATTERNS.values())]
    raise _unknown("government.policy", name, known)


def make_behaviour(name: str, config: MarketConfig) -> Behaviour:
    """A behaviour by its scenario name (``learned`` acts through ``market.enterprise_policy``).

    Raises:
        ScenarioError: the name is unknown, or the learned policy's files do not fit.
    """
    if name not in BEHAVIOURS:
        raise _unknown("behaviour", name, list(BEHAVIOURS))
    return BEHAVIOURS[name].build(config)


def check_behaviour_names(scenario: Scenario) -> None:
    """Every behaviour the scenario names exists.

    Raises:
        ScenarioError: naming the firm table (``firms[2].behaviour``) or the generator.
    """
    named = (
        [(f"firms[{i}].behaviour", firm.behaviour) for i, firm in enumerate(scenario.firms)]
        if scenario.firms is not None
        else [("generator.behaviour", scenario.generator.behaviour)]
    )
    for where, name in named:
        if name not in BEHAVIOURS:
            raise _unknown(where, name, list(BEHAVIOURS))
