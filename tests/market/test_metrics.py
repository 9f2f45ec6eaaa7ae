import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from market.metrics import (
    allocative_efficiency,
    equality,
    gini,
    lorenz_curve,
    productivity,
    smiths_alpha,
    vwap,
    welfare,
)


def pairwise_gini(values: np.ndarray) -> float:
    n = values.size
    total = values.sum()
    if n < 2 or total == 0:
        return 0.0
    return float(np.abs(values[:, None] - values[None, :]).sum() / (2 * n * total))


def wealth(sizes: list[int]) -> st.SearchStrategy[np.ndarray]:
    return st.sampled_from(sizes).flatmap(
        lambda n: arrays(np.float64, n, elements=st.floats(0, 1e6, allow_nan=False))
    )


@pytest.mark.parametrize(
    ("coins", "expected"),
    [([1, 2, 3, 4], 2 / 3), ([0, 0, 0, 1], 0.0), ([5, 5, 5, 5], 1.0)],
)
def test_equality_vectors(coins, expected):
    assert equality(coins) == pytest.approx(expected, abs=1e-12)


def test_gini_of_small_vector():
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(wealth([2, 3, 30, 31, 200]))
def test_gini_equals_pairwise_definition(values):
    assert gini(values) == pytest.approx(pairwise_gini(values), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(wealth([0, 1, 2, 5, 30, 31, 200]))
def test_equality_in_unit_interval(values):
    assert 0.0 <= equality(values) <= 1.0


@pytest.mark.parametrize("n", [2, 3, 29, 30, 31, 100, 1000])
def test_one_owner_has_zero_equality_for_every_n(n):
    coins = np.zeros(n)
    coins[n // 2] = 7.5
    assert equality(coins) == pytest.approx(0.0, abs=1e-12)


def test_equality_degenerate_cases():
    assert equality([]) == 1.0
    assert equality([3.0]) == 1.0
    assert equality([0.0, 0.0, 0.0]) == 1.0


def test_debt_counts_as_zero_wealth():
    assert equality([-50.0, 0.0, 0.0, 1.0]) == pytest.approx(0.0, abs=1e-12)
    assert equality([-5.0, 4.0]) == equality([0.0, 4.0])


def test_gini_rejects_negative_and_nan():
    with pytest.raises(ValueError, match="non-negative"):
        gini([1.0, -1.0])
    with pytest.raises(ValueError, match="finite"):
        gini([1.0, math.nan])


def test_productivity_is_mean_including_debt():
    assert productivity([1, 2, 3, 4]) == 2.5
    assert productivity([-4.0, 2.0]) == -1.0
    assert productivity([]) == 0.0


def test_welfare_product():
    assert welfare(0.5, 100.0, 0.0, 0.3) == 50.0


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0, 1, allow_subnormal=False),
    st.floats(-1e4, 1e4, allow_subnormal=False),
    st.floats(1e-3, 1e3),
    st.floats(1e-4, 1.0),
)
def test_over_emission_lowers_welfare_by_exp_factor(eq, prod, over_emission, coefficient):
    clean = welfare(eq, prod, 0.0, coefficient)
    dirty = welfare(eq, prod, over_emission, coefficient)
    assert dirty == pytest.approx(clean * math.exp(-coefficient * over_emission), rel=1e-12)
    if clean >= sys.float_info.min:  # a subnormal welfare has no room below it to fall to
        assert dirty < clean


def test_welfare_rejects_negative_inputs():
    with pytest.raises(ValueError, match="over_emission"):
        welfare(1.0, 1.0, -1.0, 0.1)
    with pytest.raises(ValueError, match="climate_coefficient"):
        welfare(1.0, 1.0, 1.0, -0.1)


def test_vwap():
    assert vwap([10.0, 20.0], [3, 1]) == pytest.approx(12.5)
    assert math.isnan(vwap([], []))
    assert math.isnan(vwap([10.0], [0]))
    with pytest.raises(ValueError, match="shape"):
        vwap([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        vwap([1.0], [-1.0])


def test_smiths_alpha():
    assert smiths_alpha([40.0, 40.0], 40.0) == 0.0
    # RMS deviation of [36, 44] from 40 is 4, i.e. 10% of 40.
    assert smiths_alpha([36.0, 44.0], 40.0) == pytest.approx(10.0)
    assert math.isnan(smiths_alpha([], 40.0))
    assert math.isnan(smiths_alpha([1.0], 0.0))
    with pytest.raises(ValueError, match="equilibrium_price"):
        smiths_alpha([1.0], -1.0)


def test_allocative_efficiency():
    assert allocative_efficiency(750.0, 1000.0) == 0.75
    assert allocative_efficiency(-10.0, 1000.0) == -0.01
    assert math.isnan(allocative_efficiency(0.0, 0.0))
    assert math.isnan(allocative_efficiency(5.0, -1.0))


def test_lorenz_curve_values():
    population, share = lorenz_curve([4, 1, 3, 2])
    np.testing.assert_allclose(population, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(share, [0, 0.1, 0.3, 0.6, 1])


@pytest.mark.parametrize("values", [[], [0.0, 0.0]])
def test_lorenz_curve_without_wealth_is_equality_line(values):
    population, share = lorenz_curve(values)
    assert population[0] == share[0] == 0.0
    assert population[-1] == share[-1] == 1.0
    np.testing.assert_array_equal(population, share)


@settings(max_examples=50, deadline=None)
@given(wealth([1, 2, 30, 200]))
def test_lorenz_curve_shape_and_gini(values):
    population, share = lorenz_curve(values)
    assert population.shape == share.shape == (values.size + 1,)
    assert population[0] == share[0] == 0.0
    assert population[-1] == share[-1] == 1.0
    assert np.all(np.diff(share) >= -1e-15)
    assert np.all(share <= population + 1e-12)
    if values.sum() > 0:
        # Gini is twice the area between the equality line and the Lorenz curve.
        area = np.sum(np.diff(population) * (share[1:] + share[:-1]) / 2)
        assert 1 - 2 * area == pytest.approx(gini(values), abs=1e-9)
