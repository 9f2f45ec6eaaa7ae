"""Scenario files: shipped names and paths, read once and checked once while unchanged.

:func:`load_scenario` finds a scenario by shipped name (``data/scenarios``) or path, reads
its TOML and checks it (:func:`market.scenario.parse_scenario`) with flat overrides. A file
read before and unchanged since is not parsed again, and a load with the same overrides (of
the same types) is not checked again: the frozen :class:`~market.scenario.Scenario` is shared.
"""

from __future__ import annotations

import copy
import functools
import tomllib
import warnings
from pathlib import Path
from typing import Any

from market.config import ScenarioError, ScenarioWarning
from market.data import SCENARIO_DIR
from market.scenario import Scenario, parse_scenario, warn_if_the_budget_runs_out


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that ship in ``data/scenarios``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def resolve_path(name_or_path: str | Path) -> Path:
    """Find a scenario file from a shipped name (``paper``) or a path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.exists():
            raise ScenarioError(f"scenario: no file at {path}")
        return path
    shipped = SCENARIO_DIR / f"{name_or_path}.toml"
    if not shipped.exists():
        raise ScenarioError(
            f"scenario: {name_or_path!r} is neither a file nor a shipped scenario; "
            f"shipped: {', '.join(shipped_scenarios())}"
        )
    return shipped


def read_toml(path: Path, where: str = "scenario") -> dict:
    """A TOML file's tables; ``where`` starts every error message.

    A file read before and unchanged since (same size and modification time) is not parsed
    again: markets built one after another from one scenario get a copy of its tables.

    Raises:
        ScenarioError: the path is a directory, unreadable, not text, or not TOML.
    """
    if path.is_dir():
        raise ScenarioError(f"{where}: {path} is a directory, not a TOML file")
    try:
        stat = path.stat()
        return copy.deepcopy(_parsed_toml(str(path.resolve()), stat.st_mtime_ns, stat.st_size))
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: {path} is not a text (UTF-8) TOML file") from None
    except OSError as err:
        raise ScenarioError(f"{where}: cannot read {path} ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{where}: {path} is not valid TOML: {err}") from None


@functools.lru_cache(maxsize=64)
def _parsed_toml(path: str, _mtime_ns: int, _size: int) -> dict:
    """The parsed tables of the file at ``path`` as it was at that time and size."""
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def load_scenario(name_or_path: str | Path = "paper", **overrides: Any) -> Scenario:
    """Load and validate a scenario by shipped name or path, with flat overrides.

    A file loaded before with the same overrides (numbers, strings, booleans and lists of
    them, compared with their types) and unchanged since is not validated again: the frozen
    :class:`Scenario` is shared, and a warning it gave is given again.
    """
    path = resolve_path(name_or_path)
    key = _load_key(path, overrides)
    if key is None:
        return parse_scenario(read_toml(path), name=path.stem, overrides=overrides)
    scenario = _validated(path.stem, *key)
    if scenario.government.policy == "scenario":
        warn_if_the_budget_runs_out(scenario)
    return scenario


@functools.lru_cache(maxsize=64)
def _validated(name: str, path: str, _mtime_ns: int, _size: int, overrides: tuple) -> Scenario:
    """The scenario of the file at ``path`` as it was then, with overrides (:func:`_load_key`)."""
    plain = {key: _unplain(form) for key, form in overrides}
    with warnings.catch_warnings():  # load_scenario warns on every load, this one included
        warnings.simplefilter("ignore", ScenarioWarning)
        return parse_scenario(read_toml(Path(path)), name=name, overrides=plain)


_PLAIN = (bool, int, float, str)


def _load_key(path: Path, overrides: dict[str, Any]) -> tuple | None:
    """What identifies a load of ``path`` with ``overrides``; None if it cannot be told."""
    values = tuple((name, _plain(value)) for name, value in sorted(overrides.items()))
    if any(value is None for _, value in values) or path.is_dir():
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size, values


def _plain(value: Any) -> tuple | None:
    """A hashable form of ``value`` that keeps its type, or None if it is of another kind."""
    if type(value) in _PLAIN:
        return type(value).__name__, value
    if type(value) in (list, tuple):
        items = tuple(_plain(item) for item in value)
        return None if None in items else (type(value).__name__, items)
    return None


def _unplain(form: tuple) -> Any:
    """The value whose :func:`_plain` form is ``form``."""
    kind, value = form
    if kind in ("list", "tuple"):
        items = [_unplain(item) for item in value]
        return items if kind == "list" else tuple(items)
    return value
