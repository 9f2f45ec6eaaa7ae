"""The economics is unchanged: every golden case replays exactly as it was recorded."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from tests.golden.cases import CASES, DATA, Case, play


@functools.cache
def recorded(table: str) -> dict[str, pd.DataFrame]:
    """The recorded rows of ``table`` (``trades`` or ``years``) per case name."""
    frame = pd.read_parquet(DATA / f"{table}.parquet")
    return {name: rows.reset_index(drop=True) for name, rows in frame.groupby("case", sort=False)}


def expected(table: str, case: Case, like: pd.DataFrame) -> pd.DataFrame:
    rows = recorded(table).get(case.name)
    return like.iloc[:0] if rows is None else rows


def _marked(case: Case):
    """One seed of every scenario and policy runs in the fast suite, the rest in the slow one."""
    fast = case.seed == 0 and "behaviour=" not in case.group
    return case if fast else pytest.param(case, marks=pytest.mark.slow)


@pytest.mark.parametrize("case", [_marked(case) for case in CASES], ids=lambda case: case.name)
def test_a_golden_case_replays_exactly(case):
    trades, years = play(case)
    pd.testing.assert_frame_equal(
        trades, expected("trades", case, trades), check_exact=True, check_dtype=False
    )
    pd.testing.assert_frame_equal(
        years, expected("years", case, years), check_exact=True, check_dtype=False
    )
