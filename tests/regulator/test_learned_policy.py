import json
import shutil

import numpy as np
import pytest

from cli import main
from learning.learned_policy import LearnedPolicy, sidecars
from model import CarbonMarket, ScenarioError


def copy_regulator(source, target_dir, name="reg"):
    """The three files of a saved regulator, copied under a new name."""
    target = target_dir / f"{name}.zip"
    shutil.copy(source, target)
    for src, dst in zip(sidecars(source), sidecars(target), strict=True):
        shutil.copy(src, dst)
    return target


def test_a_trained_regulator_runs_as_a_policy(tiny_regulator):
    market = CarbonMarket(
        "paper", seed=5, years=2, steps_per_year=10, policy=f"learned:{tiny_regulator}"
    )
    assert isinstance(market.government.policy, LearnedPolicy)
    while market.running:
        market.step()
    policy = market.government.policy
    assert len(policy.releases) == 2
    assert all(0 <= r <= 0.25 * 200 for r in policy.releases)
    again = CarbonMarket(
        "paper", seed=5, years=2, steps_per_year=10, policy=f"learned:{tiny_regulator}"
    )
    while again.running:
        again.step()
    assert again.government.policy.releases == policy.releases  # deterministic


def test_cli_simulates_with_a_learned_policy(tiny_regulator, capsys):
    code = main(
        [
            "simulate",
            "--policy",
            f"learned:{tiny_regulator}",
            "--years",
            "2",
            "--set",
            "steps_per_year=10",
            "--json",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["policy"] == f"learned:{tiny_regulator}"
    assert summary["rounds"] == 20


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"learned:.*nothing\.zip: no policy file at"):
        CarbonMarket("paper", seed=0, policy=f"learned:{tmp_path / 'nothing.zip'}")


def test_corrupt_model_file_is_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    target.write_bytes(b"this is not a zip file")
    with pytest.raises(ScenarioError, match="is not a readable Stable-Baselines3 PPO file"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_missing_or_corrupt_sidecars_are_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    _stats, meta = sidecars(target)
    meta.write_text("{not json")
    with pytest.raises(ScenarioError, match=r"reg\.json is corrupt"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    meta.unlink()
    with pytest.raises(ScenarioError, match=r"missing reg\.json"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    target = copy_regulator(tiny_regulator, tmp_path, "other")
    sidecars(target)[0].write_bytes(b"\x80\x04garbage")
    with pytest.raises(ScenarioError, match=r"other\.vecnormalize\.pkl is corrupt"):
        CarbonMarket("paper", seed=0, policy=f"learned:{target}")


def test_mismatched_market_is_reported(tiny_regulator, tmp_path):
    target = copy_regulator(tiny_regulator, tmp_path)
    meta_path = sidecars(target)[1]
    meta = json.loads(meta_path.read_text())
    meta["action_mode"] = "per-firm"  # claims a layout its network does not have
    meta_path.write_text(json.dumps(meta))
    market = CarbonMarket("paper", seed=0, policy=f"learned:{target}")
    with pytest.raises(ScenarioError, match=r"was trained for 5 firms in per-firm mode"):
        market.step()


def test_normalisation_statistics_are_applied(tiny_regulator):
    market = CarbonMarket(
        "paper", seed=1, years=2, steps_per_year=10, policy=f"learned:{tiny_regulator}"
    )
    normalizer = market.government.policy.normalizer
    assert normalizer is not None
    raw = np.ones((1, normalizer.obs_rms.mean.shape[0]), dtype=np.float32)
    assert not np.allclose(normalizer.normalize_obs(raw), raw)
