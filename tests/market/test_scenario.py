"""Scenario loading, overrides and validation: every error names the key and what is allowed."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from market.firm_table import build_firms
from market.scenario import ScenarioError, ScenarioWarning, parse_scenario
from market.scenario_files import load_scenario, shipped_scenarios

PAPER_FIRM = "[[firms]]\ncapacity = 1.0\n"


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def paper_like(market: str = "", extra: str = "") -> str:
    """A minimal paper-economy scenario with two firms and extra [market] lines."""
    return f"[market]\nyears = 2\n{market}\n{extra}\n{PAPER_FIRM}{PAPER_FIRM}"


def raises(match: str) -> pytest.RaisesContext:
    return pytest.raises(ScenarioError, match=re.escape(match))


# --------------------------------------------------------------------------- shipped


def test_shipped_scenarios_are_the_six_files() -> None:
    assert shipped_scenarios() == [
        "classroom",
        "classroom-12",
        "eu-large",
        "eu-shocks",
        "paper",
        "paper-shocks",
    ]


@pytest.mark.parametrize(
    ("name", "n_firms", "policy", "production"),
    [
        ("paper", 5, "flat-grandfathering", True),
        ("classroom", 3, "scenario", False),
        ("classroom-12", 12, "scenario", False),
        ("eu-large", 1000, "eu-benchmark", True),
        ("paper-shocks", 5, "flat-grandfathering", True),
        ("eu-shocks", 200, "eu-benchmark", True),
    ],
)
def test_every_shipped_scenario_loads(
    name: str, n_firms: int, policy: str, production: bool
) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.n_firms == n_firms
    assert scenario.government.policy == policy
    assert scenario.market.production is production
    assert scenario.description


def test_paper_scenario_values() -> None:
    s = load_scenario("paper")
    assert (s.market.budget, s.market.penalty, s.market.green_share) == (200.0, 30.0, 0.1)
    assert (s.market.steps_per_year, s.market.years, s.market.price_ceiling) == (50, 10, 20)
    assert [f.capacity for f in s.firms] == [1.6, 1.4, 1.2, 1.2, 1.0]
    assert [f.research_ability for f in s.firms] == [1.2, 1.0, 1.2, 1.4, 1.6]


def test_classroom_holdings_are_the_textbook_cap() -> None:
    s = load_scenario("classroom")
    assert [f.allocation for f in s.firms] == [80.0, 80.0, 70.0]
    assert [f.abatement_cost for f in s.firms] == [1.0, 2.0, 4.0]
    assert sum(f.allocation for f in s.firms) == 230.0


# --------------------------------------------------------------------------- overrides


def test_override_penalty() -> None:
    s = load_scenario("paper", penalty=50)
    assert s.market.penalty == 50.0
    assert isinstance(s.market.penalty, float)


def test_override_policy_goes_to_government() -> None:
    assert load_scenario("paper", policy="equal").government.policy == "equal"


def test_override_n_firms_on_generator() -> None:
    s = load_scenario("eu-large", n_firms=7)
    assert s.generator.n_firms == 7
    assert s.n_firms == 7
    assert s.firms is None


def test_override_n_firms_on_explicit_firms_repeats_cyclically() -> None:
    s = load_scenario("paper", n_firms=7)
    assert s.n_firms == 7
    assert [f.capacity for f in s.firms] == [1.6, 1.4, 1.2, 1.2, 1.0, 1.6, 1.4]
    assert load_scenario("paper", n_firms=3).n_firms == 3
    assert load_scenario("paper").n_firms == 5  # the file itself is untouched


def test_override_unknown_parameter_has_hint() -> None:
    with raises("penalti: unknown parameter (did you mean 'penalty'?)"):
        load_scenario("paper", penalti=50)


def test_override_out_of_range_names_the_key() -> None:
    with raises("market.penalty: -1.0 is not allowed; it must be >= 0"):
        load_scenario("paper", penalty=-1)


def test_override_n_firms_zero() -> None:
    with raises("n_firms: 0 is not allowed; it must be an integer >= 1"):
        load_scenario("paper", n_firms=0)


# --------------------------------------------------------------------------- key errors


def test_unknown_market_key_with_hint(tmp_path: Path) -> None:
    path = write(tmp_path, paper_like("penalti = 5"))
    with raises("market.penalti: unknown key (did you mean 'penalty'?); allowed keys: "):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"allowed keys: .*banking.*penalty"):
        load_scenario(path)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'colour = "green"\n' + paper_like())
    with raises(
        "colour: unknown top-level key; allowed: description, firms, generator, "
        "government, market, name"
    ):
        load_scenario(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('steps_per_year = "50"', "market.steps_per_year: expected an integer, got '50'"),
        ("max_orders = 2.5", "market.max_orders: expected an integer, got 2.5"),
        ("banking = 1", "market.banking: expected true or false, got 1"),
        ('penalty = "high"', "market.penalty: expected a number, got 'high'"),
        ("budget = -5", "market.budget: -5.0 is not allowed; it must be > 0"),
        ("budget = 0", "market.budget: 0.0 is not allowed; it must be > 0"),
        (
            "max_release_share = 1.5",
            "market.max_release_share: 1.5 is not allowed; it must be > 0 and <= 1",
        ),
        (
            "research_success = -0.1",
            "market.research_success: -0.1 is not allowed; it must be >= 0 and <= 1",
        ),
        ('firm_data = "week"', "market.firm_data: 'week' is not one of round, year"),
    ],
)
def test_market_value_errors(tmp_path: Path, line: str, message: str) -> None:
    with raises(message):
        load_scenario(write(tmp_path, paper_like(line)))


@pytest.mark.parametrize(("floor", "ceiling"), [(10, 5), (5, 5)])
def test_price_ceiling_must_be_above_floor(tmp_path: Path, floor: int, ceiling: int) -> None:
    path = write(tmp_path, paper_like(f"price_floor = {floor}\nprice_ceiling = {ceiling}"))
    with raises(f"market.price_ceiling: {ceiling} must be above market.price_floor ({floor})"):
        load_scenario(path)


def test_government_value_errors(tmp_path: Path) -> None:
    text = '[government]\nrecycling = "burn"\n' + PAPER_FIRM
    with raises("government.recycling: 'burn' is not one of lump-sum, kept"):
        load_scenario(write(tmp_path, text))
    text = "[government]\nauction_share = 2\n" + PAPER_FIRM
    with raises("government.auction_share: 2.0 is not allowed; it must be >= 0 and <= 1"):
        load_scenario(write(tmp_path, text))


def test_empty_firm_list(tmp_path: Path) -> None:
    with raises("firms: a market needs at least one firm"):
        load_scenario(write(tmp_path, "firms = []\n[market]\nyears = 2\n"))


def test_no_firms_and_no_generator(tmp_path: Path) -> None:
    with raises("firms: a scenario needs [[firms]] tables or a [generator] table"):
        load_scenario(write(tmp_path, "[market]\nyears = 2\n"))


def test_firms_and_generator_together(tmp_path: Path) -> None:
    with raises("firms: give either [[firms]] tables or a [generator], not both"):
        load_scenario(write(tmp_path, paper_like(extra="[generator]\nn_firms = 3\n")))


def test_unknown_firm_key_names_the_firm(tmp_path: Path) -> None:
    text = paper_like() + "capacty = 2.0\n"
    with raises("firms[1].capacty: unknown key (did you mean 'capacity'?)"):
        load_scenario(write(tmp_path, text))


TEXTBOOK = """
[market]
production = false
research = false
green_share = 0.0
budget = 300.0
max_release_share = 1.0

