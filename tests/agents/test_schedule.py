"""The open-loop schedule: its file is checked field by field, and it plays what it says."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from agents.policies import rule_shares
from agents.schedule import Schedule, ScheduleAllocation, load_schedule
from market.config import GovernmentConfig, ScenarioError
from model import CarbonMarket
from tests.agents.stub_view import stub_view

TEN_YEARS = [0.0, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]


def write(tmp_path, record) -> str:
    path = tmp_path / "schedule.json"
    path.write_text(record if isinstance(record, str) else json.dumps(record))
    return str(path)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{not json", "cannot be read as JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"release_shares": TEN_YEARS[:9]}, "release_shares must be a list of 10 numbers"),
        ({"release_shares": [*TEN_YEARS[:9], 1.5]}, "every entry of release_shares must be in"),
        ({"release_shares": [*TEN_YEARS[:9], True]}, "release_shares must be a list of 10"),
        ('{"release_shares": [0, 0, 0, 0, 0, 0, 0, 0, 0, NaN]}', "release_shares must be a list"),
        ({"release_shares": TEN_YEARS, "rule_weights": [1, 2, 3]}, "rule_weights must be a list"),
        ({"release_shares": TEN_YEARS, "rule_weights": [0, 0, 0, 0]}, "must not all be 0"),
        ({"release_shares": TEN_YEARS, "rule_weights": [-1, 0, 0, 2]}, "rule_weights must be in"),
        ({"release_shares": TEN_YEARS, "auction_share": 2}, "auction_share must be in [0, 1]"),
    ],
)
def test_a_bad_schedule_file_is_refused_naming_the_field(tmp_path, record, message) -> None:
    path = write(tmp_path, record)
    expected = re.escape(f"schedule {path}: ") + ".*" + re.escape(message)
    with pytest.raises(ScenarioError, match=expected):
        load_schedule(path, years=10)


def test_a_missing_file_names_the_file(tmp_path) -> None:
    with pytest.raises(ScenarioError, match=r"nowhere\.json: cannot be read"):
        load_schedule(tmp_path / "nowhere.json", years=10)


def test_a_schedule_survives_saving_and_loading(tmp_path) -> None:
    schedule = Schedule(tuple(TEN_YEARS), (0.1, 0.6, 0.2, 0.1), 0.25)
    path = schedule.save(tmp_path / "s.json", provenance={"command": "by hand"})
    assert load_schedule(path, years=10) == schedule
    assert json.loads(path.read_text())["provenance"] == {"command": "by hand"}


def test_the_schedule_releases_its_share_split_by_its_mix_of_rules() -> None:
    view = stub_view(4, capacity=[1.0, 2.0, 3.0, 4.0], emission_rate=[1.0, 0.5, 1.0, 2.0])
    view.year = 1
    schedule = Schedule(tuple(TEN_YEARS), (0.0, 0.5, 0.5, 0.0))
    allocation = ScheduleAllocation(GovernmentConfig(), schedule, "schedule:x").allocate(view)
    to_firms = 0.2 * 200 * 0.9  # the year's share, less the green projects' 10%
    weights = 0.5 * rule_shares(view)[1] + 0.5 * rule_shares(view)[2]
    assert allocation.green_projects == 4
    np.testing.assert_array_equal(allocation.free, np.floor(to_firms * weights / weights.sum()))


def test_schedule_file_plays_year_by_year_in_a_market(tmp_path) -> None:
    path = write(tmp_path, {"release_shares": TEN_YEARS, "rule_weights": [1, 0, 0, 0]})
    market = CarbonMarket("paper", seed=4, policy=f"schedule:{path}")
    while market.running:
        market.step()
    releases = [record["release"] for record in market.year_records]
    assert releases[0] == 0
    free = market.government.allocations[1].sum()  # 20% of 200 less the 4 green projects
    assert releases[1] == free + 4 and 36 - 5 < free <= 36  # each of 5 firms floors < 1
    assert market.government.policy.name == f"schedule:{path}"
