"""The results of a sweep on disk: written batch by batch, never half, never twice.

An output directory holds::

    sweep.json               the sweep (its keys, parameters and types, metrics, fingerprint)
    years/<part_id>.parquet  one row per compliance year of each run of one batch
    runs/<part_id>.parquet   the batch's summary rows, one a run: written last, so it marks
                             those runs finished

A part holds the runs of one finished batch (:class:`~experiments.runner.RunBatch`) and is
named by its first run's id (which names the batch), so a part's name is unique and stable.
Each file is written under a hidden temporary name, flushed to disk and renamed into place,
so a killed sweep leaves whole files only (and hidden leftovers that readers skip). A run is
finished when a ``runs/`` part holds it (its ``run_id`` column, not the file's name, says
which runs a part holds); ``--resume`` skips exactly those, after reading each part back: a
part that is damaged (truncated, emptied, of another layout, its years part missing or of
other runs) is removed with its years part, named, and its runs run again; a years part
without its runs part (a batch killed while being written) is removed. No run is recorded
twice: the store refuses to write a finished run again, and a run found in two parts (which
only copying files in can cause) stops ``--resume`` and :func:`load_results` with an error
naming both. A directory of the earlier layout, one file per run, is the same layout with
one-run parts, and resumes as it is.
While a sweep writes, it holds a lock on ``DIR/.lock`` (which names its process), so a second
sweep on the same directory stops at once instead of touching the first one's files.
``pandas.read_parquet(DIR / "runs")`` reads the summaries; :func:`load_results` reads both
tables, years of finished runs only.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.runner import YEAR_METRICS, RunResult, RunTask
from experiments.spec import Sweep, SweepError

MANIFEST = "sweep.json"
LOCK = ".lock"
ARROW_TYPES = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string()}


def schemas(manifest: dict[str, Any]) -> tuple[pa.Schema, pa.Schema]:
    """The run table's and the year table's columns for a sweep's manifest.

    Columns: ``run_id``, ``scenario``, ``policy``, each swept parameter, ``seed``, (``year``,)
    then the kept metrics (float; nan where undefined).
    """
    swept = [
        (name, ARROW_TYPES[kind])
        for name, kind in manifest["parameters"].items()
        if name != "policy"
    ]
    ident = [("run_id", pa.string()), ("scenario", pa.string()), ("policy", pa.string())]
    ident += [*swept, ("seed", pa.int64())]
    metrics = manifest["metrics"]
    runs = pa.schema([*ident, *((m, pa.float64()) for m in metrics)])
    years = pa.schema(
        [*ident, ("year", pa.int64()), *((m, pa.float64()) for m in metrics if m in YEAR_METRICS)]
    )
    return runs, years


class ResultStore:
    """A sweep's output directory, opened for writing.

    Use :meth:`open`; :attr:`finished` holds the ids of the runs already recorded.
    """

    def __init__(self, root: Path, manifest: dict[str, Any], lock: IO[str]) -> None:
        self.root = root
        self.manifest = manifest
        self._lock = lock
        self.runs_dir, self.years_dir = root / "runs", root / "years"
        self.run_schema, self.year_schema = schemas(manifest)
        self.finished: set[str] = set()
        try:
            self.broken = self._read_parts()
        except SweepError:
            lock.close()
            raise

    def close(self) -> None:
        """Release the directory's lock (another sweep may then resume it)."""
        self._lock.close()

    def _read_parts(self) -> list[str]:
        """Read back every part; fill :attr:`finished`; remove damaged and unfinished parts.

        A runs part and its years part are removed together where either is damaged: not
        readable, not of the sweep's columns, empty, a run twice in the runs part, or years
        of other runs than the runs part's. A years part with no runs part is removed too.

        Returns:
            The damaged files, as ``runs/<part_id>.parquet`` or ``years/<part_id>.parquet``
            (their runs will run again).

        Raises:
            SweepError: a run is recorded in two whole parts; the message names both.
        """
        broken = []
        recorded_in: dict[str, str] = {}
        for summary in sorted(self.runs_dir.glob("*.parquet")):
            year_rows = self.years_dir / summary.name
            runs = _part_run_ids(summary, self.run_schema)
            years = _part_run_ids(year_rows, self.year_schema)
            damaged = [
                f"{path.parent.name}/{path.name}"
                for path, ids in ((summary, runs), (year_rows, years))
                if ids is None
            ]
            if not damaged and (len(set(runs)) != len(runs) or set(years) != set(runs)):
                damaged = [f"years/{year_rows.name}"]
            if damaged:
                broken += damaged
                summary.unlink()
                year_rows.unlink(missing_ok=True)
                continue
            for run in runs:
                if run in recorded_in:
                    raise SweepError(
                        f"--resume: run {run} is recorded twice, in runs/{recorded_in[run]} and "
                        f"runs/{summary.name}; a sweep never writes a run twice, so one of them "
                        "was copied in: remove one (and its years/ part), then --resume"
                    )
                recorded_in[run] = summary.name
        self.finished = set(recorded_in)
        for year_rows in self.years_dir.glob("*.parquet"):
            if not (self.runs_dir / year_rows.name).exists():  # its batch was never finished
                year_rows.unlink()
        return broken

    @classmethod
    def open(cls, root: Path, sweep: Sweep, fingerprint: str, resume: bool) -> ResultStore:
        """Create the directory for a new sweep, or reopen it to resume the same sweep.

        Raises:
            SweepError: without ``resume`` the directory already holds files; with it, the
                directory holds another sweep, or no sweep at all.
        """
        root = Path(root)
        manifest = {**sweep.describe(), "fingerprint": fingerprint}
        if root.exists() and not root.is_dir():
            raise SweepError(f"--out: {root} is a file, not a directory")
        if root.is_dir() and any(root.iterdir()):
            if not resume:
                raise SweepError(
                    f"--out: {root} already holds files; pass --resume to continue the sweep "
                    "recorded there, or choose another --out (nothing was overwritten)"
                )
            return cls._reopen(root, manifest, _lock(root))
        try:
            root.mkdir(parents=True, exist_ok=True)
            for sub in ("runs", "years"):
                (root / sub).mkdir(exist_ok=True)
        except OSError as err:
            blocker = next((p for p in root.parents if p.is_file()), None)
            reason = f"{blocker} is a file, not a directory" if blocker else err.strerror
            raise SweepError(f"--out: cannot make {root} ({reason})") from None
        lock = _lock(root)
        _write_atomically(root / MANIFEST, json.dumps(manifest, indent=2).encode())
        return cls(root, manifest, lock)

    @classmethod
    def _reopen(cls, root: Path, manifest: dict[str, Any], lock: IO[str]) -> ResultStore:
        try:
            recorded = read_manifest(root)
        except SweepError:
            lock.close()
            raise
        if recorded.get("fingerprint") != manifest["fingerprint"]:
            lock.close()
            raise SweepError(
                f"--resume: {root} holds the results of another sweep ({recorded.get('name')!r}): "
                "its scenario, parameters, seeds or metrics differ from this sweep file's; "
                "choose another --out"
            )
        for leftover in root.glob("*/.*.tmp"):  # files a killed sweep was writing
            leftover.unlink()
        return cls(root, recorded, lock)

    def write(self, tasks: Sequence[RunTask], results: Sequence[RunResult]) -> None:
        """Record a finished batch: its year rows, then its summary rows (which mark it done).

        Args:
            tasks: the batch's runs, the first naming the part.
            results: their results, in the same order.

        Raises:
            ValueError: no run, tasks and results that do not match, or a run already
                recorded (a run is never recorded twice).
        """
        if not tasks or len(tasks) != len(results):
            raise ValueError(f"write: {len(tasks)} runs and {len(results)} results")
        ids = [task.run_id for task in tasks]
        if any(r.run_id != i for r, i in zip(results, ids, strict=True)):
            raise ValueError("write: results in another order than their runs")
        part = f"{ids[0]}.parquet"
        again = set(ids) & self.finished
        if again or len(set(ids)) != len(ids) or (self.runs_dir / part).exists():
            raise ValueError(f"write: run {min(again or ids)} is already recorded")
        parameters = self.manifest["parameters"]
        summaries, years = [], []
        for task, result in zip(tasks, results, strict=True):
            ident = {
                "run_id": task.run_id,
                "scenario": task.scenario,
                "policy": result.policy,
                **{name: task.params[name] for name in parameters},
                "seed": task.seed,
            }
            summaries.append({**ident, **result.summary})
            years += [{**ident, **year} for year in result.years]
        _commit(self.years_dir / part, pa.Table.from_pylist(years, self.year_schema))
        _commit(self.runs_dir / part, pa.Table.from_pylist(summaries, self.run_schema))
        self.finished.update(ids)


