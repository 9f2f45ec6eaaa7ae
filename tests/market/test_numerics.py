"""The kernels' arithmetic equals numpy's to the last bit."""

import numpy as np
import pytest

from market.numerics import pairwise_sum


@pytest.mark.parametrize(
    "n", [0, 1, 2, 5, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 300, 1000, 10_000]
)
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    for scale in (1.0, 1e-3, 1e6):
        values = rng.uniform(-1, 2, n) * scale
        assert pairwise_sum(values) == np.sum(values)
        assert pairwise_sum(values[::2].copy()) == np.sum(values[::2])
