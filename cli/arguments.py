"""Checks of the commands' arguments made before any work starts; each names its flag."""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from market.scenario import ScenarioError


def integer_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer >= ``minimum`` (argparse names the flag on error)."""

    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is not allowed; it must be >= {minimum}")
        return value

    return integer


#: A random seed: numpy's generators take integers >= 0.
random_seed = integer_at_least(0)


def seed_list(text: str) -> list[int]:
    """An argparse ``type``: distinct seeds as ranges and single seeds, e.g. ``0-4`` or ``0-2,7``.

    A range ``A-B`` holds both ends; the seeds keep the order written.
    """
    seeds: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            low = random_seed(first)
            high = random_seed(last) if dash else low
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a list of seeds >= 0; expected e.g. 0-4 or 0-2,7"
            ) from None
        if high < low:
            raise argparse.ArgumentTypeError(f"{part.strip()!r}: a range runs from low to high")
        seeds.extend(range(low, high + 1))
    repeated = sorted({seed for seed in seeds if seeds.count(seed) > 1})
    if repeated:
        raise argparse.ArgumentTypeError(f"seed {repeated[0]} is given twice in {text!r}")
    return seeds


def writable_directory(flag: str, directory: Path) -> None:
    """Make ``directory`` (and its parents) now, so a run never ends unable to write.

    Raises:
        ValueError: it cannot be made or written (a regular file in the way, no permission);
            the message names ``flag``.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        blocker = next((p for p in (directory, *directory.parents) if p.is_file()), None)
        reason = f"{blocker} is a file, not a directory" if blocker else err.strerror
        raise ValueError(f"{flag}: cannot write to {directory} ({reason})") from None
    if not os.access(directory, os.W_OK):
        raise ValueError(f"{flag}: cannot write to {directory} (permission denied)")


SET_HELP = "change a scenario key, e.g. --set penalty=50 (repeatable)"


def scenario_overrides(pairs: list[str]) -> dict[str, Any]:
    """Parse ``--set key=value`` pairs; values are read as TOML (numbers, arrays, true/false).

    A value that is not TOML is kept as a string (``--set policy=equal``); the scenario's
    own check then names a key or value it does not allow.
    """
    out = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ScenarioError(f"--set: {pair!r} must look like key=value")
        try:
            out[key] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[key] = raw
    return out
