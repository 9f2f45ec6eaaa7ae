"""A policy's open-loop imitation, and the search that refines a schedule from a start."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agents.schedule import Schedule
from learning.imitation import imitation_seeds, open_loop_imitation
from learning.schedule_search import (
    Parametrisation,
    SearchConfig,
    optimize_schedule,
    score_schedules,
    selection_seeds,
)
from learning.seeds import EVALUATION_SEED_START

SHARES = (0.0, 0.25, 0.05, 0.2, 0.1, 0.1, 0.15, 0.05, 0.05, 0.05)
WEIGHTS = (0.1, 0.5, 0.3, 0.1)


def test_imitating_a_schedule_gives_back_its_releases_up_to_whole_allowances(tmp_path) -> None:
    """A schedule imitated is the schedule, but for the split's rounding.

    Each firm's part is floored to whole allowances (``agents.policies.split``) and the
    green projects' part too, so a year releases less than its share of the budget by less
    than one allowance per firm and one for the projects: with 5 firms and a budget of 200,
    less than 6 / 200 = 0.03 of the budget. The firms' shares of a year's allocation then
    miss the rule mix's by less than one allowance in the smallest positive allocation. (The
    weights themselves are not identified: the rules' splits of the paper's firms are nearly
    collinear, so other mixes explain the splits as well.)
    """
    path = Schedule(SHARES, WEIGHTS).save(tmp_path / "s.json")
    imitation = open_loop_imitation("paper", f"schedule:{path}", imitation_seeds(3))
    imitated = np.asarray(imitation.schedule.release_shares)
    assert (imitated <= np.asarray(SHARES) + 1e-12).all()
    assert (imitated > np.asarray(SHARES) - 6 / 200).all()
    smallest = min(s for s in SHARES if s > 0) * 200 * 0.9  # the firms' part of that year
    assert imitation.split_residual < 1 / smallest
    assert imitation.schedule.auction_share == 0.0
    assert imitation.yearly_shares.shape == (3, 10)


def test_a_rule_that_reacts_is_imitated_by_its_mean_yearly_release() -> None:
    seeds = imitation_seeds(4)
    imitation = open_loop_imitation("paper", "msr", seeds)
    # Every release share is a budget share in [0, the yearly maximum of 0.25] ...
    assert imitation.yearly_shares.min() >= 0.0
    assert imitation.yearly_shares.max() <= 0.25 + 1e-12
    # ... and the schedule's are their means over the seeds.
    np.testing.assert_allclose(
        imitation.schedule.release_shares, imitation.yearly_shares.mean(axis=0), rtol=1e-12
    )


def test_an_imitation_never_plays_an_evaluation_seed() -> None:
    with pytest.raises(ValueError, match="training seeds only"):
        open_loop_imitation("paper", "msr", [EVALUATION_SEED_START])
    with pytest.raises(ValueError, match="at least one seed"):
        open_loop_imitation("paper", "msr", [])


def test_encoding_a_schedule_is_the_inverse_of_decoding_it() -> None:
    space = Parametrisation(years=10, max_share=0.25)
    decoded = space.decode(space.encode(Schedule(SHARES, WEIGHTS)))
    np.testing.assert_allclose(decoded.release_shares, SHARES, atol=1e-15)
    np.testing.assert_allclose(decoded.rule_weights, WEIGHTS, atol=1e-15)
    with pytest.raises(ValueError, match="auction share"):
        space.encode(Schedule(SHARES, WEIGHTS, auction_share=0.5))
    with pytest.raises(ValueError, match="has 3 years"):
        space.encode(Schedule((0.1, 0.1, 0.1)))


def test_a_refined_start_is_never_worse_on_the_selection_seeds(tmp_path) -> None:
    """The start plays the selection seeds beside the search's finalists, so the winner is
    at least as good there; the journal records the start, so a resume cannot change it."""
    start = Schedule(SHARES, WEIGHTS)
    config = SearchConfig(episodes=700, seeds_per_candidate=2, selection_seeds=3, popsize=4)
    refined = optimize_schedule("paper", config, tmp_path / "j.sqlite", start=start)
    (as_started,) = score_schedules("paper", [start], selection_seeds(config), 0.2)
    assert refined.selection_welfare >= as_started
    with pytest.raises(ValueError, match="another search"):
        optimize_schedule("paper", config, tmp_path / "j.sqlite")


def test_imitate_schedule_writes_a_schedule_the_market_can_play(tmp_path, capsys) -> None:
    from cli import main

    source = Schedule(SHARES, WEIGHTS).save(tmp_path / "s.json")
    out = tmp_path / "imitation.json"
    main(["imitate-schedule", "--policy", f"schedule:{source}", "--seeds", "2", "--out", str(out)])
    record = json.loads(out.read_text())
    assert np.allclose(record["release_shares"], SHARES, atol=6 / 200)
    assert record["provenance"]["imitates"] == f"schedule:{source}"
    assert "optimize-schedule --start" in capsys.readouterr().out
