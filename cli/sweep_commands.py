"""``carbon-market sweep`` and ``carbon-market report``: the sweep package's subcommands."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(Exception):
    """The command was asked to stop (Ctrl-C or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signal = signal.Signals(signum)


@contextlib.contextmanager
def stop_on_signals(command: str = "sweep") -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into :class:`Stopped` while ``command``'s runs execute.

    The first one lets the runs in flight end (the command then stops); a second one stops
    them too.
    """
    stops: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        if not stops:
            print(
                f"\ncarbon-market {command}: stopping once the runs in flight end "
                "(Ctrl-C again to stop them now)",
                file=sys.stderr,
            )
        stops.append(signum)
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def cmd_sweep(args: argparse.Namespace) -> None:
    """Run a sweep file's runs, recording each as it finishes; print where the results are."""
    from experiments.spec import load_sweep
    from experiments.sweep import run_sweep

    sweep = load_sweep(args.sweep_file)
    out = Path(args.out) if args.out else Path("runs") / sweep.name
    try:
        with stop_on_signals():
            done = run_sweep(
                sweep, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume
            )
    except Stopped as stopped:  # finished runs are on disk; the others run on --resume
        recorded = len(list((out / "runs").glob("*.parquet")))
        print(
            f"carbon-market sweep: stopped by {stopped.signal.name}; {recorded} finished runs "
            f"are recorded in {out}; continue with --resume",
            file=sys.stderr,
        )
        sys.exit(128 + stopped.signal)
    if done.broken:
        print(
            f"carbon-market sweep: {len(done.broken)} damaged result files were removed and "
            f"their runs run again: {', '.join(done.broken)}",
            file=sys.stderr,
        )
    print(
        f"sweep {sweep.name}: {done.runs} runs, {done.skipped} already recorded, "
        f"{done.completed} run now"
    )
    print(f"results: {out}/runs (one row per run), {out}/years (one row per run and year)")
    print(f"plots:   carbon-market report {out}")


def cmd_report(args: argparse.Namespace) -> None:
    """Plot a sweep's results and write its summary table."""
    from experiments.plots import write_report

    files = write_report(args.results, args.out)
    print(f"{len(files.figures)} figures, summary table and page in {files.page.parent}")
    print(f"open {files.page}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sweep`` and ``report`` to the ``carbon-market`` command line."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (local processes, or a Dask cluster)",
        description="Run every run of a sweep file (see docs/sweeps.md and data/sweeps/).",
    )
    sweep.add_argument("sweep_file", metavar="SWEEP.toml", help="the sweep file")
    sweep.add_argument("--out", metavar="DIR", help="results directory (default runs/NAME)")
    sweep.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: every core)"
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)",
    )
    sweep.add_argument(
        "--resume", action="store_true", help="continue the sweep in --out, skipping finished runs"
    )
    sweep.set_defaults(func=cmd_sweep)

    report = subparsers.add_parser(
        "report",
        help="plot a sweep's results and write its summary table",
        description="Each kept metric against each swept parameter, mean and 95% band over "
        "seeds, every policy on one chart (PNG + HTML); summary table (CSV + Markdown).",
    )
    report.add_argument("results", metavar="DIR", help="a sweep's results directory")
    report.add_argument("--out", metavar="DIR", help="where to write (default DIR/report)")
    report.set_defaults(func=cmd_report)