[government]
policy = "scenario"

[[firms]]
baseline_emissions = 100.0
abatement_cost = 1.0
allocation = 80.0
"""


def test_textbook_scenario_from_file_is_valid(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, TEXTBOOK))
    assert s.name == "s"
    assert s.firms[0].baseline_emissions == 100.0


def test_textbook_firm_without_baseline_emissions(tmp_path: Path) -> None:
    text = TEXTBOOK + "[[firms]]\nabatement_cost = 2.0\nallocation = 80.0\n"
    with raises(
        "firms[1].baseline_emissions: required when market.production = false (textbook economy)"
    ):
        load_scenario(write(tmp_path, text))


def test_baseline_emissions_rejected_in_paper_economy(tmp_path: Path) -> None:
    text = paper_like() + "baseline_emissions = 5.0\n"
    with raises("firms[1].baseline_emissions: only used when market.production = false"):
        load_scenario(write(tmp_path, text))


def test_scenario_policy_needs_every_allocation(tmp_path: Path) -> None:
    text = TEXTBOOK + "[[firms]]\nbaseline_emissions = 100.0\nabatement_cost = 2.0\n"
    with raises(
        "government.policy: 'scenario' needs an allocation in every [[firms]] table "
        "(missing in firms[1])"
    ):
        load_scenario(write(tmp_path, text))


def test_scenario_policy_override_on_a_generator() -> None:
    with raises("government.policy: 'scenario' needs an allocation in every [[firms]] table"):
        load_scenario("eu-large", policy="scenario")


GENERATED = """
[market]
years = 2

