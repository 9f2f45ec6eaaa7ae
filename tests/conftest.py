"""Fixtures shared across test folders."""

import pytest


@pytest.fixture(scope="session")
def tiny_regulator(tmp_path_factory):
    """A regulator trained for a few PPO steps on short paper episodes (once per session)."""
    from learning.train import train_regulator
    from tests.learning.regulator.support import tiny_config

    out = tmp_path_factory.mktemp("regulator")
    return train_regulator("paper", tiny_config(), out, seed=3, progress=False)