def _commit(path: Path, table: pa.Table) -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    _write_atomically(path, sink.getvalue().to_pybytes())


def _lock(root: Path) -> IO[str]:
    """Hold ``root/.lock`` for this process (released when the returned file is closed).

    Raises:
        SweepError: another sweep holds it; the message names that sweep's process.
    """
    handle = open(root / LOCK, "a+")  # noqa: SIM115 (held open while the sweep runs)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SweepError(
            f"--out: {root} is in use by another sweep (process {holder}); wait for it to end "
            "or stop it, then --resume"
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _part_run_ids(path: Path, schema: pa.Schema) -> list[str] | None:
    """The ``run_id`` of each row of a part; None if it does not read back whole.

    Whole: readable, of the sweep's columns, with at least one row.
    """
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None
    if table.num_rows == 0 or not table.schema.equals(schema, check_metadata=False):
        return None
    return table.column("run_id").to_pylist()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a hidden temporary file, flush it to disk, rename it to ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def read_manifest(root: str | Path) -> dict[str, Any]:
    """The ``sweep.json`` of a results directory.

    Raises:
        SweepError: the directory holds no sweep.
    """
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise SweepError(f"{root}: no {MANIFEST} here, so this is not a sweep's results directory")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SweepError(
            f"{path}: corrupt ({err}); it records which sweep the results belong to, so they "
            "cannot be read or resumed: run the sweep again into another --out"
        ) from None
    if not isinstance(manifest, dict):
        raise SweepError(f"{path}: corrupt (not a JSON object)")
    missing = [key for key in ("fingerprint", "parameters", "metrics") if key not in manifest]
    if missing:
        raise SweepError(f"{path}: corrupt (no {missing[0]!r})")
    return manifest


