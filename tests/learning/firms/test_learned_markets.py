"""Markets of learned firms, with the shipped enterprise policies: learning must not break them."""

import numpy as np
import pandas as pd
import pytest

from market.data import DATA_DIR
from market.theory import competitive_equilibrium
from model import CarbonMarket
from model.episode import run_episode, trades_frame

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

TEXTBOOK_POLICY = str(DATA_DIR / "policies" / "enterprises-classroom-12.zip")


def learned_market(name, seed, **overrides):
    return CarbonMarket(
        name, seed=seed, learned_share=1.0, enterprise_policy=TEXTBOOK_POLICY, **overrides
    )


@pytest.mark.parametrize("name", ["classroom-12", "classroom"])
def test_learned_firms_keep_the_textbook_market_efficient_and_competitive(name):
    efficiency, prices = [], []
    for seed in range(3):
        market = run_episode(learned_market(name, seed))
        assert set(market.behaviour_names) == {"learned"}
        efficiency.append(np.mean(market.efficiency_by_year))
        trades = trades_frame(market)
        last = trades[trades["year"] == trades["year"].max()]
        prices.append((last["price"] * last["quantity"]).sum() / last["quantity"].sum())
    ent = market.enterprises
    p_star = competitive_equilibrium(
        ent.baseline_emissions,
        ent.abatement_cost,
        market.scenario_allocation.sum(),
        market.config.penalty,
    ).price
    assert np.mean(efficiency) >= 0.90
    assert np.mean(prices) == pytest.approx(p_star, rel=0.10)


def test_a_seed_reproduces_a_market_of_learned_firms():
    a = run_episode(learned_market("classroom", 7, years=1))
    b = run_episode(learned_market("classroom", 7, years=1))
    pd.testing.assert_frame_equal(trades_frame(a), trades_frame(b))
    c = run_episode(learned_market("classroom", 8, years=1))
    assert not trades_frame(a).equals(trades_frame(c))


def test_shipped_paper_policies_run_together():
    """The paper's two-stage result: learned firms under the regulator trained against them."""
    import json

    from learning.export import sidecars

    regulator = DATA_DIR / "policies" / "regulator-paper-marl.zip"
    provenance = json.loads(sidecars(regulator)[1].read_text())
    assert provenance["config"]["env_kwargs"]["behaviour"] == "learned"
    assert provenance["command"].startswith("carbon-market train-marl --scenario paper")
    market = CarbonMarket(
        "paper", seed=3, years=2, learned_share=1.0, policy=f"learned:{regulator}"
    )
    while market.running:
        market.step()
    assert set(market.behaviour_names) == {"learned"}
    assert market.rejected_orders == 0
    assert len(market.government.allocations) == 2  # the regulator allocated in both years


def test_shipped_paper_firms_correct_the_rule_rarely_and_post_only_valid_orders():
    """What PPO learned beside rule-based firms after the quote change (docs/learned-firms.md):
    the rule is hard to improve on, so the policy departs from it in about 1% of decisions."""
    departed, decided = 0, 0
    for seed in range(3):
        market = CarbonMarket("paper", seed=seed, years=2, learned_share=0.5)
        while market.running:
            market.step()
        assert market.rejected_orders == 0
        for behaviour, _ in market.behaviour_groups():
            if behaviour.name == "learned":
                departed += behaviour.corrected.sum()
                decided += behaviour.decided * behaviour.corrected.size
    assert 0 < departed / decided < 0.05
