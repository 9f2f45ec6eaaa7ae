"""The one validation entry (``model.load_scenario``): names and learned files, before a market."""

from __future__ import annotations

import math
import re

import pytest

from market.scenario_files import load_scenario as read_file
from model import CarbonMarket, ScenarioError, load_scenario


def raises(match: str) -> pytest.RaisesContext:
    return pytest.raises(ScenarioError, match=re.escape(match))


def test_a_behaviour_not_in_the_registry_names_the_firm():
    with raises("firms[0].behaviour: 'genius' is not one of zi-c, zi-u, truthful, rule-based"):
        load_scenario("paper", behaviour="genius")
    with raises("generator.behaviour: 'genius' is not one of"):
        load_scenario("eu-large", behaviour="genius", n_firms=10)


def test_a_close_behaviour_name_gets_a_hint():
    with raises("(did you mean 'zi-c'?)"):
        CarbonMarket("classroom", seed=0, behaviour="zi-cc")


def test_an_unknown_policy_is_refused_with_every_name_and_pattern():
    scenario = read_file("paper", policy="laissez-faire")  # a free string for the file layer
    assert scenario.government.policy == "laissez-faire"
    with raises("government.policy: 'laissez-faire' is not one of flat-grandfathering, "):
        load_scenario("paper", policy="laissez-faire")
    with pytest.raises(ScenarioError, match=r"scenario, manual, learned:PATH, schedule:FILE$"):
        CarbonMarket("paper", seed=0, policy="laissez-faire")


def test_a_learned_policy_file_is_checked_before_any_market_is_built(tmp_path):
    with raises(f"government.policy: learned:{tmp_path}/none.zip: no policy file at"):
        load_scenario("paper", policy=f"learned:{tmp_path}/none.zip")
    with raises(f"market.enterprise_policy: no policy file at {tmp_path}/none.zip"):
        load_scenario("paper", learned_share=0.5, enterprise_policy=f"{tmp_path}/none.zip")


def test_a_checked_scenario_passes_through_and_refuses_overrides():
    scenario = load_scenario("classroom")
    assert load_scenario(scenario) is scenario
    with raises("overrides: pass a scenario name or path to use overrides"):
        load_scenario(scenario, penalty=5.0)


def test_the_loaded_scenario_is_frozen():
    scenario = load_scenario("paper")
    with pytest.raises(AttributeError):
        scenario.market.budget = 5.0  # a run's changing values live in market.run


@pytest.mark.parametrize(("key", "value"), [("research_success", math.nan), ("budget", math.inf)])
def test_a_market_refuses_a_nan_or_infinite_key_before_it_is_built(key, value):
    with pytest.raises(
        ScenarioError,
        match=rf"^market\.{key}: {value!r} is not allowed; it must "
        "be a finite number",
    ):
        CarbonMarket("paper", seed=0, **{key: value})
