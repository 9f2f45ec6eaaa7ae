"""The round records: the measures one kernel writes equal the same numbers computed here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import CarbonMarket
from model.records import MEASURES


def gini(wealth: np.ndarray) -> float:
    """The exact pairwise Gini coefficient, written out here as the reference."""
    n = wealth.size
    return float(np.abs(wealth[:, None] - wealth[None, :]).sum() / (2 * n * n * wealth.mean()))


def reference(m: CarbonMarket) -> dict[str, float | int | None]:
    """Every measure of the round ``m`` just played, from its state with numpy."""
    ent, acc, book = m.enterprises, m.accounts, m.book
    wealth = acc.coins + acc.escrow_coins
    over = float(np.maximum(ent.emitted_total - ent.surrendered_total, 0).sum())
    n = ent.n
    equality = 1 - gini(wealth) * n / (n - 1)
    productivity = float(wealth.mean())
    bid, ask = book.best_bid(), book.best_ask()
    return {
        "round": m.steps,
        "year": m.year,
        "price": m.round_price,
        "last_price": book.trades[-1].price if len(book.trades) else None,
        "expected_price": m.expected_price,
        "volume": m.round_volume,
        "best_bid": bid,
        "best_ask": ask,
        "spread": None if bid is None or ask is None else ask - bid,
        "output": float(ent.output.sum()),
        "emissions": m.round_emissions,
        "emissions_this_year": float(ent.ytd_emissions.sum()),
        "release": m.run.release,
        "remaining_budget": m.run.remaining_budget,
        "over_emission": over,
        "mean_emission_rate": float(ent.emission_rate.mean()),
        "green_projects": ent.green_projects_completed,
        "productivity": productivity,
        "equality": equality,
        "welfare": equality * productivity * math.exp(-m.config.climate_coefficient * over),
        "allocative_efficiency": m.allocative_efficiency,
    }


def assert_measures_equal(got: dict, want: dict) -> None:
    assert list(got) == list(MEASURES)
    for name in MEASURES:
        if want[name] is None:
            assert got[name] is None, name
        elif isinstance(want[name], int):
            assert got[name] == want[name] and isinstance(got[name], int), name
        elif math.isnan(want[name]):
            assert math.isnan(got[name]), name
        else:
            assert got[name] == pytest.approx(want[name], rel=1e-12, abs=1e-9), name


@pytest.mark.parametrize("scenario", ["paper", "classroom"])
def test_every_rounds_measures_equal_numpys(scenario):
    m = CarbonMarket(scenario, seed=2, years=2, steps_per_year=40)
    assert_measures_equal(m.measures, reference(m))
    seen_missing = seen_trades = False
    while m.running:
        m.step()
        want = reference(m)
        assert_measures_equal(m.measures, want)
        seen_missing |= want["best_ask"] is None or want["best_bid"] is None
        seen_trades |= want["volume"] > 0
    assert seen_trades and (scenario == "paper" or seen_missing)


def test_model_vars_hold_every_round_past_the_first_arrays():
    """The records start with room for 64 rounds and grow; nothing recorded is lost."""
    m = CarbonMarket("classroom", seed=5, years=3, steps_per_year=50)
    rounds = [dict(m.measures)]
    while m.running:
        m.step()
        rounds.append(dict(m.measures))
    columns = m.datacollector.model_vars
    assert columns["round"] == list(range(151))
    for name in MEASURES:
        assert comparable(columns[name]) == comparable(r[name] for r in rounds), name


def comparable(values) -> list:
    """``values`` with nan as a string, so that lists holding nan compare equal."""
    return [v if not (isinstance(v, float) and math.isnan(v)) else "nan" for v in values]


def test_firm_numbers_are_the_firms_state_at_each_recorded_round():
    m = CarbonMarket("paper", seed=1, years=1, steps_per_year=30)
    coins, rates = {}, {}
    while m.running:
        m.step()
        coins[m.steps] = m.accounts.total_coins().copy()
        rates[m.steps] = m.enterprises.emission_rate.copy()
    firms = m.datacollector.get_agent_vars_dataframe()
    for step in (1, 17, 30):
        rows = firms.xs(step, level="Step")
        np.testing.assert_array_equal(rows["coins"].to_numpy(), coins[step])
        np.testing.assert_array_equal(rows["emission_rate"].to_numpy(), rates[step])
