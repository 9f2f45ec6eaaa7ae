"""Running a sweep: the runs not yet recorded, on an executor, recorded as each batch finishes.

The runs go out in batches (:class:`~experiments.runner.RunBatch`: up to
:data:`RUNS_PER_TASK` seeds of one parameter point), which a worker plays as one batch of
markets. A batch that fails (a run's error, or its worker dying every time it was tried) is
taken apart and its runs go out again one by one, so a failure is charged to its own run and
the others of its batch are recorded. Each finished batch is recorded as one part
(:meth:`~experiments.store.ResultStore.write`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from experiments.executors import RunFunction, make_executor
from experiments.identity import fingerprint, sweep_tasks
from experiments.runner import RunBatch, RunTask, run_points
from experiments.spec import Sweep, SweepError
from experiments.store import ResultStore

SHOWN_FAILURES = 5  # failed runs listed in the error message
RUNS_PER_TASK = 32  # runs of one parameter point a worker plays as one batch of markets


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
    run: RunFunction = run_points,
    runs_per_task: int = RUNS_PER_TASK,
) -> SweepOutcome:
    """Run every run of ``sweep`` not yet recorded in ``out``, recording each batch as it ends.

    Args:
        sweep: the validated sweep.
        out: the results directory (see :mod:`experiments.store`).
        workers: local processes; default: every core. Not used with ``scheduler``.
        scheduler: a Dask scheduler address (``tcp://HOST:PORT``) to run on instead.
        resume: continue the same sweep in ``out``, skipping its finished runs.
        progress: show a progress bar with ETA; default: when stderr is a terminal.
        run: the function that plays a :class:`~experiments.runner.RunBatch` and returns
            its runs' results (:func:`~experiments.runner.run_points`).
        runs_per_task: the most runs of one parameter point sent to a worker at once.

    Raises:
        SweepError: ``out`` cannot be used (see :meth:`ResultStore.open`; another sweep
            holding it is one reason), the executor cannot start, or some runs failed
            (the others are recorded; ``resume`` retries the failed ones).
    """
    if runs_per_task < 1:
        raise SweepError(f"runs_per_task: {runs_per_task} is not allowed; it must be >= 1")
    tasks = sweep_tasks(sweep)
    executor = make_executor(workers, scheduler, run)  # checks the options before any write
    failures: list[tuple[RunTask, str]] = []
    store = None
    try:
        store = ResultStore.open(Path(out), sweep, fingerprint(sweep, tasks), resume)
        todo = [task for task in tasks if task.run_id not in store.finished]
        skipped = len(tasks) - len(todo)
        with tqdm(
            total=len(tasks), initial=skipped, unit="run", desc=sweep.name, disable=_off(progress)
        ) as bar:
            batches = batched(todo, runs_per_task)
            while batches:
                retried = []
                for outcome in executor.map(batches):
                    runs = outcome.task.runs
                    if outcome.error is None:
                        store.write(runs, outcome.result)  # one part for the batch
                        bar.update(len(runs))
                    elif len(runs) > 1:  # find the run that failed: each goes out alone
                        retried.extend(RunBatch((task,)) for task in runs)
                    else:
                        failures.append((runs[0], outcome.error))
                        bar.set_postfix(failed=len(failures))
                        bar.update()
                batches = retried
    finally:
        executor.close()
        if store is not None:
            store.close()
    if failures:
        lines = [
            f"  run {task.run_id} ({_point(sweep, task.params)}, seed={task.seed}): {error}"
            for task, error in failures[:SHOWN_FAILURES]
        ]
        more = len(failures) - len(lines)
        raise SweepError(
            f"{len(failures)} of {len(todo)} runs failed and were not recorded "
            "(--resume retries them):\n"
            + "\n".join(lines)
            + (f"\n  ... and {more} more" if more else "")
        )
    return SweepOutcome(Path(out), len(tasks), skipped, len(todo), tuple(store.broken))


def batched(tasks: list[RunTask], size: int) -> list[RunBatch]:
    """The runs in batches of at most ``size``, each of one parameter point, in their order."""
    batches: list[list[RunTask]] = []
    for task in tasks:
        last = batches[-1] if batches else None
        if last and len(last) < size and last[0].params == task.params:
            last.append(task)
        else:
            batches.append([task])
    return [RunBatch(tuple(runs)) for runs in batches]


def _off(progress: bool | None) -> bool | None:
    """The progress bar's ``disable`` flag: None shows it only on a terminal."""
    return None if progress is None else not progress


def _point(sweep: Sweep, params: dict) -> str:
    return ", ".join(f"{name}={params[name]!r}" for name in sweep.parameters)
