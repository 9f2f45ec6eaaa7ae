"""Unit tests of the firms' state table: production, R&D, emission rates, offsets, compliance.

Every test builds an :class:`Enterprises` directly from a :class:`MarketConfig` and an
:class:`Accounts` and checks exact numbers (MODEL.md, "Enterprises").
"""

import math

import numpy as np
import pytest

from market.accounts import Accounts
from market.config import MarketConfig
from market.enterprises import Enterprises
from market.random_kernels import export_state


def make(
    *,
    capacity=(1.0, 1.0),
    research_ability=None,
    emission_rate=None,
    coins=None,
    allowances=None,
    baseline=None,
    abatement_cost=None,
    **config,
) -> Enterprises:
    n = len(capacity)
    market = MarketConfig(**config)
    accounts = Accounts(
        np.zeros(n) if coins is None else np.asarray(coins, dtype=float),
        np.zeros(n) if allowances is None else np.asarray(allowances, dtype=float),
    )
    return Enterprises(
        market,
        accounts,
        capacity=np.asarray(capacity, dtype=float),
        research_ability=np.ones(n) if research_ability is None else np.asarray(research_ability),
        emission_rate=np.ones(n) if emission_rate is None else np.asarray(emission_rate),
        baseline_emissions=np.full(n, math.nan) if baseline is None else np.asarray(baseline),
        abatement_cost=np.full(n, math.inf)
        if abatement_cost is None
        else np.asarray(abatement_cost, dtype=float),
        sector=np.array([""] * n, dtype=object),
    )


def rng():
    """The state of a seeded generator, as the kernels draw from it."""
    return export_state(np.random.default_rng(0))


# --------------------------------------------------------------------------- production


def test_production_revenue_emissions_and_clipping():
    ent = make(capacity=(1.6, 1.0, 2.0), emission_rate=(1.0, 0.5, 2.0), coins=(1, 2, 3))
    revenue = ent.produce(np.array([2.0, 0.5, -1.0]), 10.0)
    np.testing.assert_allclose(ent.output, [1.6, 0.5, 0.0])
    assert revenue == pytest.approx(10.0 * 2.1)
    np.testing.assert_allclose(ent.accounts.coins, [17.0, 7.0, 3.0])
    np.testing.assert_allclose(ent.ytd_emissions, [1.6, 0.25, 0.0])
    np.testing.assert_allclose(ent.ytd_output, [1.6, 0.5, 0.0])
    ent.produce(np.array([1.0, 1.0, 1.0]), 10.0)
    np.testing.assert_allclose(ent.ytd_emissions, [2.6, 0.75, 2.0])
    np.testing.assert_allclose(ent.accounts.coins, [27.0, 17.0, 13.0])


def test_production_earns_the_years_output_price():
    ent = make(capacity=(3.0,), emission_rate=(0.7,))
    assert ent.produce(np.array([2.5]), 300.0) == pytest.approx(750.0)
    assert ent.ytd_emissions[0] == pytest.approx(1.75)


# --------------------------------------------------------------------------- R&D


def test_research_costs_cost_over_ability_and_only_when_affordable():
    ent = make(
        capacity=(1, 1, 1, 1),
        research_ability=(1.0, 2.0, 0.5, 1.0),
        coins=(5.0, 2.0, 20.0, 100.0),
        research_success=1.0,
    )
    np.testing.assert_allclose(ent.research_attempt_cost, [5.0, 2.5, 10.0, 5.0])
    spent = ent.research(np.array([True, True, True, False]), 3, rng())
    assert spent == pytest.approx(15.0)
    # firm 0 pays exactly all it has; firm 1 cannot afford 2.5; firm 3 does not try
    np.testing.assert_allclose(ent.accounts.coins, [0.0, 2.0, 10.0, 100.0])
    np.testing.assert_array_equal(ent.last_research_round, [3, 0, 3, 0])


def test_research_nothing_affordable_spends_nothing():
    ent = make(capacity=(1,), coins=(4.99,), research_success=1.0)
    assert ent.research(np.array([True]), 0, rng()) == 0.0
    assert ent.accounts.coins[0] == 4.99
    for r in range(1, 10):
        ent.update_technology(r)
    assert ent.knowledge[0] == 0


@pytest.mark.parametrize("delay", [1, 5, 7])
def test_research_success_takes_effect_exactly_delay_rounds_later(delay):
    ent = make(capacity=(1, 1), coins=(100, 100), research_success=1.0, research_delay=delay)
    r0 = 3
    ent.update_technology(r0)
    ent.research(np.array([True, False]), r0, rng())
    for r in range(r0 + 1, r0 + delay):
        ent.update_technology(r)
        assert ent.knowledge.tolist() == [0, 0], r
    ent.update_technology(r0 + delay)
    assert ent.knowledge.tolist() == [1, 0]
    assert ent.emission_rate[0] < 1.0
    assert ent.emission_rate[1] == pytest.approx(1.0)


