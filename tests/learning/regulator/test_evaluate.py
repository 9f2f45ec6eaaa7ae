import math

import numpy as np
import pandas as pd
import pytest

from cli import main
from learning.evaluate import confidence_table, paired_test, score

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test


def synthetic_runs():
    """Two rules and a learned regulator on 4 seeds; the learned one run at two c."""
    rows = []
    for seed, (a, b) in enumerate([(100, 90), (110, 95), (120, 80), (90, 85)]):
        for policy, prod, over in (("rule-a", a, 0.0), ("rule-b", b, 1.0)):
            rows.append(
                {
                    "policy": policy,
                    "seed": seed,
                    "equality": 1.0,
                    "productivity": prod,
                    "over_emission": over,
                    "total_emissions": 10.0,
                    "mean_price": 5.0,
                    "releases": [1, 2],
                    "learned_c": math.nan,
                }
            )
        for c in (0.2, 0.5):
            rows.append(
                {
                    "policy": "learned:x",
                    "seed": seed,
                    "equality": 1.0,
                    "productivity": a + 5 + seed,
                    "over_emission": 0.0,
                    "total_emissions": 9.0,
                    "mean_price": 6.0,
                    "releases": [3, 0],
                    "learned_c": c,
                }
            )
    return pd.DataFrame(rows)


def test_scoring_uses_one_coefficient_for_everyone():
    scored = score(synthetic_runs(), 0.2)
    learned = scored[scored["policy"] == "learned:x"]
    assert len(learned) == 4  # only the runs made at c = 0.2
    np.testing.assert_allclose(learned["welfare"], np.array([105, 116, 127, 98]))
    rule_b = scored[scored["policy"] == "rule-b"]
    np.testing.assert_allclose(rule_b["welfare"], np.array([90, 95, 80, 85]) * math.exp(-0.2))


def test_confidence_table_means_and_t_intervals():
    table = confidence_table(score(synthetic_runs(), 0.2)).set_index("policy")
    assert table.loc["rule-a", "welfare"] == pytest.approx(105.0)
    sd = np.std([100, 110, 120, 90], ddof=1)
    assert table.loc["rule-a", "welfare_ci"] == pytest.approx(3.182446 * sd / 2, rel=1e-5)
    assert list(table.index) == sorted(table.index, key=lambda p: -table.loc[p, "welfare"])


def test_paired_test_against_the_best_rule():
    test = paired_test(score(synthetic_runs(), 0.2), "learned:x")
    assert test.best_rule == "rule-a"
    assert test.mean_difference == pytest.approx(5 + 1.5)
    assert test.wins == 4 and test.seeds == 4
    assert test.t_pvalue < 0.05


def test_cli_evaluates_rules_and_a_learned_regulator(tiny_regulator, tmp_path, capsys):
    out = tmp_path / "eval"
    code = main(
        [
            "evaluate",
            "--policies",
            "flat-size,decreasing-size",
            "--learned",
            str(tiny_regulator),
            "--seeds",
            "2",
            "--climate-coefficient",
            "0.2",
            "0.5",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    assert (out / "table_c0.2.csv").is_file() and (out / "table_c0.5.md").is_file()
    assert (out / "welfare_c0.2.png").is_file() and (out / "schedule_c0.5.png").is_file()
    table = pd.read_csv(out / "table_c0.2.csv")
    assert set(table["policy"]) == {"flat-size", "decreasing-size", f"learned:{tiny_regulator}"}
    assert (table["seeds"] == 2).all()
    capsys.readouterr()


def test_cli_rejects_too_few_seeds(capsys):
    assert main(["evaluate", "--policies", "flat-size", "--seeds", "1"]) == 2
    assert "--seeds: 1 must be >= 2" in capsys.readouterr().err


def test_cli_set_changes_the_evaluated_markets(tmp_path, capsys):
    """A tighter reduction target (--set cap_share) lowers every seed's emissions."""
    args = ["evaluate", "--scenario", "paper-shocks", "--policies", "flat-grandfathering"]
    emissions = {}
    for share in (0.0625, 0.03125):
        out = tmp_path / str(share)
        assert main([*args, "--seeds", "3", "--set", f"cap_share={share}", "--out", str(out)]) == 0
        emissions[share] = pd.read_csv(out / "runs_c0.2.csv")["total_emissions"].to_numpy()
    assert (emissions[0.03125] < emissions[0.0625]).all()
    assert main([*args, "--seeds", "3", "--set", "cap_shar=0.05"]) == 2
    assert "cap_shar: unknown parameter (did you mean 'cap_share'?)" in capsys.readouterr().err


def test_cli_names_a_missing_enterprise_policy(capsys):
    args = ["evaluate", "--policies", "flat-size", "--seeds", "2", "--enterprises", "mixed"]
    assert main([*args, "--enterprise-policy", "/no/such/firms.zip"]) == 2
    assert "market.enterprise_policy: no policy file at /no/such/firms.zip" in (
        capsys.readouterr().err
    )


def test_cli_compares_learned_and_heuristic_firms_in_mixed_markets(tmp_path, capsys):
    out = tmp_path / "mixed"
    args = ["evaluate", "--policies", "flat-size", "--seeds", "2", "--enterprises", "mixed"]
    assert main([*args, "--out", str(out)]) == 0
    profits = pd.read_csv(out / "firm_profits_c0.2.csv")
    assert list(profits["policy"]) == ["flat-size"] and (profits["seeds"] == 2).all()
    assert profits["learned_profit"].iloc[0] - profits["heuristic_profit"].iloc[0] == (
        pytest.approx(profits["difference"].iloc[0])
    )
    assert (out / "firm_profits_c0.2.png").is_file()
    assert "learned vs heuristic" in capsys.readouterr().out
