"""Fixtures shared across test folders, and the skip of the tests that need the learn extra."""

import importlib.util

import pytest

#: Why a test that trains, exports or loads a Stable-Baselines3 model skips without the extra.
NO_LEARN_EXTRA = "needs the learn extra (torch, Stable-Baselines3)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``learn`` where Stable-Baselines3 is not installed."""
    if importlib.util.find_spec("stable_baselines3") is not None:
        return
    for item in items:
        if item.get_closest_marker("learn"):
            item.add_marker(pytest.mark.skip(reason=NO_LEARN_EXTRA))


@pytest.fixture(scope="session")
def tiny_regulator(tmp_path_factory):
    """A regulator trained for a few PPO steps on short paper episodes (once per session)."""
    pytest.importorskip("stable_baselines3", reason=NO_LEARN_EXTRA)
    from learning.train import train_regulator
    from tests.learning.regulator.support import tiny_config

    out = tmp_path_factory.mktemp("regulator")
    return train_regulator("paper", tiny_config(), out, seed=3, progress=False)


@pytest.fixture(scope="session")
def tiny_recurrent_regulator(tmp_path_factory):
    """A regulator trained for a few RecurrentPPO steps on short paper episodes."""
    pytest.importorskip("sb3_contrib", reason=NO_LEARN_EXTRA)
    from learning.train import train_regulator
    from tests.learning.regulator.support import tiny_recurrent_config

    out = tmp_path_factory.mktemp("recurrent-regulator")
    return train_regulator("paper", tiny_recurrent_config(), out, seed=3, progress=False)
