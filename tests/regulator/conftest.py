"""A tiny trained regulator shared by the learning tests (trained once per session)."""

import pytest

from learning.train import train_regulator
from regulator.support import tiny_config


@pytest.fixture(scope="session")
def tiny_regulator(tmp_path_factory):
    out = tmp_path_factory.mktemp("regulator")
    return train_regulator("paper", tiny_config(), out, seed=3, progress=False)
