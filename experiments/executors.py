"""Where runs execute (a sweep's, or training seeds'): local processes or a Dask cluster.

Both executors take tasks (anything picklable with a ``run_id``: a sweep's
:class:`~experiments.runner.RunBatch`, a training seed's
:class:`~experiments.seed_training.SeedTask`) and a function that runs one, and yield one
:class:`Outcome` per task, in the order runs finish. A run whose worker dies mid-run is run
again on another worker: locally the process pool is rebuilt and the runs that were in flight
are run again one at a time, so that a death is charged to the run whose process died and to
no other (a run that loses its process :data:`MAX_ATTEMPTS` times counts as failed); on Dask
the scheduler reassigns the task (``distributed.scheduler.allowed-failures``). An exception
inside a run is not retried (the seed fixes the run, so it would fail again); it comes back as
the outcome's error.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from experiments.spec import SweepError

MAX_ATTEMPTS = 3  # local runs: how often a run may lose its worker before it counts as failed
CONNECT_TIMEOUT = "10s"  # how long to wait for a Dask scheduler to answer
WATCH_INTERVAL = 0.5  # seconds between a worker's checks that the sweep is still there


class Task(Protocol):
    """What an executor runs: a picklable description of one run, named by ``run_id``."""

    @property
    def run_id(self) -> str:
        """The run's name, unique among the tasks of one ``map``."""


#: Runs one task in a worker (a picklable module-level function, or a partial of one).
RunFunction = Callable[[Any], Any]


@dataclass(frozen=True)
class Outcome:
    """One finished task: what its run function returned, or why it has nothing."""

    task: Task
    result: Any = None
    error: str | None = None


class Executor(Protocol):
    """Runs tasks somewhere and yields their outcomes as they finish."""

    def map(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Run every task once; yield each outcome when it is ready."""

    def close(self) -> None:
        """Stop the workers this executor started (none for a cluster)."""


def _process_context(preload: str) -> multiprocessing.context.BaseContext:
    """Fork worker processes from a server that has imported module ``preload`` once (POSIX).

    ``preload`` is the run function's module (the model's, for a sweep). A worker then starts
    in milliseconds, so a pool rebuilt after a crash costs nothing, and it is forked from a
    process that runs no Python threads (unlike this one: the pool's own threads, the progress
    bar). Where there is no fork server (Windows) every worker is a fresh interpreter (spawn).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    return context


def _module_of(run: RunFunction) -> str:
    """The module that defines ``run`` (of the function a ``functools.partial`` wraps)."""
    return getattr(run, "func", run).__module__


