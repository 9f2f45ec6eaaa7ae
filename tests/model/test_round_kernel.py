"""A round in one compiled call plays exactly as the same phases played one by one."""

import numpy as np
import pandas as pd
import pytest

from agents.behaviours import RuleBased
from market.data import POLICY_DIR
from model import CarbonMarket

CLASSROOM_FIRMS = str(POLICY_DIR / "enterprises-classroom-12.zip")


def trajectory(market: CarbonMarket) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    while market.running:
        market.step()
    dc = market.datacollector
    return dc.get_table_dataframe("trades"), dc.get_model_vars_dataframe(), market.accounts.block


def one_by_one(market: CarbonMarket) -> CarbonMarket:
    """The same market playing its phases from Python (as a Python behaviour would)."""
    market._compiled_groups = None
    return market


CASES = [
    ("paper", {"policy": "decreasing-benchmarking"}),
    ("paper", {"policy": "auction", "behaviour": "zi-c"}),
    ("classroom", {"behaviour": "truthful"}),
    ("classroom-12", {"behaviour": "zi-u", "years": 1}),
    ("eu-large", {"n_firms": 60, "years": 2, "policy": "eu-benchmark"}),
    # The year's output price, R&D success and skills drawn per episode, read by both paths.
    ("paper-shocks", {"years": 4, "recession_probability": 1.0, "recession_start": [1, 2]}),
    ("eu-shocks", {"years": 2, "n_firms_range": [30, 60], "recession_start": [1, 1]}),
    # Learned firms beside rule-based ones, acting through the shipped policy.
    ("paper", {"learned_share": 0.6, "years": 3}),
    ("classroom-12", {"behaviour": "learned", "enterprise_policy": CLASSROOM_FIRMS, "years": 1}),
]


@pytest.mark.parametrize(("scenario", "overrides"), CASES, ids=[c[0] for c in CASES])
def test_the_compiled_round_equals_the_phases_one_by_one(scenario, overrides):
    compiled = CarbonMarket(scenario, seed=3, **overrides)
    assert compiled._compiled_groups is not None
    python = one_by_one(CarbonMarket(scenario, seed=3, **overrides))
    trades, rounds, block = trajectory(compiled)
    trades_py, rounds_py, block_py = trajectory(python)
    pd.testing.assert_frame_equal(trades, trades_py)
    pd.testing.assert_frame_equal(rounds, rounds_py)
    np.testing.assert_array_equal(block, block_py)


def test_mixed_behaviours_compile_and_a_subclass_plays_in_python():
    market = CarbonMarket("paper", seed=1, years=2)
    market.assign_behaviours({0: market.firms[1].behaviour.__class__(), 3: RuleBased()})
    assert market._compiled_groups is not None

    class Careful(RuleBased):
        """A rule written in Python: the market plays its phases one by one."""

    market.assign_behaviour(2, Careful())
    assert market._compiled_groups is None
    trajectory(market)
    assert market.steps == 100
