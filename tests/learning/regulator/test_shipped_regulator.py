"""The shipped regulator loads, fits the paper scenario, and beats every rule on held-out seeds.

The full comparison (30 seeds, three coefficients, CIs, paired tests) is
`carbon-market evaluate --policies all --seeds 30` (docs/regulator.md); this is a smaller
check on 4 held-out seeds that still fails if the shipped policy stops being better.
"""

import json

import numpy as np
import pytest

pytest.importorskip("stable_baselines3", reason="needs the learn extra (torch, Stable-Baselines3)")

from agents.learned_regulator import SHIPPED_REGULATOR
from agents.network import network_path
from learning.evaluate import RULES, collect_runs, score
from learning.export import sidecars

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


def test_shipped_files_and_provenance():
    stats, meta = sidecars(SHIPPED_REGULATOR)
    assert (
        SHIPPED_REGULATOR.is_file()
        and stats.is_file()
        and network_path(SHIPPED_REGULATOR).is_file()
    )
    provenance = json.loads(meta.read_text())
    assert provenance["command"].startswith("carbon-market train-regulator --scenario paper")
    assert provenance["seed"] == 0 and provenance["scenario"] == "paper"


def test_shipped_regulator_beats_every_rule_on_held_out_seeds():
    learned = f"learned:{SHIPPED_REGULATOR}"
    scored = score(collect_runs("paper", [*RULES, learned], 4, [0.2]), 0.2)
    means = scored.groupby("policy")["welfare"].mean()
    best_rule = means.drop(learned).max()
    assert means[learned] > best_rule
    per_seed = scored[scored["policy"] == learned]["welfare"].to_numpy()
    assert np.all(per_seed > best_rule / 2)