def test_failed_research_costs_but_adds_no_knowledge():
    ent = make(capacity=(1,), coins=(100,), research_success=0.0)
    assert ent.research(np.array([True]), 0, rng()) == pytest.approx(5.0)
    for r in range(1, 12):
        ent.update_technology(r)
    assert ent.knowledge[0] == 0
    assert ent.accounts.coins[0] == pytest.approx(95.0)


def test_knowledge_is_forgotten_one_unit_per_forget_after_rounds():
    ent = make(
        capacity=(1,),
        coins=(100,),
        research_success=1.0,
        research_delay=5,
        forget_after=25,
    )
    for r in (10, 11):
        ent.update_technology(r)
        ent.research(np.array([True]), r, rng())
    knowledge = {}
    for r in range(12, 70):
        ent.update_technology(r)
        knowledge[r] = int(ent.knowledge[0])
    assert knowledge[15] == 1 and knowledge[16] == 2
    # last research in round 11: one unit lost at 11 + 25 = 36, the next at 36 + 25 = 61
    assert knowledge[35] == 2
    assert knowledge[36] == 1
    assert knowledge[60] == 1
    assert knowledge[61] == 0
    assert knowledge[69] == 0


def test_research_resets_the_forgetting_clock():
    ent = make(capacity=(1,), coins=(100,), research_success=0.0, forget_after=25)
    ent.knowledge[:] = 3
    ent.update_technology(0)
    ent.research(np.array([True]), 20, rng())  # fails but still counts as research
    for r in range(21, 45):
        ent.update_technology(r)
    assert ent.knowledge[0] == 3
    ent.update_technology(45)
    assert ent.knowledge[0] == 2


# --------------------------------------------------------------------------- emission rate


def test_emission_rate_formula_with_knowledge_and_green_projects():
    capacity = np.array([1.6, 1.0, 1.2])
    ability = np.array([1.2, 1.6, 1.0])
    er0 = np.array([1.0, 0.8, 1.0])
    ent = make(capacity=capacity, research_ability=ability, emission_rate=er0, forget_after=25)
    ent.knowledge[:] = [3, 5, 0]
    ent.green_projects_completed = 4
    ent.last_research_round[:] = 10
    ent.update_technology(10)
    a = 0.1
    s = math.exp(-0.3) * 1.6 + math.exp(-0.5) * 1.0 + 1.2
    green = s / (s + 4)
    expected = er0 * np.exp(-a * ability * np.array([3, 5, 0])) * green
    np.testing.assert_allclose(ent.emission_rate, expected, rtol=1e-12)
    # hand-computed: S = 1.6 e^-0.3 + e^-0.5 + 1.2 = 2.99184, S/(S+G) = 0.42790
    assert s == pytest.approx(2.99184, abs=1e-5)
    assert ent.emission_rate[0] == pytest.approx(math.exp(-0.36) * s / (s + 4), rel=1e-12)
    assert ent.emission_rate[2] == pytest.approx(0.42790, abs=1e-5)


def test_emission_rate_without_green_projects_is_pure_knowledge_term():
    ent = make(capacity=(1.0,), research_ability=(1.4,), emission_rate=(1.0,))
    ent.knowledge[:] = 2
    ent.update_technology(0)
    assert ent.emission_rate[0] == pytest.approx(math.exp(-0.28), rel=1e-12)


def test_emission_rate_floor():
    ent = make(capacity=(1.0, 1.0), research_ability=(1.6, 1.0), emission_rate=(1.0, 1.0))
    ent.knowledge[:] = [50, 1]
    ent.green_projects_completed = 1000
    ent.update_technology(0)
    assert ent.emission_rate[0] == pytest.approx(0.02)
    assert ent.emission_rate[1] == pytest.approx(0.02)


def test_emission_rate_floor_is_a_parameter_and_clean_firm_keeps_its_rate():
    ent = make(capacity=(1.0, 1.0), emission_rate=(1.0, 0.01), min_emission_rate=0.1)
    ent.knowledge[:] = [100, 0]
    ent.update_technology(0)
    assert ent.emission_rate[0] == pytest.approx(0.1)
    # a firm starting below the floor keeps its own (lower) rate
    assert ent.emission_rate[1] == pytest.approx(0.01)


