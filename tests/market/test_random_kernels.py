"""The kernels' generator draws exactly what the market's numpy Generator would."""

import numpy as np
import pytest

from market import random_kernels as rk


def pair(seed):
    """A numpy Generator and a kernel state at the same point of the same stream."""
    rng = np.random.default_rng(seed)
    return rng, rk.export_state(rng)


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**40 + 7])
def test_random_integers_and_permutations_follow_numpy(seed):
    rng, state = pair(seed)
    draws = np.random.default_rng(seed + 1)
    for _ in range(200):
        kind = draws.integers(0, 4)
        n = int(draws.integers(0, 40))
        if kind == 0:
            np.testing.assert_array_equal(rk.random(state, n), rng.random(n))
        elif kind == 1:
            high = int(draws.choice([1, 2, 3, 7, 1000, 2**31, 2**32]))
            np.testing.assert_array_equal(rk.integers(state, high, n), rng.integers(0, high, n))
        elif kind == 2:
            values = draws.integers(0, 100, n)
            np.testing.assert_array_equal(rk.permutation(state, values), rng.permutation(values))
        else:
            np.testing.assert_array_equal(rk.permutation(state, np.arange(n)), rng.permutation(n))
    assert rk.random(state, 1)[0] == rng.random()


def test_the_stream_continues_across_the_array_and_the_generator():
    rng, state = pair(9)
    reference = np.random.default_rng(9)
    rk.integers(state, 2, 3)  # an odd number of 32-bit draws leaves half a word buffered
    rk.import_state(rng, state)
    assert rng.random() == (reference.integers(0, 2, 3), reference.random())[1]
    np.testing.assert_array_equal(rk.export_state(rng), rk.export_state(reference))


def test_other_bit_generators_are_refused():
    with pytest.raises(ValueError, match="rng: a MT19937 generator; the kernels need PCG64"):
        rk.export_state(np.random.Generator(np.random.MT19937(0)))
