import itertools
import math
import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from market.theory import (
    competitive_equilibrium,
    compliance_cost,
    firm_compliance_costs,
    marginal_cost,
    marginal_value,
    realised_compliance_cost,
    uniform_standard_cost,
    unit_permit_equilibrium,
)

E = [100.0, 100.0, 100.0]
C = [1.0, 2.0, 4.0]
Q = 230.0

slopes = st.floats(0.1, 10.0)
penalties = st.one_of(st.just(math.inf), st.floats(0.0, 200.0))


@st.composite
def economies(draw, max_firms=8):
    n = draw(st.integers(1, max_firms))
    # no emission is a subnormal float: 1e-320 t makes a price that rounds to nothing
    tonnes = st.one_of(st.just(0.0), st.floats(1e-9, 200.0))
    emissions = np.array(draw(st.lists(tonnes, min_size=n, max_size=n)))
    cost = np.array(draw(st.lists(slopes, min_size=n, max_size=n)))
    cap = draw(st.floats(0.0, 1.0)) * emissions.sum()
    return emissions, cost, cap


def allocation(draw, n, cap):
    weights = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))) + 1e-3
    return cap * weights / weights.sum()


# --- worked vector -------------------------------------------------------------------------


def test_worked_vector_equilibrium():
    eq = competitive_equilibrium(E, C, Q)
    assert eq.price == pytest.approx(40.0)
    np.testing.assert_allclose(eq.abatement, [40, 20, 10])
    np.testing.assert_allclose(eq.emissions, [60, 80, 90])
    assert eq.required_reduction == pytest.approx(70.0)
    assert eq.least_cost == pytest.approx(1400.0)
    assert eq.unmet == 0.0
    assert not eq.price_capped


def test_worked_vector_uniform_standard():
    assert uniform_standard_cost(E, C, Q) == pytest.approx(1905.5556, abs=1e-4)


@pytest.mark.parametrize(
    ("allocation_", "expected"),
    [([Q / 3] * 3, [133.3333, 533.3333, 733.3333]), ([130, 60, 40], [-2000, 1200, 2200])],
)
def test_worked_vector_firm_costs(allocation_, expected):
    costs = firm_compliance_costs(competitive_equilibrium(E, C, Q), C, allocation_)
    np.testing.assert_allclose(costs, expected, atol=1e-3)
    assert costs.sum() == pytest.approx(1400.0)


def test_worked_vector_penalty_cap():
    eq = competitive_equilibrium(E, C, Q, penalty=30.0)
    assert eq.price == 30.0
    assert eq.price_capped
    np.testing.assert_allclose(eq.abatement, [30, 15, 7.5])
    assert eq.unmet == pytest.approx(17.5)
    # Abatement 900/2 + 2*225/2 + 4*56.25/2 = 787.5 plus 30 coins on each of 17.5 t unmet.
    assert eq.least_cost == pytest.approx(787.5 + 525.0)


def test_worked_vector_unit_permits():
    eq = unit_permit_equilibrium(E, C, [80, 80, 70])
    np.testing.assert_array_equal(eq.efficient_holdings, [60, 80, 90])
    assert eq.efficient_holdings.dtype == np.int64
    assert eq.no_trade_cost == pytest.approx(2400.0)
    assert eq.least_cost == pytest.approx(1400.0)
    assert eq.max_gains_from_trade == pytest.approx(1000.0)
    assert (eq.price_low, eq.price_high) == pytest.approx((39.5, 40.5))
    assert realised_compliance_cost(E, C, [80, 80, 70], math.inf) == pytest.approx(2400.0)


# --- compliance cost and marginal values ---------------------------------------------------


def test_compliance_cost_cases():
    assert compliance_cost(-3.0, 2.0, 10.0) == 0.0
    assert compliance_cost(4.0, 2.0, math.inf) == 16.0
    # Abate P/c = 5 t for 25 coins, pay 10 on each of the other 3 t.
    assert compliance_cost(8.0, 2.0, 10.0) == pytest.approx(55.0)
    assert compliance_cost(8.0, math.inf, 10.0) == 80.0
    assert compliance_cost(8.0, math.inf, math.inf) == math.inf
    assert compliance_cost(0.0, math.inf, math.inf) == 0.0
    assert isinstance(compliance_cost(1.0, 1.0, 1.0), float)


