"""The best open-loop schedule for a scenario, found by CMA-ES on training seeds only.

The strongest baseline a learned regulator must beat is the best schedule that observes
nothing (``agents.schedule``). :func:`optimize_schedule` searches for it with CMA-ES (the
``cma`` package, Hansen's reference implementation) over a parametrisation that makes the
shapes that matter easy to reach (:class:`Parametrisation`): how much of the budget the
episode releases, how that is spread over the years, and the mix of the textbook split
rules, so that withholding a year moves its allowances to the others instead of losing
them. The search starts from the neutral schedule (the whole budget spread flat, the rules
mixed equally) and
restarts with a doubled population when CMA-ES stops (IPOP), until the simulation budget is
spent.

Every candidate of a generation plays the same fresh training seeds (common random numbers),
so the generation's ranking compares schedules, not luck; every seed is below
:data:`learning.seeds.EVALUATION_SEED_START`, so no evaluation seed is ever read. At
the end each restart's final mean schedule and the few best candidates the search scored
play a block of selection seeds (training seeds too), and the best there is kept. The score
is the episode's final welfare at the search's climate coefficient, as ``carbon-market
evaluate`` scores it.

The search is resumable: every generation's candidates and scores go to an SQLite journal as
one transaction; a resumed search replays the journal through CMA-ES (which draws the same
candidates from the same state) and goes on from the first generation not recorded.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import cma
import numpy as np
from scipy.stats import qmc

from agents.policies import ALLOCATION_RULES
from agents.schedule import Schedule
from learning.seeds import EVALUATION_SEED_START
from model import CarbonMarket, load_scenario
from model.batch import MarketBatch, batchable

#: Training seeds of the search: generation seeds from here, selection seeds from SELECTION.
SEARCH_SEED_START = 500_000_000
SELECTION_SEED_START = 900_000_000
#: The first stage: Sobol points screened on two seeds each, the best re-scored.
SCREENED, SHORTLIST, SCREENING = 256, 8, -1
#: Besides each restart's final mean, the best candidates scored (by their generation's
#: score) that also play the selection seeds: a noisy search's mean is not always its best.
FINALISTS = 7


@dataclass(frozen=True)
class SearchConfig:
    """How the schedule search spends its simulation budget.

    Attributes:
        episodes: the budget in simulated episodes, selection included (a PPO run of 40,000
            years on a 10-year scenario is 4,000).
        seeds_per_candidate: episodes each candidate plays per generation.
        selection_seeds: episodes each restart's final schedule plays at the end.
        popsize: the first restart's population (None: CMA-ES's default, 4 + 3 ln n).
        sigma0: the initial step size, in the parametrisation's units.
        seed: the search's seed (CMA-ES's draws and the block of training seeds).
        climate_coefficient: c of the scored welfare (None: the scenario's).
    """

    episodes: int = 4000
    seeds_per_candidate: int = 8
    selection_seeds: int = 64
    popsize: int | None = None
    sigma0: float = 0.3
    seed: int = 0
    climate_coefficient: float | None = None

    def check(self) -> None:
        """Fail unless every field is in range.

        Raises:
            ValueError: naming the field and its allowed range.
        """
        for name, lowest in (("episodes", 1), ("seeds_per_candidate", 1), ("selection_seeds", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise ValueError(f"{name}: {value!r} must be an integer >= {lowest}")
        if self.popsize is not None and self.popsize < 2:
            raise ValueError(f"popsize: {self.popsize} must be >= 2")
        if not (math.isfinite(self.sigma0) and self.sigma0 > 0):
            raise ValueError(f"sigma0: {self.sigma0} must be a finite number > 0")
        if not 0 <= self.seed < 100:
            raise ValueError(f"seed: {self.seed} must be in [0, 99]")
        c = self.climate_coefficient
        if c is not None and not (math.isfinite(c) and c >= 0):
            raise ValueError(f"climate_coefficient: {c} must be a finite number >= 0")


@dataclass(frozen=True)
class Parametrisation:
    """Schedules as points of the box [0, 1]^(years + 4) for CMA-ES.

    Year ``y`` releases ``x[y]`` times the yearly maximum (``market.max_release_share``), so
    withholding a year and releasing the most are the box's faces, which a bounded CMA-ES
    reaches with positive probability; the last four coordinates are the weights of the
    textbook split rules (normalised; all zero splits by the rules equally).

    Attributes:
        years: years of the episode.
        max_share: the scenario's largest yearly release share.
    """

    years: int
    max_share: float

    @property
    def dimension(self) -> int:
        """One coordinate per year and one per textbook rule."""
        return self.years + len(ALLOCATION_RULES)

    def neutral(self) -> np.ndarray:
        """The flat release (capped by the yearly maximum), the rules mixed equally."""
        flat = min(1.0 / (self.years * self.max_share), 1.0)
        return np.concatenate([np.full(self.years, flat), np.full(len(ALLOCATION_RULES), 0.5)])

    def encode(self, schedule: Schedule) -> np.ndarray:
        """The point of the box that decodes to ``schedule`` (shares above the cap clipped).

        Raises:
            ValueError: the schedule does not fit the search (its years, or an auction).
        """
        if len(schedule.release_shares) != self.years:
            raise ValueError(
                f"start: the schedule has {len(schedule.release_shares)} years, "
                f"the scenario {self.years}"
            )
        if schedule.auction_share > 0:
            raise ValueError("start: the search does not set an auction share; use one of 0")
        shares = np.asarray(schedule.release_shares, dtype=float) / self.max_share
        weights = np.asarray(schedule.rule_weights, dtype=float)
        return np.clip(np.concatenate([shares, weights / weights.sum()]), 0.0, 1.0)

    def decode(self, x: Sequence[float]) -> Schedule:
        """The schedule at point ``x`` (clipped to the box)."""
        x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
        weights = x[self.years :]
        if weights.sum() <= 0:
            weights = np.ones(len(ALLOCATION_RULES))
        shares = self.max_share * x[: self.years]
        return Schedule(tuple(shares.tolist()), tuple((weights / weights.sum()).tolist()))


def training_seeds(config: SearchConfig, first: int, count: int) -> list[int]:
    """``count`` fresh training seeds of the search, from its ``first``-th on."""
    start = SEARCH_SEED_START + config.seed * 4_000_000 + first
    return _training(list(range(start, start + count)))


def selection_seeds(config: SearchConfig) -> list[int]:
    """The training seeds the restarts' final schedules are compared on."""
    first = SELECTION_SEED_START + config.seed * 1_000_000
    return _training(list(range(first, first + config.selection_seeds)))


def _training(seeds: list[int]) -> list[int]:
    if max(seeds) >= EVALUATION_SEED_START:
        raise ValueError("the search ran out of training seeds (budget too large)")
    return seeds


def score_schedules(
    scenario: str | Path, schedules: Sequence[Schedule], seeds: Sequence[int], c: float
) -> np.ndarray:
    """Each schedule's mean final welfare over ``seeds`` at climate coefficient ``c``.

    Every schedule plays every seed; the markets play as one batch when their behaviours
    are compiled, else one by one.

    Returns:
        Coins per firm, shape ``(len(schedules),)``.
    """
    lanes = [(schedule, seed) for schedule in schedules for seed in seeds]
    overrides = {"policy": "manual", "climate_coefficient": c}
    if batchable(load_scenario(scenario, **overrides)):
        batch = MarketBatch(scenario, [seed for _, seed in lanes], **overrides)
        while batch.running:
            year = batch.markets[0].steps // batch.config.steps_per_year  # the coming year
            for market, (schedule, _) in zip(batch.markets, lanes, strict=True):
                market.set_levers(schedule.levers(market.view, year))
            batch.play_year()
        markets = batch.markets
    else:
        markets = [_play_alone(scenario, schedule, seed, overrides) for schedule, seed in lanes]
    welfare = np.array([market.welfare for market in markets])
    return welfare.reshape(len(schedules), len(seeds)).mean(axis=1)


def _play_alone(scenario, schedule: Schedule, seed: int, overrides: dict) -> CarbonMarket:
    market = CarbonMarket(scenario, seed=seed, **overrides)
    while market.running:
        years, rounds = divmod(market.steps, market.config.steps_per_year)
        if rounds == 0:  # the coming round opens year ``years``
            market.set_levers(schedule.levers(market.view, years))
        market.step()
    return market


class Journal:
    """The search's record in SQLite: its settings and every generation's candidates and scores.

    Args:
        path: the database file (created with its tables if new).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS generations (generation INTEGER PRIMARY KEY,"
            " restart INTEGER NOT NULL, candidates TEXT NOT NULL, scores TEXT NOT NULL);"
        )

    def bind(self, settings: dict) -> None:
        """Record the search's settings, or fail if the journal belongs to another search."""
        text = json.dumps(settings, sort_keys=True)
        row = self.db.execute("SELECT value FROM settings WHERE key = 'search'").fetchone()
        if row is None:
            with self.db:
                self.db.execute("INSERT INTO settings VALUES ('search', ?)", (text,))
        elif row[0] != text:
            raise ValueError(
                f"{self.path}: this journal belongs to another search ({row[0]}); "
                "use a new --out or the same settings"
            )

    def generations(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Every recorded generation: ``(restart, candidates, scores)`` in order."""
        rows = self.db.execute(
            "SELECT restart, candidates, scores FROM generations ORDER BY generation"
        ).fetchall()
        return [(r, np.array(json.loads(x)), np.array(json.loads(f))) for r, x, f in rows]

    def add(self, generation: int, restart: int, candidates, scores) -> None:
        """Record one generation (one transaction: all of it or nothing)."""
        with self.db:
            self.db.execute(
                "INSERT INTO generations VALUES (?, ?, ?, ?)",
                (
                    generation,
                    restart,
                    json.dumps(np.asarray(candidates).tolist()),
                    json.dumps(np.asarray(scores).tolist()),
                ),
            )


@dataclass
class SearchResult:
    """What the search found.

    Attributes:
        schedule: the best schedule on the selection seeds.
        selection_welfare: its mean welfare there (coins per firm).
        episodes: episodes simulated, selection included.
        generations: generations of CMA-ES over all restarts.
        restarts: CMA-ES runs (the first and its restarts).
        best_by_generation: each generation's best candidate score (coins per firm).
    """

    schedule: Schedule
    selection_welfare: float
    episodes: int
    generations: int
    restarts: int
    best_by_generation: list[float]


class _Evaluations:
    """Scores candidates generation by generation, or replays them from the journal."""

    def __init__(self, scenario, config: SearchConfig, space: Parametrisation, c: float,
                 journal: Journal, progress: bool) -> None:  # fmt: skip
        self.scenario, self.config, self.space, self.c = scenario, config, space, c
        self.journal, self.progress = journal, progress
        self.recorded = journal.generations()
        self.generation = self.episodes = self.first_seed = 0
        self.best: list[float] = []
        self.leaders: list[tuple[float, np.ndarray]] = []  # the best (score, point) so far

    def score(self, candidates: np.ndarray, seeds_each: int, stage: int) -> np.ndarray:
        """Mean welfare of each candidate over the generation's fresh training seeds."""
        seeds = training_seeds(self.config, self.first_seed, seeds_each)
        if self.generation < len(self.recorded):
            was_stage, was_candidates, scores = self.recorded[self.generation]
            if was_stage != stage or not np.allclose(was_candidates, candidates, atol=1e-12):
                raise ValueError(
                    f"{self.journal.path}: generation {self.generation} does not replay"
                )
        else:
            schedules = [self.space.decode(x) for x in candidates]
            scores = score_schedules(self.scenario, schedules, seeds, self.c)
            self.journal.add(self.generation, stage, candidates, scores)
            if self.progress:
                print(f"generation {self.generation} (stage {stage}): best {scores.max():.1f}")
        self.generation += 1
        self.first_seed += seeds_each
        self.episodes += len(candidates) * seeds_each
        self.best.append(float(scores.max()))
        if stage != SCREENING:
            scored = zip(scores.tolist(), candidates, strict=True)
            self.leaders = sorted([*self.leaders, *scored], key=lambda kept: -kept[0])[:FINALISTS]
        return scores


def optimize_schedule(
    scenario: str | Path,
    config: SearchConfig,
    journal_path: str | Path,
    progress: bool = False,
    start: Schedule | None = None,
) -> SearchResult:
    """Search for the best open-loop schedule of ``scenario`` (resumable through the journal).

    Two stages: a scrambled Sobol design over the whole box, screened on two seeds each,
    its best few re-scored on ``seeds_per_candidate`` seeds; then CMA-ES from the best of
    them, restarting from the next best with a doubled population whenever it stops, until
    the budget is spent. Each restart's final mean and the best candidates scored
    (:data:`FINALISTS`) play the selection seeds; the best there wins. With ``start`` (a
    schedule to refine, such as a regulator's open-loop imitation) the first restart starts
    from it instead, and it plays the selection seeds too, so the result is never worse on
    them than the schedule it refines.

    Raises:
        ValueError: a setting is out of range, the journal is another search's, or it does
            not match what the search draws (a changed library or file).
    """
    config.check()
    cfg = load_scenario(scenario).market
    c = config.climate_coefficient
    c = cfg.climate_coefficient if c is None else c
    space = Parametrisation(cfg.years, cfg.max_release_share)
    journal = Journal(journal_path)
    start_point = None if start is None else space.encode(start)
    settings = {"scenario": str(scenario), **asdict(config), "cma": cma.__version__}
    if start_point is not None:
        settings["start"] = start_point.tolist()
    journal.bind(settings)
    runs = _Evaluations(scenario, config, space, c, journal, progress)
    k = config.seeds_per_candidate
    design = qmc.Sobol(space.dimension, scramble=True, seed=config.seed).random(SCREENED)
    screened = runs.score(np.vstack([space.neutral(), design]), 2, stage=SCREENING)
    shortlist = np.vstack([space.neutral(), design])[np.argsort(-screened)[:SHORTLIST]]
    rescored = runs.score(shortlist, k, stage=SCREENING)
    starts = shortlist[np.argsort(-rescored)]
    if start_point is not None:
        starts = np.vstack([start_point, starts])
    popsize = config.popsize or 4 + int(3 * math.log(space.dimension))
    restart, finals = 0, [starts[0]]
    es = _strategy(starts[0], config, popsize, restart)
    while True:
        if es.stop() and restart + 1 < len(starts):
            finals[-1] = np.asarray(es.mean)
            restart, popsize = restart + 1, 2 * popsize
            es = _strategy(starts[restart], config, popsize, restart)
            finals.append(starts[restart])
        selection = config.selection_seeds * (len(finals) + FINALISTS)  # what the end plays
        if runs.episodes + es.popsize * k + selection > config.episodes:
            break
        candidates = np.asarray(es.ask())
        es.tell(list(candidates), list(-runs.score(candidates, k, stage=restart)))
        finals[-1] = np.asarray(es.mean)
    restarts = len(finals)
    finals += [point for _, point in runs.leaders]
    if start_point is not None:
        finals.append(start_point)
    schedules = [space.decode(x) for x in finals]
    selection = score_schedules(scenario, schedules, selection_seeds(config), c)
    chosen = int(np.argmax(selection))
    return SearchResult(
        schedules[chosen],
        float(selection[chosen]),
        runs.episodes + len(finals) * config.selection_seeds,
        runs.generation,
        restarts,
        runs.best,
    )


def _strategy(start: np.ndarray, config: SearchConfig, popsize: int, restart: int):
    """A bounded CMA-ES run from ``start``, seeded by the search's seed and the restart."""
    options = {
        "seed": 1 + config.seed * 1000 + restart,
        "popsize": popsize,
        "verbose": -9,
        "bounds": [0.0, 1.0],
    }
    return cma.CMAEvolutionStrategy(start, config.sigma0, options)


def provenance(scenario: str | Path, config: SearchConfig, result: SearchResult, started: float):
    """How a schedule file was made, for its ``provenance`` key."""
    return {
        "scenario": str(scenario),
        "search": asdict(config),
        "selection_welfare": result.selection_welfare,
        "episodes": result.episodes,
        "generations": result.generations,
        "restarts": result.restarts,
        "wall_seconds": round(time.time() - started, 1),
    }