@dataclass(frozen=True)
class Results:
    """A sweep's recorded results.

    Attributes:
        runs: one row per finished run (parameters, seed, episode metrics).
        years: one row per finished run and compliance year.
        manifest: the sweep, as ``sweep.json`` records it.
    """

    runs: pd.DataFrame
    years: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        """The swept parameters."""
        return list(self.manifest["parameters"])

    @property
    def metrics(self) -> list[str]:
        """The kept metrics."""
        return list(self.manifest["metrics"])


def load_results(root: str | Path) -> Results:
    """Read a results directory: finished runs only, sorted by parameters, seed and year.

    Raises:
        SweepError: the directory holds no sweep, a part is damaged, or a run is recorded
            twice (the messages name the parts).
    """
    root = Path(root)
    manifest = read_manifest(root)
    run_schema, year_schema = schemas(manifest)
    order = [*manifest["parameters"], "seed"]
    runs = _read(root / "runs", run_schema)
    if runs["run_id"].duplicated().any():
        raise SweepError(_twice(root / "runs", run_schema))
    runs = runs.sort_values(order, kind="stable")
    years = _read(root / "years", year_schema)
    years = years[years["run_id"].isin(runs["run_id"])]
    years = years.sort_values([*order, "year"], kind="stable")
    return Results(runs.reset_index(drop=True), years.reset_index(drop=True), manifest)


def _read(directory: Path, schema: pa.Schema) -> pd.DataFrame:
    """Every Parquet part in ``directory`` (hidden temporary files are skipped).

    Raises:
        SweepError: a part is damaged; the message names every damaged part.
    """
    try:
        return ds.dataset(directory, schema=schema, format="parquet").to_table().to_pandas()
    except (OSError, pa.ArrowException):
        parts = sorted(directory.glob("*.parquet"))
        damaged = [p.name for p in parts if _part_run_ids(p, schema) is None]
        raise SweepError(
            f"{directory}: damaged result files: {', '.join(damaged)}; "
            "run the sweep again with --resume to rerun their runs"
        ) from None


def _twice(directory: Path, schema: pa.Schema) -> str:
    """The message for a run recorded in two parts of ``directory``, naming both."""
    seen: dict[str, str] = {}
    for part in sorted(directory.glob("*.parquet")):
        for run in _part_run_ids(part, schema) or ():
            if run in seen:
                return (
                    f"{directory}: run {run} is recorded twice, in {seen[run]} and {part.name}; "
                    "remove one of them (and its years/ part)"
                )
            seen[run] = part.name
    return f"{directory}: a run is recorded twice"