def test_compliance_cost_broadcasts_without_warnings():
    with np.errstate(all="raise"):
        cost = compliance_cost([[0.0], [3.0]], [1.0, math.inf, 2.0], [math.inf, 5.0, 0.0])
    np.testing.assert_allclose(cost, [[0, 0, 0], [4.5, 15, 0]])


def test_unit_values_match_textbook():
    shortfall = np.arange(-2, 30)
    value = marginal_value(shortfall, 3.0, math.inf)
    expected = np.where(shortfall > 0, 3.0 * (shortfall - 0.5), 0.0)
    np.testing.assert_allclose(value, expected)
    cost = marginal_cost(shortfall, 3.0, math.inf)
    np.testing.assert_allclose(cost, np.where(shortfall >= 0, 3.0 * (shortfall + 0.5), 0.0))


def test_marginal_value_at_binding_penalty_is_exactly_penalty():
    assert np.all(marginal_value(np.arange(20.0, 500.0), 0.7, 13.1) == 13.1)
    np.testing.assert_array_equal(marginal_value([0.0, 0.25, 7.0], math.inf, 5.0), [0, 1.25, 5])
    np.testing.assert_array_equal(marginal_value([0.0, 2.0], math.inf, math.inf), [0, math.inf])


@settings(max_examples=200, deadline=None)
@given(st.floats(-5.0, 300.0), slopes, penalties)
def test_marginal_value_is_finite_difference(shortfall, cost, penalty):
    high = compliance_cost(shortfall, cost, penalty)
    low = compliance_cost(shortfall - 1.0, cost, penalty)
    above = compliance_cost(shortfall + 1.0, cost, penalty)
    tolerance = 1e-9 * max(high, 1.0)
    assert marginal_value(shortfall, cost, penalty) == pytest.approx(high - low, abs=tolerance)
    assert marginal_cost(shortfall, cost, penalty) == pytest.approx(above - high, abs=tolerance)


@settings(max_examples=100, deadline=None)
@given(slopes, penalties)
def test_marginal_value_is_non_decreasing_and_bounded_by_penalty(cost, penalty):
    value = marginal_value(np.linspace(-3.0, 120.0, 500), cost, penalty)
    assert np.all(np.diff(value) >= -1e-9)
    assert np.all(value <= penalty)


def test_marginal_values_vectorised_for_many_firms():
    rng = np.random.default_rng(1)
    shortfall = rng.uniform(-20.0, 80.0, 10_000)
    cost = rng.uniform(0.2, 5.0, 10_000)
    value = marginal_value(shortfall, cost, 60.0)
    assert value.shape == (10_000,)
    for i in rng.choice(10_000, 50, replace=False):
        assert value[i] == pytest.approx(marginal_value(shortfall[i], cost[i], 60.0))


# --- continuous equilibrium ----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(economies(), st.data())
def test_allocation_does_not_change_price_or_total_cost(economy, data):
    emissions, cost, cap = economy
    eq = competitive_equilibrium(emissions, cost, cap)
    first = allocation(data.draw, emissions.size, cap)
    second = allocation(data.draw, emissions.size, cap)
    costs_first = firm_compliance_costs(eq, cost, first)
    costs_second = firm_compliance_costs(eq, cost, second)
    scale = max(eq.least_cost, 1.0)
    assert costs_first.sum() == pytest.approx(eq.least_cost, abs=1e-9 * scale * emissions.size)
    assert costs_second.sum() == pytest.approx(eq.least_cost, abs=1e-9 * scale * emissions.size)
    # Only who pays changes: each firm pays the price for every allowance it gets less.
    np.testing.assert_allclose(
        costs_first - costs_second, eq.price * (second - first), atol=1e-9 * scale
    )
    if eq.price * np.max(np.abs(first - second)) > 1e-3:
        assert not np.allclose(costs_first, costs_second, rtol=0, atol=1e-6)


@settings(max_examples=150, deadline=None)
@given(economies())
def test_equilibrium_equalises_marginal_costs_and_meets_cap(economy):
    emissions, cost, cap = economy
    eq = competitive_equilibrium(emissions, cost, cap)
    np.testing.assert_allclose(cost * eq.abatement, eq.price, rtol=1e-9)
    assert eq.emissions.sum() == pytest.approx(min(cap, emissions.sum()), abs=1e-6)
    assert eq.least_cost == pytest.approx(eq.price * eq.required_reduction / 2, rel=1e-9)
    assert eq.least_cost <= uniform_standard_cost(emissions, cost, cap) * (1 + 1e-9) + 1e-9


