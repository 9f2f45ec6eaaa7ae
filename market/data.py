"""Where the shipped data lives: scenarios, calibration tables and trained policies."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCENARIO_DIR = DATA_DIR / "scenarios"
POLICY_DIR = DATA_DIR / "policies"
SECTOR_TABLE = DATA_DIR / "calibration" / "sectors.csv"
