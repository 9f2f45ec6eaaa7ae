"""Where the shipped data lives: scenarios, calibration tables and trained policies (and sweeps).

In a clone they are the repository's ``data/`` folder; an installed wheel carries the same
folder as the package data ``market/shipped`` (``pyproject.toml`` maps one onto the other),
found through :mod:`importlib.resources`, so the commands work from any directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _data_dir() -> Path:
    """The installed package data if there is any, else the clone's ``data/`` folder."""
    installed = Path(str(files("market") / "shipped"))
    return installed if installed.is_dir() else Path(__file__).resolve().parent.parent / "data"


DATA_DIR = _data_dir()
SCENARIO_DIR = DATA_DIR / "scenarios"
POLICY_DIR = DATA_DIR / "policies"
SECTOR_TABLE = DATA_DIR / "calibration" / "sectors.csv"