def test_equal_slopes_make_uniform_standard_efficient():
    eq = competitive_equilibrium([50.0, 80.0, 120.0], [2.0, 2.0, 2.0], 150.0)
    assert uniform_standard_cost([50.0, 80.0, 120.0], [2.0] * 3, 150.0) == pytest.approx(
        eq.least_cost
    )


@settings(max_examples=150, deadline=None)
@given(economies(), st.floats(0.0, 0.999))
def test_penalty_below_price_caps_it(economy, fraction):
    emissions, cost, cap = economy
    uncapped = competitive_equilibrium(emissions, cost, cap)
    assume(uncapped.price > 1e-6)
    penalty = fraction * uncapped.price
    eq = competitive_equilibrium(emissions, cost, cap, penalty)
    assert eq.price == penalty
    assert eq.price_capped
    np.testing.assert_allclose(eq.abatement, penalty / cost)
    assert eq.unmet == pytest.approx(uncapped.required_reduction - np.sum(penalty / cost))
    assert eq.unmet > 0
    assert eq.least_cost < uncapped.least_cost
    above = competitive_equilibrium(emissions, cost, cap, uncapped.price * 1.5)
    assert above.price == pytest.approx(uncapped.price)
    assert not above.price_capped


def test_slack_cap_gives_zero_price():
    eq = competitive_equilibrium(E, C, 400.0)
    assert eq.price == 0.0
    assert eq.required_reduction == 0.0
    assert eq.least_cost == 0.0
    np.testing.assert_array_equal(eq.abatement, 0.0)
    np.testing.assert_array_equal(eq.emissions, E)
    assert uniform_standard_cost(E, C, 400.0) == 0.0


def test_firm_without_abatement_option():
    eq = competitive_equilibrium(E, [1.0, math.inf, 1.0], Q)
    assert eq.price == pytest.approx(35.0)
    np.testing.assert_allclose(eq.abatement, [35, 0, 35])
    assert eq.least_cost == pytest.approx(35.0 * 70.0 / 2)
    np.testing.assert_allclose(
        firm_compliance_costs(eq, [1.0, math.inf, 1.0], [76.0, 77.0, 77.0]).sum(), eq.least_cost
    )
    assert uniform_standard_cost(E, [1.0, math.inf, 1.0], Q) == math.inf
    nobody = competitive_equilibrium(E, [math.inf] * 3, Q, penalty=25.0)
    assert (nobody.price, nobody.unmet, nobody.least_cost) == (25.0, 70.0, 1750.0)
    assert nobody.price_capped


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"abatement_cost": [1.0, 0.0, 4.0]}, "abatement_cost"),
        ({"abatement_cost": [1.0, -2.0, 4.0]}, "abatement_cost"),
        ({"abatement_cost": [1.0, 2.0]}, "abatement_cost"),
        ({"abatement_cost": [math.inf] * 3}, "abatement_cost"),
        ({"baseline_emissions": [100.0, -1.0, 100.0]}, "baseline_emissions"),
        ({"baseline_emissions": []}, "baseline_emissions"),
        ({"cap": -1.0}, "cap"),
        ({"penalty": -1.0}, "penalty"),
        ({"penalty": math.nan}, "penalty"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    arguments = {"baseline_emissions": E, "abatement_cost": C, "cap": Q} | kwargs
    with pytest.raises(ValueError, match=name):
        competitive_equilibrium(**arguments)


def test_uniform_standard_rejects_negative_cap():
    with pytest.raises(ValueError, match="cap"):
        uniform_standard_cost(E, C, -5.0)


def test_firm_costs_reject_wrong_length():
    eq = competitive_equilibrium(E, C, Q)
    with pytest.raises(ValueError, match="allocation"):
        firm_compliance_costs(eq, C, [1.0, 2.0])
    with pytest.raises(ValueError, match="abatement_cost"):
        firm_compliance_costs(eq, C[:2], [1.0, 2.0, 3.0])


# --- unit permits --------------------------------------------------------------------------


def brute_force_least_cost(emissions, cost, total, penalty):
    best = math.inf
    for split in itertools.product(range(total + 1), repeat=emissions.size - 1):
        if sum(split) <= total:
            holdings = np.array([*split, total - sum(split)])
            best = min(best, realised_compliance_cost(emissions, cost, holdings, penalty))
    return best


@settings(max_examples=120, deadline=None)
@given(st.integers(2, 3).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 12).map(lambda k: k / 2), min_size=n, max_size=n),
    st.lists(slopes, min_size=n, max_size=n),
    st.lists(st.integers(0, 6), min_size=n, max_size=n),
    penalties,
)))  # fmt: skip
def test_unit_greedy_matches_brute_force(economy):
    emissions, cost, holdings = (np.array(x) for x in economy[:3])
    penalty = economy[3]
    eq = unit_permit_equilibrium(emissions, cost, holdings, penalty)
    best = brute_force_least_cost(emissions, cost, int(holdings.sum()), penalty)
    assert eq.least_cost == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert eq.efficient_holdings.sum() == holdings.sum()
    assert np.all(eq.efficient_holdings >= 0)
    assert eq.no_trade_cost == pytest.approx(
        realised_compliance_cost(emissions, cost, holdings, penalty)
    )
    assert eq.max_gains_from_trade >= -1e-9
    assert eq.price_low <= eq.price_high + 1e-9


