"""The dashboard's market: default policy, validation, sliders, behaviour mixes, seeds."""

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import policy_choice
from dashboard.market import DashboardMarket
from dashboard.policy_choice import (
    AS_IN_SCENARIO,
    LEARNED,
    learned_available,
    learned_firms,
    learned_regulator,
    policy_choices,
    scenario_policy,
    trained_on,
)
from dashboard.settings import behaviour_choices
from dashboard.vega import dataset


def test_learned_regulator_is_offered_only_when_it_loads(tmp_path):
    missing = tmp_path / "regulator.zip"
    assert not learned_available("paper", missing)
    assert LEARNED not in policy_choices("paper", missing)
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(b"not a zip")
    assert not learned_available("paper", corrupt)
    assert LEARNED not in policy_choices("paper", corrupt)


def test_each_learned_policy_is_offered_only_on_the_scenario_it_was_trained_on():
    for scenario in ("paper", "paper-shocks", "eu-shocks"):  # each with its own regulator
        assert trained_on(learned_regulator(scenario)) == scenario
        assert LEARNED in policy_choices(scenario)
    for scenario in ("classroom", "classroom-12", "eu-large"):
        assert LEARNED not in policy_choices(scenario)
    for scenario in ("classroom", "eu-large"):
        assert learned_firms(scenario) is None
        assert not any("learned" in mix for mix in behaviour_choices(scenario))
        market = DashboardMarket(scenario, behaviour="rule-based + learned")
        assert market.validation_error.startswith("behaviour: 'rule-based + learned' needs firms")
    for scenario in ("paper", "classroom-12"):  # each with the firms trained on it
        assert trained_on(learned_firms(scenario)) == scenario
        assert "rule-based + learned" in behaviour_choices(scenario)


def test_learned_firms_play_the_scenario_they_were_trained_on():
    market = DashboardMarket("classroom-12", behaviour="learned (trained on this scenario)")
    assert market.validation_error is None
    assert market.config.enterprise_policy.endswith("enterprises-classroom-12.zip")
    for _ in range(20):
        market.step()
    assert set(market.behaviour_names) == {"learned"} and market.rejected_orders == 0


def test_the_allocation_table_policy_is_offered_only_where_the_file_has_one():
    assert "scenario" not in policy_choices("paper")  # the paper's firms have no table
    classroom = DashboardMarket("classroom", policy=AS_IN_SCENARIO)
    assert classroom.government.policy.name == "scenario"  # its own policy


def test_each_policy_is_listed_once():
    for scenario in ("paper", "classroom", "eu-large"):
        choices = policy_choices(scenario)
        assert len(choices) == len(set(choices))
        assert scenario_policy(scenario) not in choices  # it is the scenario's own entry
    assert "flat-grandfathering" not in policy_choices("paper")
    assert "flat-grandfathering" in policy_choices("classroom")


def test_the_dashboard_opens_on_a_market_that_trades_at_once():
    market = DashboardMarket()
    assert market.scenario.name == "paper"
    assert market.government.policy.name == "flat-grandfathering"  # the paper file's own
    assert market.running and market.validation_error is None
    for _ in range(5):
        market.step()
    assert market.government.release > 0
    assert market.book.trades  # trades in the first five rounds


def test_policy_select_lists_every_baseline_and_manual():
    choices = policy_choices()
    assert choices[0] == AS_IN_SCENARIO
    for name in ("flat-benchmarking", "decreasing-size", "auction", "eu-benchmark", "manual"):
        assert name in choices


def test_learned_entry_names_the_file_shipped_for_the_scenario():
    assert policy_choice.policy_value(LEARNED, "paper").endswith("regulator-paper.zip")
    assert policy_choice.policy_value(LEARNED, "eu-shocks").endswith("regulator-eu-shocks.zip")
    assert policy_choice.policy_value(AS_IN_SCENARIO, "eu-shocks") is None


def test_the_learned_entry_plays_the_regulator_trained_on_the_chosen_scenario():
    market = DashboardMarket("paper-shocks", policy=LEARNED)
    assert market.validation_error is None
    assert market.government.policy.name.endswith("regulator-paper-shocks.zip")
    for _ in range(market.config.steps_per_year + 1):
        market.step()
    assert len(market.government.allocations) == 2


def test_an_impossible_combination_gives_a_message_not_an_exception():
    market = DashboardMarket(policy="scenario")  # the paper's firms have no fixed allocation
    assert "government.policy" in market.validation_error
    assert not market.running  # Step and Play are disabled
    market.step()  # and a Step pressed anyway plays nothing
    assert len(market.history()) == 1 and market.book.trades == []
    market = DashboardMarket(custom_parameters=True, budget=0.0)
    assert "market.budget" in market.validation_error
    assert "> 0" in market.validation_error


