"""Running a sweep: the runs not yet recorded, on an executor, recorded as each one finishes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from experiments.executors import RunFunction, make_executor
from experiments.identity import fingerprint, sweep_tasks
from experiments.runner import run_point
from experiments.spec import Sweep, SweepError
from experiments.store import ResultStore

SHOWN_FAILURES = 5  # failed runs listed in the error message


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep did.

    Attributes:
        out: the results directory.
        runs: the sweep's runs.
        skipped: runs already recorded before this call (``--resume``).
        completed: runs this call ran and recorded.
        broken: the damaged result files ``resume`` found and removed (their runs ran again).
    """

    out: Path
    runs: int
    skipped: int
    completed: int
    broken: tuple[str, ...] = ()


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | None = None,
    run: RunFunction = run_point,
) -> SweepOutcome:
    """Run every run of ``sweep`` not yet recorded in ``out``, recording each as it finishes.

    Args:
        sweep: the validated sweep.
        out: the results directory (see :mod:`experiments.store`).
        workers: local processes; default: every core. Not used with ``scheduler``.
        scheduler: a Dask scheduler address (``tcp://HOST:PORT``) to run on instead.
        resume: continue the same sweep in ``out``, skipping its finished runs.
        progress: show a progress bar with ETA; default: when stderr is a terminal.
        run: the function that plays one run (:func:`~experiments.runner.run_point`).

    Raises:
        SweepError: ``out`` cannot be used (see :meth:`ResultStore.open`; another sweep
            holding it is one reason), the executor cannot start, or some runs failed
            (the others are recorded; ``resume`` retries the failed ones).
    """
    tasks = sweep_tasks(sweep)
    executor = make_executor(workers, scheduler, run)  # checks the options before any write
    failures = []
    store = None
    try:
        store = ResultStore.open(Path(out), sweep, fingerprint(sweep, tasks), resume)
        todo = [task for task in tasks if task.run_id not in store.finished]
        skipped = len(tasks) - len(todo)
        with tqdm(
            total=len(tasks), initial=skipped, unit="run", desc=sweep.name, disable=_off(progress)
        ) as bar:
            for outcome in executor.map(todo):
                if outcome.error is None:
                    store.write(outcome.task, outcome.result)
                else:
                    failures.append(outcome)
                    bar.set_postfix(failed=len(failures))
                bar.update()
    finally:
        executor.close()
        if store is not None:
            store.close()
    if failures:
        lines = [
            f"  run {f.task.run_id} ({_point(sweep, f.task.params)}, seed={f.task.seed}): {f.error}"
            for f in failures[:SHOWN_FAILURES]
        ]
        more = len(failures) - len(lines)
        raise SweepError(
            f"{len(failures)} of {len(todo)} runs failed and were not recorded "
            "(--resume retries them):\n"
            + "\n".join(lines)
            + (f"\n  ... and {more} more" if more else "")
        )
    return SweepOutcome(Path(out), len(tasks), skipped, len(todo), tuple(store.broken))


def _off(progress: bool | None) -> bool | None:
    """The progress bar's ``disable`` flag: None shows it only on a terminal."""
    return None if progress is None else not progress


def _point(sweep: Sweep, params: dict) -> str:
    return ", ".join(f"{name}={params[name]!r}" for name in sweep.parameters)