@settings(max_examples=60, deadline=None)
@given(economies(max_firms=6), st.data())
def test_unit_equilibrium_independent_of_initial_holdings(economy, data):
    emissions, cost, _ = economy
    emissions = np.round(emissions / 4)
    total = data.draw(st.integers(0, int(emissions.sum())))
    first = np.random.default_rng(data.draw(st.integers(0, 99))).multinomial(
        total, np.full(emissions.size, 1 / emissions.size)
    )
    second = np.zeros(emissions.size, dtype=np.int64)
    second[0] = total
    one = unit_permit_equilibrium(emissions, cost, first)
    other = unit_permit_equilibrium(emissions, cost, second)
    assert one.least_cost == pytest.approx(other.least_cost, rel=1e-12, abs=1e-9)
    assert (one.price_low, one.price_high) == pytest.approx((other.price_low, other.price_high))


def test_surplus_permits_go_where_still_needed_then_stay_with_holders():
    # 12 permits, 10 needed: firm 1 buys the 2 it lacks, firm 0 keeps 2 worthless spares.
    eq = unit_permit_equilibrium([5.0, 5.0], [1.0, 1.0], [9, 3])
    np.testing.assert_array_equal(eq.efficient_holdings, [7, 5])
    assert eq.no_trade_cost == pytest.approx(2.0)
    assert eq.least_cost == 0.0
    assert (eq.price_low, eq.price_high) == (0.0, 0.0)


def test_equally_valued_permits_are_not_traded():
    # Both firms value their second permit at 1.5 coins, so moving it gains nothing.
    eq = unit_permit_equilibrium([3.0, 3.0], [1.0, 1.0], [1, 2])
    np.testing.assert_array_equal(eq.efficient_holdings, [1, 2])
    assert eq.max_gains_from_trade == 0.0


def test_no_permits_gives_open_price_interval():
    eq = unit_permit_equilibrium([3.0, 2.0], [1.0, 2.0], [0, 0])
    assert eq.price_high == math.inf
    assert eq.price_low == pytest.approx(3.0)


def test_unit_holdings_must_be_whole():
    with pytest.raises(ValueError, match="holdings"):
        unit_permit_equilibrium(E, C, [80.5, 80, 69.5])
    with pytest.raises(ValueError, match="holdings"):
        unit_permit_equilibrium(E, C, [80, 80])
    with pytest.raises(ValueError, match="holdings"):
        unit_permit_equilibrium(E, C, [80, math.inf, 70])


def test_unit_equilibrium_for_thousand_firms_is_fast_and_close_to_continuous():
    rng = np.random.default_rng(7)
    emissions = rng.integers(60, 140, 1000).astype(float)
    cost = rng.uniform(0.5, 4.0, 1000)
    holdings = rng.integers(40, 110, 1000)
    start = time.perf_counter()
    eq = unit_permit_equilibrium(emissions, cost, holdings, penalty=500.0)
    assert time.perf_counter() - start < 2.0
    continuous = competitive_equilibrium(emissions, cost, float(holdings.sum()), 500.0)
    assert eq.price_low <= continuous.price + cost.max()
    assert eq.price_high >= continuous.price - cost.max()
    assert eq.price_low <= eq.price_high
    assert continuous.least_cost <= eq.least_cost <= continuous.least_cost * 1.01
