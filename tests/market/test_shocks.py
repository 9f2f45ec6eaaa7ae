"""The [shocks] table: every key checked with a one-line error, and the episode's draws.

The draws are checked against what docs/shocks.md promises: the same seed gives the same
shocks; a recession's depth, length and start lie in their intervals and its frequency is the
configured probability (within a 99.9% binomial interval over a fixed set of seeds); the log
output price is the stated AR(1); with every switch off nothing moves.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from market.config import ScenarioError, ShockConfig
from market.scenario_files import load_scenario
from market.shocks import EpisodeShocks, draw_shocks, episode_scenario, log_ar1

GENERATED = "[market]\nyears = 10\n[generator]\nn_firms = 3\n[shocks]\n{line}\n"
SEEDS = range(4000)


def load(tmp_path: Path, line: str, text: str = GENERATED):
    path = tmp_path / "s.toml"
    path.write_text(text.format(line=line))
    return load_scenario(path)


# --------------------------------------------------------------------------- validation


def outside(where: str, shown: str, allowed: str) -> str:
    """The one-line error of a number outside its range."""
    return f"shocks.{where}: {shown} is not allowed; it must be {allowed}"


FINITE = "a finite number "


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("output_price_rho = 1.0", outside("output_price_rho", "1.0", ">= 0 and < 1")),
        ("output_price_rho = nan", outside("output_price_rho", "nan", FINITE + ">= 0 and < 1")),
        ("output_price_sigma = -0.1", outside("output_price_sigma", "-0.1", ">= 0 and <= 1")),
        (
            "output_price_sigma = inf",
            outside("output_price_sigma", "inf", FINITE + ">= 0 and <= 1"),
        ),
        ("recession_probability = 1.5", outside("recession_probability", "1.5", ">= 0 and <= 1")),
        (
            "recession_probability = nan",
            outside("recession_probability", "nan", FINITE + ">= 0 and <= 1"),
        ),
        ("recession_depth = [0.3, 1.0]", outside("recession_depth[1]", "1.0", ">= 0 and < 1")),
        (
            "recession_depth = [nan, 0.3]",
            outside("recession_depth[0]", "nan", FINITE + ">= 0 and < 1"),
        ),
        ("recession_depth = [0.4, 0.2]", "shocks.recession_depth: low 0.4 is above high 0.2"),
        ("recession_depth = [0.2]", "shocks.recession_depth: expected [low, high], two numbers"),
        ("recession_depth = []", "shocks.recession_depth: expected [low, high], two numbers"),
        ("recession_depth = 0.3", "shocks.recession_depth: expected [low, high], two numbers"),
        ("recession_years = [0, 2]", outside("recession_years[0]", "0", ">= 1")),
        ("recession_years = [1.5, 2]", "shocks.recession_years[0]: expected integer, got 1.5"),
        ("recession_start = [-1, 2]", outside("recession_start[0]", "-1", ">= 0")),
        (
            "research_success_range = [0.5, 1.2]",
            outside("research_success_range[1]", "1.2", ">= 0 and <= 1"),
        ),
        (
            "research_success_range = [0.5, inf]",
            outside("research_success_range[1]", "inf", FINITE + ">= 0 and <= 1"),
        ),
        ("research_ability_factor = [0, 1]", outside("research_ability_factor[0]", "0", "> 0")),
        ("n_firms_range = [0, 5]", outside("n_firms_range[0]", "0", ">= 1 and <= 100000")),
        ("n_firms_range = [2, true]", "shocks.n_firms_range[1]: expected integer, got True"),
        (
            "recession_probabilty = 0.5",
            "shocks.recession_probabilty: unknown key (did you mean 'recession_probability'?)",
        ),
    ],
)
def test_a_bad_shock_key_is_named_in_one_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(message)}") as err:
        load(tmp_path, line)
    assert "\n" not in str(err.value)


def test_the_number_of_firms_is_drawn_only_for_generated_firms(tmp_path: Path) -> None:
    explicit = "[market]\nyears = 2\n[[firms]]\n[[firms]]\n[shocks]\n{line}\n"
    with pytest.raises(ScenarioError, match=r"^shocks.n_firms_range: draws the number of gen"):
        load(tmp_path, "n_firms_range = [2, 4]", explicit)


def test_an_empty_interval_switches_a_draw_off_and_overrides_reach_the_table() -> None:
    scenario = load_scenario("paper-shocks", research_success_range=[], recession_probability=0)
    assert scenario.shocks.research_success_range == ()
    assert scenario.shocks.recession_probability == 0.0
    assert scenario.shocks.recession_start == (1, 6)
    assert load_scenario("paper-shocks", recession_depth=[0.25, 0.3]).shocks.recession_depth == (
        0.25,
        0.3,
    )
    with pytest.raises(ScenarioError, match=r"^shocks.recession_depth\[1\]: 1.0 is not allowed"):
        load_scenario("paper-shocks", recession_depth=[0.2, 1.0])


def test_fixing_n_firms_drops_the_per_episode_draw() -> None:
    scenario = load_scenario("eu-shocks", n_firms=40)
    assert scenario.shocks.n_firms_range == ()
    assert {draw_shocks(scenario, seed).n_firms for seed in range(20)} == {40}


def test_a_cap_share_override_reaches_the_generator_and_needs_one() -> None:
    assert load_scenario("paper-shocks", cap_share=0.05).generator.cap_share == 0.05
    with pytest.raises(ScenarioError, match=r"^cap_share: paper lists its firms and has no \[gen"):
        load_scenario("paper", cap_share=0.05)


def test_every_shock_is_off_by_default() -> None:
    for name in ("paper", "classroom", "classroom-12", "eu-large"):
        assert load_scenario(name).shocks == ShockConfig()


# --------------------------------------------------------------------------- draws


@pytest.fixture(scope="module")
def paper_draws() -> list[EpisodeShocks]:
    scenario = load_scenario("paper-shocks")
    return [draw_shocks(scenario, seed) for seed in SEEDS]


def scalars(drawn: EpisodeShocks) -> tuple:
    """Every draw but the price path."""
    return tuple(v for k, v in vars(drawn).items() if k != "output_price")


def test_the_same_seed_draws_the_same_shocks() -> None:
    scenario = load_scenario("paper-shocks")
    first, again, other = (draw_shocks(scenario, s) for s in (7, 7, 8))
    np.testing.assert_array_equal(first.output_price, again.output_price)
    assert scalars(first) == scalars(again)
    assert not np.array_equal(first.output_price, other.output_price)


def test_with_every_switch_off_the_price_is_the_scenarios_every_year() -> None:
    scenario = load_scenario("paper")
    for seed in range(20):
        drawn = draw_shocks(scenario, seed)
        assert (drawn.output_price == 10.0).all() and drawn.recession_start == -1
        assert (drawn.research_success, drawn.research_ability_factor) == (0.7, 1.0)
        assert drawn.n_firms == 5
        assert episode_scenario(scenario, drawn) is scenario


def test_recessions_come_at_the_configured_rate(paper_draws) -> None:
    hits = sum(d.recession_start >= 0 for d in paper_draws)
    low, high = stats.binom.interval(0.999, len(paper_draws), 0.5)
    assert low <= hits <= high


def test_a_recession_lies_in_its_intervals_and_cuts_the_price_in_its_years(paper_draws) -> None:
    recessions = [d for d in paper_draws if d.recession_start >= 0]
    depths = np.array([d.recession_depth for d in recessions])
    assert depths.min() >= 0.2 and depths.max() < 0.4
    assert {d.recession_years for d in recessions} == {1, 2, 3}
    assert {d.recession_start for d in recessions} == {1, 2, 3, 4, 5, 6}
    for d in recessions[:50]:
        years = np.flatnonzero(d.in_recession)
        assert years[0] == d.recession_start
        assert len(years) == min(d.recession_years, 10 - d.recession_start)
    calm = next(d for d in paper_draws if d.recession_start < 0)
    assert (calm.recession_years, calm.recession_depth, calm.in_recession.any()) == (0, 0.0, False)


def test_the_recession_is_the_same_with_or_without_the_price_noise() -> None:
    noisy = load_scenario("paper-shocks")
    quiet = load_scenario("paper-shocks", output_price_sigma=0.0)
    for seed in range(30):
        a, b = draw_shocks(noisy, seed), draw_shocks(quiet, seed)
        assert scalars(a) == scalars(b)
        expected = np.where(b.in_recession, 10.0 * (1.0 - b.recession_depth), 10.0)
        np.testing.assert_array_equal(b.output_price, expected)


def test_a_shorter_episode_keeps_the_seeds_calendar() -> None:
    full, short = load_scenario("paper-shocks"), load_scenario("paper-shocks", years=2)
    for seed in range(30):
        a, b = draw_shocks(full, seed), draw_shocks(short, seed)
        assert scalars(a) == scalars(b)  # a recession may now start after the episode
        np.testing.assert_array_equal(a.output_price[:2], b.output_price)


def test_the_log_price_is_the_stated_ar1() -> None:
    noise = np.array([0.5, -1.0, 2.0])
    x = log_ar1(noise, 0.6, 0.1)
    first = 0.1 * 0.5 / math.sqrt(1 - 0.36)
    np.testing.assert_allclose(x, [first, 0.6 * first - 0.1, 0.6 * (0.6 * first - 0.1) + 0.2])
    assert (log_ar1(noise, 0.6, 0.0) == 0.0).all()


def test_the_log_price_has_the_ar1s_stationary_spread_and_persistence() -> None:
    scenario = load_scenario("paper-shocks", recession_probability=0.0)
    x = np.log(np.array([draw_shocks(scenario, s).output_price for s in SEEDS]) / 10.0)
    n, variance = len(SEEDS), 0.01 / (1 - 0.36)
    # Sample variance of n normals: standard error variance * sqrt(2 / n); four of them.
    for year in (0, 9):
        assert abs(x[:, year].var() - variance) < 4 * variance * math.sqrt(2 / n)
    # Lag-one correlation of a stationary AR(1) is rho; its standard error (1 - rho^2)/sqrt(n).
    correlation = np.corrcoef(x[:, 4], x[:, 5])[0, 1]
    assert abs(correlation - 0.6) < 4 * (1 - 0.36) / math.sqrt(n)


def test_technology_and_firm_counts_lie_in_their_intervals(paper_draws) -> None:
    success = np.array([d.research_success for d in paper_draws])
    factor = np.array([d.research_ability_factor for d in paper_draws])
    assert success.min() >= 0.5 and success.max() < 0.9
    assert factor.min() >= 0.8 and factor.max() < 1.2
    assert {d.n_firms for d in paper_draws} == set(range(3, 9))
    eu = load_scenario("eu-shocks")
    counts = [draw_shocks(eu, seed).n_firms for seed in range(300)]
    assert min(counts) >= 50 and max(counts) <= 500 and len(set(counts)) > 100


def test_the_episode_scenario_holds_the_drawn_firms_and_success() -> None:
    scenario = load_scenario("paper-shocks")
    drawn = draw_shocks(scenario, 3)
    episode = episode_scenario(scenario, drawn)
    assert episode.n_firms == drawn.n_firms == episode.generator.n_firms
    assert episode.market.research_success == drawn.research_success
    assert episode.shocks == scenario.shocks and episode.market.years == 10
