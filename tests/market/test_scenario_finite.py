"""NaN and infinity: every float key of a scenario must be finite unless inf has a meaning.

The keys are read from the declarations (:mod:`market.config`), so a float key added later is
covered without touching this file. The only key where infinity means something is a firm's
``abatement_cost`` (inf = no abatement option).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest

from market.config import TABLES
from market.scenario import ScenarioError
from market.scenario_files import load_scenario

#: Where each table's key goes in a minimal scenario with two explicit firms.
PAPER = "[market]\nyears = 2\n{market}\n[government]\n{government}\n[[firms]]\n{firms}\n[[firms]]\n"
GENERATED = "[market]\nyears = 2\n[generator]\nn_firms = 3\n{generator}\n"
SHOCKS = "[market]\nyears = 2\n[[firms]]\n[shocks]\n{shocks}\n"
INF_MEANS_SOMETHING = {("firms", "abatement_cost")}


def float_keys() -> list[tuple[str, str]]:
    """Every declared float key and every generator distribution key, as (table, key)."""
    keys = []
    for table, cls in TABLES.items():
        for f in dataclasses.fields(cls):
            if f.type == "float" or (table == "generator" and f.type == "Any"):
                keys.append((table, f.name))
    return keys


def scenario_text(table: str, line: str) -> str:
    if table == "generator":
        return GENERATED.format(generator=line)
    if table == "shocks":
        return SHOCKS.format(shocks=line)
    tables = {"market": "", "government": "", "firms": ""}
    tables[table] = line
    return PAPER.format(**tables)


def test_the_float_keys_are_found() -> None:
    keys = float_keys()
    assert ("market", "budget") in keys and ("generator", "coins") in keys
    assert ("firms", "abatement_cost") in keys and ("government", "auction_share") in keys
    assert ("shocks", "output_price_sigma") in keys
    assert len(keys) == 36  # 12 market, 8 government, 7 firm, 6 generator, 3 shock keys


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize(("table", "key"), float_keys())
def test_a_float_key_refuses_nan_and_infinity(
    tmp_path: Path, table: str, key: str, value: str
) -> None:
    path = tmp_path / "s.toml"
    path.write_text(scenario_text(table, f"{key} = {value}"))
    if (table, key) in INF_MEANS_SOMETHING and value == "inf":
        (firm, _) = load_scenario(path).firms
        assert firm.abatement_cost == math.inf
        return
    where = f"{table}[0].{key}" if table == "firms" else f"{table}.{key}"
    shown = repr(float(value))
    kind = "" if (table, key) in INF_MEANS_SOMETHING else "a finite number "
    if (table, key) in INF_MEANS_SOMETHING and value == "nan":
        kind = "a number "
    message = rf"^{re.escape(where)}: {shown} is not allowed; it must be {kind}(>|>=) 0"
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


@pytest.mark.parametrize("line", ["coins = [1.0, nan]", "capacity = {low = 1.0, high = inf}"])
def test_a_generator_list_or_interval_refuses_nan_and_infinity(tmp_path: Path, line: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(scenario_text("generator", line))
    with pytest.raises(ScenarioError, match=r"is not allowed; it must be a finite number >= 0"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "research_success",
            math.nan,
            "market.research_success: nan is not allowed; it must be a finite number >= 0 and <= 1",
        ),
        (
            "max_release_share",
            math.nan,
            "market.max_release_share: nan is not allowed; it must be a finite number > 0 and <= 1",
        ),
        ("budget", math.inf, "market.budget: inf is not allowed; it must be a finite number > 0"),
        (
            "auction_share",
            -math.inf,
            "government.auction_share: -inf is not allowed; "
            "it must be a finite number >= 0 and <= 1",
        ),
    ],
)
def test_an_override_refuses_nan_and_infinity(key: str, value: float, message: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(message)}$"):
        load_scenario("paper", **{key: value})
