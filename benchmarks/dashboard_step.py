"""What a user waits for after Step: one round of a 1,000-firm market and the page redrawn.

The market is ``eu-large`` with 1,000 firms (``n_firms=1000``). Every round of its episode
after a short warm-up is timed: ``CarbonMarket.step()``, then the re-render the Step button
triggers (``force_update``), rendered browser-less (``solara.render``) inside a
browser session's kernel context with Solara's server loaded, as the server renders it. The
page's re-render is the sidebar's run card and every panel ``dashboard.pages.Panels`` lays
out; each panel is also rendered in a session of its own, so its share shows. The episode is
played twice, without and with a highlighted firm (a panel then draws that firm's layers).
The projector's screen of a full classroom room (:class:`dashboard.rooms.screen_page.Screen`,
60 seats) is timed the same way, one round and one re-render at a time.

Each figure is the median and the 95th percentile over the timed rounds, in milliseconds,
with the median's ratio to one agent-step of Mesa's Boltzmann wealth model measured in the
same process (``benchmarks/engine.py``'s yardstick). Target: model step + page under 50 ms.
Beside that wall-clock figure is the process's CPU time for it: on a machine shared with
other jobs the wall clock also counts the time the process waits for a core.

Run: ``python benchmarks/dashboard_step.py`` (about a minute).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import solara
import solara.server.starlette  # reactive state is then per session, as when served
from engine import boltzmann_agent_step  # the yardstick, from benchmarks/engine.py
from mesa.visualization.utils import force_update
from solara.server import kernel, kernel_context

from dashboard.market import DashboardMarket
from dashboard.pages import PANELS, Panels
from dashboard.policy_choice import AS_IN_SCENARIO
from dashboard.rooms.records import Phase
from dashboard.rooms.room import Room
from dashboard.rooms.screen_page import Screen
from dashboard.rooms.settings import RoomSettings
from dashboard.selection import select_firm
from dashboard.settings import Controls
from dashboard.sidebar import MarketController

FIRMS = 1_000
SCENARIO = "eu-large"
HIGHLIGHTED = 7  # the firm highlighted in the second pass
WARM_UP = 10  # rounds played, untimed, before timing (kernels, caches, the first trades)
SEATS = 60  # a classroom room's largest class
TARGET_MS = 50.0  # model step + page re-render, median


@solara.component
def Page(model: DashboardMarket):
    """What the dashboard page re-renders after Step: the run card and every panel."""
    market = solara.use_reactive(model)
    MarketController(market, Controls.for_scenario(SCENARIO))
    Panels(market.value)


def session(name: str) -> kernel_context.VirtualKernelContext:
    """A browser session of its own (reactive values, ``update_counter`` included)."""
    return kernel_context.VirtualKernelContext(
        id=f"bench-{name}", session_id=f"bench-{name}", kernel=kernel.Kernel()
    )


def time_dashboard(firm: int | None) -> dict[str, list[float]]:
    """Seconds per timed round: the model step, the page, and each panel in its own session."""
    market = DashboardMarket(SCENARIO, policy=AS_IN_SCENARIO, n_firms=FIRMS, seed=1)
    views = {"page (run card + panels)": Page} | {panel.__name__: panel for panel in PANELS}
    sessions = {}
    for name, view in views.items():
        sessions[name] = session(f"{name}-{firm}")
        with sessions[name]:
            select_firm(firm)
            solara.render(view(market), handle_error=False)
    times: dict[str, list[float]] = {"model step": [], **{name: [] for name in views}}
    cpu = []  # this process's CPU seconds for step + page (the page is the first session)
    while market.running:
        start, cpu_start = time.perf_counter(), time.process_time()
        market.step()
        times["model step"].append(time.perf_counter() - start)
        for name, context in sessions.items():
            with context:
                start = time.perf_counter()
                force_update()  # what the Step button does after stepping
                times[name].append(time.perf_counter() - start)
            if len(cpu) < len(times["model step"]):
                cpu.append(time.process_time() - cpu_start)
    for context in sessions.values():
        context.close()
    found = timed(times, "step + page", "model step", "page (run card + panels)")
    return {"step + page": found.pop("step + page"), "  same, CPU time": cpu[WARM_UP:], **found}


def time_screen() -> dict[str, list[float]]:
    """Seconds per timed round of a full classroom room: the round, and the screen redrawn."""
    room = Room(1, "BENCH", "x", RoomSettings(seats=SEATS, round_seconds=0))
    room.start()
    times: dict[str, list[float]] = {"room round": [], "screen": []}
    with session("screen"):
        _box, rc = solara.render(Screen(room, room.version), handle_error=False)
        while room.market.running:
            start = time.perf_counter()
            room.advance()
            times["room round"].append(time.perf_counter() - start)
            start = time.perf_counter()
            rc.render(Screen(room, room.version))  # the page's poll saw a new version
            times["screen"].append(time.perf_counter() - start)
            if room.market.running and room.phase != Phase.TRADING:
                room.start()  # the next year
        rc.close()
    return timed(times, "round + screen", "room round", "screen")


def timed(times: dict[str, list[float]], total: str, *parts: str) -> dict[str, list[float]]:
    """The rounds after the warm-up, with ``total`` the sum of ``parts`` first."""
    kept = {name: seconds[WARM_UP:] for name, seconds in times.items()}
    return {total: list(np.sum([kept[part] for part in parts], axis=0)), **kept}


def line(name: str, cells: list[str]) -> None:
    print(f"{name:<26}" + "".join(f"{cell:>12}" for cell in cells))


def figures(seconds: list[float], yardstick: float) -> list[str]:
    """Median ms, p95 ms and the median in Boltzmann agent-steps."""
    median, p95 = np.median(seconds), np.percentile(seconds, 95)
    return [f"{1000 * median:.1f}", f"{1000 * p95:.1f}", f"{median / yardstick:,.0f}x"]


def main() -> None:
    warnings.simplefilter("ignore")  # solara's rules-of-hooks notes about its own components
    yardstick = boltzmann_agent_step()
    print(f"yardstick: a Mesa Boltzmann agent-step takes {yardstick * 1e6:.2f} us here")
    passes = {
        "no highlight": time_dashboard(None),
        f"firm {HIGHLIGHTED}": time_dashboard(HIGHLIGHTED),
    }
    rounds = len(next(iter(passes.values()))["model step"])
    print(f"\n{SCENARIO}, {FIRMS:,} firms, rounds {WARM_UP + 1} to {WARM_UP + rounds} timed")
    line("", [cell for name in passes for cell in (name, "", "")])
    line("ms per round", ["median", "p95", "vs agent"] * len(passes))
    for name in next(iter(passes.values())):
        line(name, [cell for times in passes.values() for cell in figures(times[name], yardstick)])
    slower = max(float(np.median(times["step + page"])) for times in passes.values())
    verdict = "PASS" if slower < TARGET_MS / 1000 else "MISS"
    print(
        f"target: step + page < {TARGET_MS:.0f} ms, slower pass {1000 * slower:.1f} ms: {verdict}"
    )
    screen = time_screen()
    print(f"\nclassroom room screen, {SEATS} seats, {len(screen['screen'])} rounds timed")
    line("ms per round", ["median", "p95", "vs agent"])
    for name, seconds in screen.items():
        line(name, figures(seconds, yardstick))


if __name__ == "__main__":
    main()
