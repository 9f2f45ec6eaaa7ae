"""Learned firms in a batch: lane i plays exactly what its market plays alone.

Each lane's learned firms observe after every round and act through their policy as the
market's own learned behaviour does, so the ledger, every year's record, the final accounts
and the count of decisions that departed from the rule are the same, whatever the batch size
and the order of the seeds.
"""

from __future__ import annotations

import sys

import pytest

from agents.learned_firm import LearnedBehaviour
from market.data import POLICY_DIR
from model import CarbonMarket
from model.batch import MarketBatch, batchable
from model.validation import load_scenario
from tests.model.test_batch import alone, assert_same

CLASSROOM_FIRMS = str(POLICY_DIR / "enterprises-classroom-12.zip")
CASES = {
    "paper": {"learned_share": 0.5, "years": 3},
    "classroom-12": {
        "behaviour": "learned",
        "enterprise_policy": CLASSROOM_FIRMS,
        "years": 2,
        "steps_per_year": 40,
    },
    "paper-shocks": {"learned_share": 0.4, "years": 3, "recession_start": [1, 2]},
}


def counts(market: CarbonMarket) -> list[list[int]]:
    groups = market.behaviour_groups()
    return [b.counts.tolist() for b, _ in groups if isinstance(b, LearnedBehaviour)]


@pytest.mark.parametrize("scenario", list(CASES))
@pytest.mark.parametrize("seeds", [[4], [6, 0, 5, 2, 3, 1, 7]], ids=["one", "seven"])
def test_a_lane_with_learned_firms_plays_as_its_market_alone(scenario, seeds):
    overrides = CASES[scenario]
    batch = MarketBatch(scenario, seeds, **overrides).run()
    for lane, seed in zip(batch.markets, seeds, strict=True):
        single = alone(scenario, seed, **overrides)
        assert_same(lane, single)
        assert counts(lane) == counts(single)
        assert counts(lane)[0][-1] > 0  # the policy decided, and its decisions were counted


def test_learned_firms_in_a_batch_depart_from_the_rule():
    # The policy's actions matter: the same lanes with rule-based firms trade otherwise.
    learned = MarketBatch("paper", [1, 2], learned_share=1.0, years=2).run()
    rule = MarketBatch("paper", [1, 2], behaviour="rule-based", years=2).run()
    assert [m.year_records for m in learned.markets] != [m.year_records for m in rule.markets]


def test_learned_firms_driven_by_a_training_env_do_not_batch():
    assert batchable(load_scenario("paper", learned_share=0.5))
    assert not batchable(load_scenario("paper", learned_share=0.5, enterprise_policy=""))


def test_observing_the_lanes_leaves_their_arrays_referenced_as_before():
    # The observation kernel's sight views the lanes' arrays; the sight the round kernels
    # compile (without reference counting) would release views it never held and free the
    # arrays under the batch. Played after a market alone, which compiles the round first.
    alone("paper", 0, years=1, learned_share=0.5)
    batch = MarketBatch("paper", [1, 2, 3], years=2, learned_share=0.5)
    arrays = batch.blocks[0].arrays
    viewed = (arrays.accounts, arrays.firms.floats, arrays.book.firm_info, *arrays.scratch)
    held = [sys.getrefcount(array) for array in viewed]
    batch.play_year()
    assert [sys.getrefcount(array) for array in viewed] == held