[generator]
n_firms = 4
"""


def test_generator_unknown_sector(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + 'sectors = ["power", "fishing"]\n')
    scenario = load_scenario(path)  # sectors are checked against the calibration table when drawn
    with raises(
        "generator.sectors: 'fishing' is not in sectors.csv; known: cement, chemicals, power, steel"
    ):
        build_firms(scenario, np.random.default_rng(0))


def test_generator_bad_interval(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + "capacity = { low = 3.0, high = 1.0 }\n")
    with raises("generator.capacity: expected {low = L, high = H} with 0 <= L <= H"):
        load_scenario(path)


def test_generator_negative_low(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + "coins = { low = -1.0, high = 1.0 }\n")
    with raises("generator.coins.low: -1.0 is not allowed; it must be a finite number >= 0"):
        load_scenario(path)


def test_generator_empty_list(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + "research_ability = []\n")
    with raises("generator.research_ability: expected a non-empty list of numbers >= 0"):
        load_scenario(path)


def test_generator_n_firms_zero_in_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[generator]\nn_firms = 0\n")
    with raises("generator.n_firms: 0 is not allowed; it must be >= 1"):
        load_scenario(path)


def test_generator_draws_n_firms_in_the_interval(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + "capacity = { low = 2.0, high = 3.0 }\n")
    cap = build_firms(load_scenario(path), np.random.default_rng(4)).capacity
    assert cap.shape == (4,)
    assert ((cap >= 2.0) & (cap <= 3.0)).all()
    assert (build_firms(load_scenario(path), np.random.default_rng(4)).capacity == cap).all()


# --------------------------------------------------------------------------- files


def test_missing_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with raises(f"scenario: no file at {path}"):
        load_scenario(path)


def test_unknown_shipped_name() -> None:
    with raises(
        "scenario: 'papper' is neither a file nor a shipped scenario; "
        "shipped: classroom, classroom-12, eu-large, eu-shocks, paper, paper-shocks"
    ):
        load_scenario("papper")


def test_invalid_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[market\nyears = 2\n")
    with raises(f"scenario: {path} is not valid TOML: "):
        load_scenario(path)


def test_parse_scenario_from_dict() -> None:
    s = parse_scenario({"firms": [{"capacity": 2}]}, overrides={"years": 3})
    assert s.name == "custom"
    assert s.market.years == 3
    assert s.firms[0].capacity == 2.0


@pytest.mark.parametrize(
    ("line", "low", "high"),
    [
        ("coins = { low = 10.0, high = 30.0 }", 10.0, 30.0),
        ("coins = [15.0, 25.0]", 15.0, 25.0),
        ("emission_rate = { low = 0.5, high = 0.8 }", 0.5, 0.8),
    ],
)
def test_generator_distributions_for_float_keys(
    tmp_path: Path, line: str, low: float, high: float
) -> None:
    firms = build_firms(
        load_scenario(write(tmp_path, GENERATED + line + "\n")), np.random.default_rng(1)
    )
    key = line.split()[0]
    values = firms.coins if key == "coins" else firms.emission_rate
    assert ((values >= low) & (values <= high)).all()


def test_generator_distribution_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, GENERATED + 'coins = "lots"\n')
    with raises("generator.coins: expected a number, a list or {low, high}, got 'lots'"):
        load_scenario(path)


@pytest.mark.parametrize("scenario", ["paper", "eu-large"])
def test_n_firms_is_bounded_by_what_the_engine_holds(scenario: str) -> None:
    # 10**9 firms would take all memory: refused before a single firm is copied or drawn
    with raises("n_firms: 1000000000 is not allowed; it must be an integer >= 1 and <= 100000"):
        load_scenario(scenario, n_firms=10**9)
    assert load_scenario(scenario, n_firms=100_000).n_firms == 100_000


def test_generator_n_firms_above_the_bound_in_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[generator]\nn_firms = 100001\n")
    with raises("generator.n_firms: 100001 is not allowed; it must be >= 1 and <= 100000"):
        load_scenario(path)


def test_allocations_that_outrun_the_budget_warn_naming_the_year() -> None:
    # classroom: 230 allowances a year and a budget of 690, three years' worth
    message = (
        "market.budget: 690 allowances cover the firms' allocations (230 a year) for 3 of the "
        "5 years; the budget runs out in year 4 (a budget of 1150 covers every year)"
    )
    with pytest.warns(ScenarioWarning, match=f"^{re.escape(message)}$"):
        load_scenario("classroom", years=5)
    with pytest.warns(ScenarioWarning, match="for 0 of the 3 years; the budget runs out in year 1"):
        load_scenario("classroom", budget=100.0)


@pytest.mark.parametrize("name", shipped_scenarios())
def test_no_shipped_scenario_outruns_its_budget(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        load_scenario(name)


def test_a_scenario_loaded_again_unchanged_is_the_same_frozen_one(tmp_path: Path) -> None:
    path = write(tmp_path, paper_like("penalty = 5"))
    first = load_scenario(path, years=3, recession_start=[1, 2])
    assert load_scenario(path, recession_start=[1, 2], years=3) is first
    assert load_scenario(path, years=4, recession_start=[1, 2]).market.years == 4
    # The same values of other types are checked afresh: an integer key refuses a float.
    with raises("market.years: expected an integer, got 3.0"):
        load_scenario(path, years=3.0, recession_start=[1, 2])
    assert load_scenario(path, years=3, recession_start=(1, 2)) is not first
    path.write_text(paper_like("penalty = 60"))  # changed since: read and checked again
    assert load_scenario(path, years=3, recession_start=[1, 2]).market.penalty == 60


def test_a_scenario_loaded_again_warns_again() -> None:
    for _ in range(2):
        with pytest.warns(ScenarioWarning, match="the budget runs out in year 4"):
            load_scenario("classroom", years=5)
