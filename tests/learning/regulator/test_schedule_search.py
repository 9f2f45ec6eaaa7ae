"""The schedule search: its parametrisation, its seeds, and a killed search that resumes."""

from __future__ import annotations

import numpy as np
import pytest

from agents.schedule import Schedule
from learning import schedule_search
from learning.schedule_search import (
    Journal,
    Parametrisation,
    SearchConfig,
    optimize_schedule,
    score_schedules,
    selection_seeds,
    training_seeds,
)
from learning.seeds import EVALUATION_SEED_START
from model import CarbonMarket

SMALL = SearchConfig(episodes=700, seeds_per_candidate=2, selection_seeds=3, popsize=4)


def test_the_neutral_point_is_the_flat_schedule_with_the_rules_mixed_equally() -> None:
    space = Parametrisation(years=10, max_share=0.25)
    schedule = space.decode(space.neutral())
    assert schedule.release_shares == pytest.approx((0.1,) * 10)
    assert schedule.rule_weights == pytest.approx((0.25,) * 4)


def test_the_box_faces_are_withholding_and_the_yearly_maximum() -> None:
    space = Parametrisation(years=3, max_share=0.4)
    schedule = space.decode([-0.5, 1.0, 2.0, 0, 0, 0, 0])
    assert schedule.release_shares == (0.0, 0.4, 0.4)
    assert schedule.rule_weights == (0.25,) * 4  # no weight at all: the rules mixed equally


def test_scoring_a_schedule_is_playing_it_as_a_policy(tmp_path) -> None:
    schedule = Schedule((0.0, 0.25, *(0.1,) * 8), (0.1, 0.5, 0.3, 0.1))
    path = schedule.save(tmp_path / "s.json")
    seeds = [11, 12]
    scored = score_schedules("paper", [schedule], seeds, 0.2)
    alone = []
    for seed in seeds:
        market = CarbonMarket("paper", seed=seed, policy=f"schedule:{path}")
        while market.running:
            market.step()
        alone.append(market.welfare)
    assert scored[0] == pytest.approx(np.mean(alone), rel=1e-12)


def test_markets_that_cannot_batch_score_the_same_one_by_one(monkeypatch) -> None:
    schedules = [Schedule((0.0, 0.25, *(0.1,) * 8)), Schedule((0.1,) * 10, (1, 0, 0, 0))]
    batched = score_schedules("paper", schedules, [3, 4], 0.5)
    monkeypatch.setattr(schedule_search, "batchable", lambda scenario: False)
    np.testing.assert_array_equal(score_schedules("paper", schedules, [3, 4], 0.5), batched)


def test_no_seed_of_the_search_is_an_evaluation_seed(monkeypatch, tmp_path) -> None:
    played: list[int] = []
    original = schedule_search.score_schedules

    def spy(scenario, schedules, seeds, c):
        played.extend(seeds)
        return original(scenario, schedules, seeds, c)

    monkeypatch.setattr(schedule_search, "score_schedules", spy)
    optimize_schedule("paper", SMALL, tmp_path / "j.sqlite")
    assert played and max(played) < EVALUATION_SEED_START
    assert set(selection_seeds(SMALL)).isdisjoint(training_seeds(SMALL, 0, 10_000))
    with pytest.raises(ValueError, match="ran out of training seeds"):
        training_seeds(SMALL, EVALUATION_SEED_START, 1)


def test_a_killed_search_resumes_where_it_stopped_and_ends_the_same(tmp_path) -> None:
    whole = optimize_schedule("paper", SMALL, tmp_path / "whole.sqlite")
    kept = Journal(tmp_path / "whole.sqlite").generations()
    assert len(kept) == whole.generations > 3
    killed = Journal(tmp_path / "killed.sqlite")  # as if killed after three generations
    killed.bind({"scenario": "paper", **SMALL.__dict__, "cma": schedule_search.cma.__version__})
    for generation, (stage, candidates, scores) in enumerate(kept[:3]):
        killed.add(generation, stage, candidates, scores)
    resumed = optimize_schedule("paper", SMALL, tmp_path / "killed.sqlite")
    assert resumed.schedule == whole.schedule
    assert resumed.best_by_generation == whole.best_by_generation
    assert len(Journal(tmp_path / "killed.sqlite").generations()) == whole.generations


def test_a_journal_of_another_search_is_refused(tmp_path) -> None:
    Journal(tmp_path / "j.sqlite").bind({"scenario": "classroom"})
    with pytest.raises(ValueError, match="belongs to another search"):
        optimize_schedule("paper", SMALL, tmp_path / "j.sqlite")


@pytest.mark.parametrize(
    ("field", "value"),
    [("episodes", 0), ("seeds_per_candidate", 0), ("sigma0", float("nan")), ("seed", 100),
     ("climate_coefficient", float("inf")), ("popsize", 1)],
)  # fmt: skip
def test_a_setting_out_of_range_is_named(field, value) -> None:
    with pytest.raises(ValueError, match=field):
        SearchConfig(**{field: value}).check()


@pytest.mark.slow
def test_the_search_finds_the_year_one_withholding_shape_from_the_neutral_start(tmp_path) -> None:
    """With a PPO run's budget (4,000 episodes) it withholds year 1 and front-loads year 2,
    the shape the shipped regulator found, and beats the flat start many times over."""
    result = optimize_schedule("paper", SearchConfig(episodes=4000), tmp_path / "j.sqlite")
    shares = result.schedule.release_shares
    assert shares[0] < 0.02 and shares[1] > 0.2
    flat = Parametrisation(10, 0.25)
    neutral = score_schedules(
        "paper", [flat.decode(flat.neutral())], selection_seeds(SearchConfig()), 0.2
    )
    assert result.selection_welfare > 5 * neutral[0]