def _worker_start(sweep_pid: int) -> None:
    """Set up a worker process.

    The sweep's own process handles Ctrl-C; and the worker exits by itself once that process
    is gone, so a killed sweep leaves no process behind waiting for work that will never come
    (the fork server lives on as long as its workers do).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":
        threading.Thread(target=_exit_without, args=(sweep_pid,), daemon=True).start()


def _exit_without(pid: int) -> None:
    while True:
        time.sleep(WATCH_INTERVAL)
        try:
            os.kill(pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            os._exit(1)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class LocalExecutor:
    """Runs tasks in ``workers`` local processes, at most one task per process at a time.

    Keeping no task queued behind a busy process means a crash or a kill loses only the runs
    actually executing, and a dead process costs only those runs a retry.

    Args:
        workers: processes (>= 1).
        run: the function run for each task.
    """

    def __init__(self, workers: int, run: RunFunction) -> None:
        self.workers = workers
        self.run = run
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self, size: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=size,
            mp_context=_process_context(_module_of(self.run)),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )

    def map(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Run the tasks; rebuild the pool and run the suspects alone when a worker dies.

        When the pool breaks, every run in flight dies with it, but only one process died
        first: those runs become suspects and run again one at a time, each alone in the
        pool, so a death is charged only to the run that was alone in a pool that broke.
        """
        queue, suspects = deque(tasks), deque()
        size = max(1, min(self.workers, len(queue)))  # no idle processes for a short sweep
        running: dict[Future, Task] = {}
        attempts: Counter[str] = Counter()
        while queue or suspects or running:
            if self._pool is None:
                self._pool = self._new_pool(size)
            source, limit = (suspects, 1) if suspects else (queue, size)
            broken = not self._fill(source, running, limit)
            done: set[Future] = set()
            if not broken:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
            if broken:  # every run in flight died with the pool: settle them all
                wait(running)
                done = set(running)
            alone = len(running) == 1
            outcomes = []
            for future in done:
                task = running.pop(future)
                outcome = self._settle(future, task, attempts, charged=alone)
                if outcome is None:
                    suspects.append(task)
                else:
                    outcomes.append(outcome)
            if broken:
                self.close()
            elif not suspects:  # keep the workers busy while the caller records these outcomes
                self._fill(queue, running, size)
            yield from outcomes

    def _fill(self, queue: deque[Task], running: dict[Future, Task], limit: int) -> bool:
        """Submit queued tasks until ``limit`` run; False when the pool turns out broken."""
        while queue and len(running) < limit:
            task = queue.popleft()
            try:
                running[self._pool.submit(self.run, task)] = task
            except BrokenProcessPool:
                queue.appendleft(task)
                return False
        return True

    @staticmethod
    def _settle(
        future: Future, task: Task, attempts: Counter[str], charged: bool
    ) -> Outcome | None:
        """The outcome of a finished future; None when its run must be retried.

        ``charged``: the run was alone in flight, so a broken pool was its own process dying.
        """
        error = future.exception()
        if error is None:
            return Outcome(task, future.result())
        if not isinstance(error, BrokenProcessPool):
            return Outcome(task, None, _describe(error))
        attempts[task.run_id] += charged
        if attempts[task.run_id] < MAX_ATTEMPTS:
            return None
        return Outcome(task, None, f"its worker process died {MAX_ATTEMPTS} times")

    def close(self) -> None:
        """Stop the worker processes once their runs in flight end; cancel the others.

        A second Ctrl-C while waiting terminates the worker processes, runs in flight and all.
        """
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        if pool._broken:
            # A pool that breaks while a task is being submitted can start a worker after it
            # has terminated the others; that worker waits for work for ever and shutdown
            # waits for it (seen on Python 3.11: make test hung in this call). Nothing runs
            # in a broken pool any more, so its processes are ended first.
            for process in list((pool._processes or {}).values()):
                process.kill()
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        except BaseException:  # interrupted again while waiting: end the runs in flight now
            for process in list((pool._processes or {}).values()):  # 3.14: terminate_workers()
                process.terminate()
            raise


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster (``dask scheduler`` + ``dask worker``).

    Every worker must be able to import this project (the same environment on every host).

    Args:
        address: the scheduler, e.g. ``tcp://10.0.0.5:8786``.
        run: the function run for each task.

    Raises:
        SweepError: no scheduler answers at ``address``.
    """

    def __init__(self, address: str, run: RunFunction) -> None:
        check_address(address)
        from distributed import Client

        self.run = run
        self._pending: dict = {}
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as err:
            raise SweepError(
                f"--scheduler: no Dask scheduler answers at {address} ({err})"
            ) from None

    def map(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Submit every task to the cluster; yield outcomes as the workers finish them."""
        from distributed import as_completed

        name = getattr(self.run, "__name__", "run")
        self._pending = {
            self.client.submit(self.run, task, key=f"{name}-{task.run_id}"): task for task in tasks
        }
        for future in as_completed(list(self._pending), loop=self.client.loop):
            task = self._pending.pop(future)
            try:
                outcome = Outcome(task, future.result())
            except Exception as err:  # the run's own error, or KilledWorker
                outcome = Outcome(task, None, _describe(err))
            future.release()
            yield outcome

    def close(self) -> None:
        """Cancel the runs not yet finished and disconnect (the cluster keeps running)."""
        if self._pending:
            self.client.cancel(list(self._pending))
        self.client.close()


#: The transports a Dask scheduler listens on.
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def check_address(address: str) -> None:
    """A scheduler address looks like ``tcp://HOST:PORT`` (the scheme may be left out).

    Raises:
        SweepError: it does not, so no connection is tried (which would wait for a timeout).
    """
    url = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = url.port
    except ValueError:
        port = None
    host = url.hostname or ""
    if url.scheme not in SCHEMES or port is None or not re.fullmatch(r"[\w.:-]+", host):
        raise SweepError(
            f"--scheduler: {address!r} is not a scheduler address; expected "
            "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        )


def make_executor(workers: int | None, scheduler: str | None, run: RunFunction) -> Executor:
    """Local processes (``workers``, default: every core) or the Dask cluster at ``scheduler``.

    Raises:
        SweepError: ``workers`` is below 1, or given together with ``scheduler``, or no
            scheduler answers.
    """
    if scheduler is not None:
        if workers is not None:
            raise SweepError(
                "--workers: not used with --scheduler (the cluster's own workers run the sweep)"
            )
        return DaskExecutor(scheduler, run)
    if workers is not None and workers < 1:
        raise SweepError(f"--workers: {workers} is not allowed; it must be >= 1")
    return LocalExecutor(workers or _usable_cores(), run)


def _usable_cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
