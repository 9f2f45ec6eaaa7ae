"""The results of a sweep on disk: written run by run, never half, never twice.

An output directory holds::

    sweep.json              the sweep (its keys, parameters and types, metrics, fingerprint)
    years/<run_id>.parquet  one row per compliance year of the run
    runs/<run_id>.parquet   the run's summary row: written last, so it marks the run finished

Each file is written under a hidden temporary name, flushed to disk and renamed into place,
so a killed sweep leaves whole files only (and hidden leftovers that readers skip). A run is
finished when its ``runs/`` file exists; ``--resume`` skips exactly those, after reading each
one back: a part that is damaged (truncated, emptied, of another layout) is removed, named,
and its run runs again. A file's name is its run's id, so no run can be recorded twice.
While a sweep writes, it holds a lock on ``DIR/.lock`` (which names its process), so a second
sweep on the same directory stops at once instead of touching the first one's files.
``pandas.read_parquet(DIR / "runs")`` reads the summaries; :func:`load_results` reads both
tables, years of finished runs only.
"""

from __future__ import annotations

import fcntl
import json
import os
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
        self.broken = self._remove_broken_parts()
        self.finished = {path.stem for path in self.runs_dir.glob("*.parquet")}

    def close(self) -> None:
        """Release the directory's lock (another sweep may then resume it)."""
        self._lock.close()

    def _remove_broken_parts(self) -> list[str]:
        """Read back every finished run's two parts; remove both where one is damaged.

        Returns:
            The damaged files, as ``runs/<run_id>.parquet`` (their runs will run again).
        """
        broken = []
        for summary in sorted(self.runs_dir.glob("*.parquet")):
            year_rows = self.years_dir / summary.name
            damaged = [
                f"{path.parent.name}/{path.name}"
                for path, schema, rows in (
                    (summary, self.run_schema, 1),
                    (year_rows, self.year_schema, None),
                )
                if not _part_is_whole(path, schema, rows)
            ]
            if damaged:
                broken += damaged
                summary.unlink()
                year_rows.unlink(missing_ok=True)
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

    def write(self, task: RunTask, result: RunResult) -> None:
        """Record a finished run: its year rows, then its summary row (which marks it done)."""
        ident = {
            "run_id": task.run_id,
            "scenario": task.scenario,
            "policy": result.policy,
            **{name: task.params[name] for name in self.manifest["parameters"]},
            "seed": task.seed,
        }
        years = [{**ident, **year} for year in result.years]
        self._commit(self.years_dir, task.run_id, pa.Table.from_pylist(years, self.year_schema))
        summary = pa.Table.from_pylist([{**ident, **result.summary}], self.run_schema)
        self._commit(self.runs_dir, task.run_id, summary)
        self.finished.add(task.run_id)

    @staticmethod
    def _commit(directory: Path, run_id: str, table: pa.Table) -> None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        _write_atomically(directory / f"{run_id}.parquet", sink.getvalue().to_pybytes())


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


def _part_is_whole(path: Path, schema: pa.Schema, rows: int | None) -> bool:
    """Whether a part file reads back whole: the sweep's columns, ``rows`` rows (or some)."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return False
    expected = (rows is None and table.num_rows > 0) or table.num_rows == rows
    return expected and table.schema.equals(schema, check_metadata=False)


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
    """Read a results directory: finished runs only, sorted by parameters, seed and year."""
    root = Path(root)
    manifest = read_manifest(root)
    run_schema, year_schema = schemas(manifest)
    order = [*manifest["parameters"], "seed"]
    runs = _read(root / "runs", run_schema).sort_values(order, kind="stable")
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
        damaged = [p.name for p in parts if not _part_is_whole(p, schema, None)]
        raise SweepError(
            f"{directory}: damaged result files: {', '.join(damaged)}; "
            "run the sweep again with --resume to rerun their runs"
        ) from None