def test_sliders_apply_only_when_asked():
    ignored = DashboardMarket(scenario="classroom", policy=AS_IN_SCENARIO, penalty=50.0)
    assert ignored.config.penalty == 200.0  # the scenario's own
    custom = DashboardMarket(
        custom_parameters=True,
        penalty=50.0,
        price_ceiling=40,
        budget=300.0,
        banking=True,
        climate_coefficient=0.5,
    )
    cfg = custom.config
    assert (cfg.penalty, cfg.price_ceiling, cfg.budget, cfg.banking) == (50.0, 40, 300.0, True)
    assert cfg.climate_coefficient == 0.5
    assert custom.book.price_ceiling == 40


def test_behaviour_mix_deals_behaviours_in_turn():
    market = DashboardMarket(behaviour="rule-based + zi-c + truthful")
    assert list(market.behaviour_names) == ["rule-based", "zi-c", "truthful", "rule-based", "zi-c"]
    assert len(market.behaviour_groups()) == 3
    market.step()  # every group trades through the market's own loop
    assert DashboardMarket(behaviour="no such mix").validation_error.startswith("behaviour")


def test_learned_firms_play_beside_rule_based_ones_in_the_dashboard():
    market = DashboardMarket(behaviour="rule-based + learned")
    assert list(market.behaviour_names) == ["rule-based", "learned"] * 2 + ["rule-based"]
    for _ in range(60):  # past a year end
        market.step()
    assert market.rejected_orders == 0
    assert set(market.firm_columns()["behaviour"]) == {"rule-based", "learned"}


def test_same_seed_same_history():
    def run(seed):
        market = DashboardMarket(seed=seed, behaviour="zi-c")
        for _ in range(80):
            market.step()
        return market.history()

    pd.testing.assert_frame_equal(run(3), run(3))
    assert not run(3)["last_price"].equals(run(4)["last_price"])


def test_history_has_one_row_per_round_and_follows_steps():
    market = DashboardMarket()
    assert list(market.history()["round"]) == [0]
    for _ in range(5):
        market.step()
    assert list(market.history()["round"]) == [0, 1, 2, 3, 4, 5]


def test_series_are_the_recorded_measures_read_only():
    market = DashboardMarket(behaviour="zi-c")
    for _ in range(30):
        market.step()
    series = market.series({"price": "VWAP", "welfare": "welfare"})
    history = market.history()
    assert list(series) == ["round", "VWAP", "welfare"]
    assert series["round"].tolist() == history["round"].tolist() == list(range(31))
    np.testing.assert_array_equal(series["welfare"], history["welfare"].to_numpy())
    np.testing.assert_array_equal(series["VWAP"], history["price"].astype(float).to_numpy())
    with pytest.raises(ValueError, match="read-only"):
        series["welfare"][0] = 0.0


def test_series_rows_encode_each_round_once_and_match_a_fresh_encoding():
    market = DashboardMarket(behaviour="zi-c")
    labels = {"price": "VWAP", "last_price": "last trade", "equality": "equality"}
    for rounds in (0, 1, 7, 60):  # read after 0, 1, 7 and 60 rounds: chunks of 1, 1, 6, 53 rows
        while market.steps < rounds:
            market.step()
        text = market.series_rows(labels)
        assert text == dataset(market.series(labels))
        assert [row["round"] for row in json.loads(text)] == list(range(rounds + 1))
    assert market.series_rows(labels) == text  # no new round: the same text


def test_equilibrium_price_in_textbook_markets_only():
    classroom = DashboardMarket(scenario="classroom", policy=AS_IN_SCENARIO)
    assert classroom.equilibrium_price() == pytest.approx(40.0)
    assert DashboardMarket().equilibrium_price() is None


def test_firm_columns_match_the_accounts():
    market = DashboardMarket()
    for _ in range(10):
        market.step()
    frame = market.firm_columns()
    assert list(frame["firm"]) == [0, 1, 2, 3, 4]
    assert frame["coins"].sum() == pytest.approx(market.accounts.total_coins().sum())
    assert list(frame["open_orders"]) == market.book.open_counts().tolist()


def test_a_shipped_regulator_is_offered_and_runs(tiny_regulator, monkeypatch):
    from dashboard.classroom import Settings, new_session, treatments

    assert learned_available("paper", tiny_regulator)
    monkeypatch.setattr(policy_choice, "shipped_regulator", lambda scenario: tiny_regulator)
    assert LEARNED in policy_choices()
    market = DashboardMarket(policy=LEARNED)
    assert market.validation_error is None
    assert market.government.policy.name.startswith("learned")
    for _ in range(market.config.steps_per_year + 1):
        market.step()  # two yearly allocations decided by the regulator
    assert len(market.government.allocations) == 2
    assert "learned regulator" in treatments()
    session = new_session(Settings(treatment="learned regulator"))
    assert session.market.government.policy.name.startswith("learned")