def test_emission_rate_recovers_when_knowledge_is_forgotten():
    ent = make(capacity=(1.0,), research_ability=(1.0,), forget_after=25)
    ent.knowledge[:] = 1
    ent.update_technology(1)
    assert ent.emission_rate[0] == pytest.approx(math.exp(-0.1))
    ent.update_technology(25)  # last research "round 0": idle for 25 rounds
    assert ent.knowledge[0] == 0
    assert ent.emission_rate[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- offsets


def test_offsets_cost_one_allowance_each_and_raise_g():
    ent = make(capacity=(1, 1, 1, 1), coins=(25.0, 5.0, 10.0, 30.0), allowances=(0, 1, 2, 3))
    done = ent.buy_offsets(np.array([True, True, True, False]), 5, rng())
    assert done == 2  # firm 1 cannot pay 10, firm 3 does not want one
    np.testing.assert_allclose(ent.accounts.coins, [15.0, 5.0, 0.0, 30.0])
    np.testing.assert_allclose(ent.accounts.allowances, [1, 1, 3, 3])
    assert ent.green_projects_completed == 2
    ent.update_technology(1)
    s = 4.0
    np.testing.assert_allclose(ent.emission_rate, s / (s + 2))


def test_offsets_never_more_than_available():
    ent = make(capacity=(1, 1, 1), coins=(100.0, 100.0, 100.0), green_project_cost=7.0)
    done = ent.buy_offsets(np.ones(3, dtype=bool), 1, rng())
    assert done == 1
    assert ent.accounts.coins.sum() == pytest.approx(293.0)
    assert ent.accounts.allowances.sum() == 1.0
    assert ent.buy_offsets(np.ones(3, dtype=bool), 0, rng()) == 0
    assert ent.green_projects_completed == 1
    assert ent.buy_offsets(np.ones(3, dtype=bool), 2, rng()) == 2
    assert ent.green_projects_completed == 3
    assert ent.accounts.coins.sum() == pytest.approx(279.0)


# --------------------------------------------------------------------------- compliance


def emit(ent: Enterprises, tonnes) -> None:
    ent.ytd_emissions[:] = np.asarray(tonnes, dtype=float)


def test_penalty_for_shortfall_and_surplus_expires_without_banking():
    ent = make(coins=(100.0, 100.0), allowances=(3.0, 10.0), penalty=30.0, banking=False)
    emit(ent, [5.0, 4.0])
    result = ent.settle_compliance()
    assert result.shortfall == pytest.approx(2.0)
    assert result.penalties == pytest.approx(60.0)
    assert result.surrendered == pytest.approx(7.0)
    assert result.expired == pytest.approx(6.0)
    assert result.emissions == pytest.approx(9.0)
    np.testing.assert_allclose(ent.accounts.coins, [40.0, 100.0])
    np.testing.assert_allclose(ent.accounts.allowances, [0.0, 0.0])
    np.testing.assert_allclose(ent.over_emission, [2.0, 0.0])
    np.testing.assert_allclose(ent.surrendered_total, [3.0, 4.0])
    np.testing.assert_allclose(ent.last_year_emissions, [5.0, 4.0])
    np.testing.assert_allclose(ent.ytd_emissions, [0.0, 0.0])
    np.testing.assert_allclose(ent.owed, [0.0, 0.0])


def test_banking_keeps_the_surplus():
    ent = make(coins=(0.0, 0.0), allowances=(3.0, 10.5), banking=True)
    emit(ent, [2.5, 4.0])
    result = ent.settle_compliance()
    assert result.expired == 0.0
    np.testing.assert_allclose(ent.accounts.allowances, [0.5, 6.5])
    emit(ent, [1.0, 1.0])
    ent.settle_compliance()
    np.testing.assert_allclose(ent.accounts.allowances, [0.0, 5.5])
    np.testing.assert_allclose(ent.accounts.coins, [-15.0, 0.0])  # 0.5 t short x 30
    np.testing.assert_allclose(ent.over_emission, [0.5, 0.0])


def test_over_emission_accumulates_over_years_without_make_good():
    ent = make(capacity=(1,), coins=(1000.0,), penalty=30.0)
    for allowances, tonnes in ((3.0, 5.0), (1.0, 4.0)):
        ent.accounts.allowances[:] = allowances
        emit(ent, [tonnes])
        ent.settle_compliance()
    assert ent.over_emission[0] == pytest.approx(5.0)
    assert ent.owed[0] == 0.0
    assert ent.accounts.coins[0] == pytest.approx(1000.0 - 150.0)


def test_make_good_shortfall_is_owed_and_repaid_without_double_counting():
    ent = make(capacity=(1,), coins=(1000.0,), penalty=30.0, make_good=True)
    ent.accounts.allowances[:] = 3.0
    emit(ent, [5.0])
    first = ent.settle_compliance()
    assert first.shortfall == pytest.approx(2.0)
    assert ent.owed[0] == pytest.approx(2.0)
    assert ent.over_emission[0] == pytest.approx(2.0)
    # year 2: emits 4 and owes 2, holds 10 -> surrenders 6, the debt is repaid
    ent.accounts.allowances[:] = 10.0
    emit(ent, [4.0])
    second = ent.settle_compliance()
    assert second.surrendered == pytest.approx(6.0)
    assert second.shortfall == 0.0
    assert second.penalties == 0.0
    assert second.expired == pytest.approx(4.0)
    assert ent.owed[0] == 0.0
    assert ent.over_emission[0] == pytest.approx(0.0)
    assert ent.emitted_total[0] == pytest.approx(9.0)
    assert ent.surrendered_total[0] == pytest.approx(9.0)
    assert ent.accounts.coins[0] == pytest.approx(940.0)


def test_make_good_partial_repayment_counts_each_tonne_once():
    ent = make(capacity=(1,), coins=(1000.0,), penalty=30.0, make_good=True)
    ent.accounts.allowances[:] = 3.0
    emit(ent, [5.0])
    ent.settle_compliance()
    ent.accounts.allowances[:] = 5.0
    emit(ent, [4.0])
    second = ent.settle_compliance()
    assert second.surrendered == pytest.approx(5.0)
    assert second.shortfall == pytest.approx(1.0)  # 6 owed, 5 surrendered
    assert ent.owed[0] == pytest.approx(1.0)
    # 9 t emitted, 8 covered: 1 t over-emitted (not 2 + 1)
    assert ent.over_emission[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- textbook abatement


def textbook(penalty, **config):
    return make(
        capacity=(0.0, 0.0, 0.0),
        baseline=(100.0, 100.0, 100.0),
        abatement_cost=(1.0, 2.0, 4.0),
        allowances=(80.0, 80.0, 70.0),
        coins=(10000.0, 10000.0, 10000.0),
        production=False,
        research=False,
        penalty=penalty,
        **config,
    )


def test_textbook_abatement_below_the_penalty_abates_whole_shortfall():
    ent = textbook(200.0)
    result = ent.settle_compliance()
    # shortfalls [20, 20, 30], P/c = [200, 100, 50] -> abate the whole shortfall
    assert result.abated == pytest.approx(70.0)
    assert result.abatement_spent == pytest.approx(0.5 * (1 * 400 + 2 * 400 + 4 * 900))
    assert result.penalties == 0.0
    assert result.shortfall == 0.0
    assert result.emissions == pytest.approx(230.0)
    np.testing.assert_allclose(ent.accounts.coins, [9800.0, 9600.0, 8200.0])


def test_textbook_abatement_capped_by_penalty_over_cost():
    ent = textbook(30.0)
    result = ent.settle_compliance()
    # P/c = [30, 15, 7.5] -> abate [20, 15, 7.5]; the rest pays the penalty
    assert result.abated == pytest.approx(42.5)
    assert result.abatement_spent == pytest.approx(200.0 + 225.0 + 112.5)
    assert result.shortfall == pytest.approx(27.5)
    assert result.penalties == pytest.approx(30.0 * 27.5)
    np.testing.assert_allclose(ent.over_emission, [0.0, 5.0, 22.5])
    np.testing.assert_allclose(ent.last_year_emissions, [80.0, 85.0, 92.5])
    np.testing.assert_allclose(
        ent.accounts.coins, [10000 - 200.0, 10000 - 225.0 - 150.0, 10000 - 112.5 - 675.0]
    )


def test_no_abatement_option_pays_the_full_penalty():
    ent = make(
        capacity=(0.0,),
        baseline=(100.0,),
        allowances=(90.0,),
        coins=(1000.0,),
        production=False,
        research=False,
        penalty=30.0,
    )
    result = ent.settle_compliance()
    assert result.abated == 0.0
    assert result.abatement_spent == 0.0
    assert result.penalties == pytest.approx(300.0)
    assert ent.accounts.coins[0] == pytest.approx(700.0)


def test_abatement_never_exceeds_the_years_emissions():
    """A make-good debt cannot be abated: only this year's emissions can be cut."""
    ent = make(
        capacity=(0.0,),
        baseline=(100.0,),
        abatement_cost=(0.1,),
        allowances=(0.0,),
        coins=(1e6,),
        production=False,
        research=False,
        penalty=200.0,
        make_good=True,
    )
    ent.owed[:] = 50.0
    result = ent.settle_compliance()
    assert result.abated == pytest.approx(100.0)
    assert result.emissions == pytest.approx(0.0)
    assert result.shortfall == pytest.approx(50.0)
    assert ent.emitted_total[0] >= 0.0
