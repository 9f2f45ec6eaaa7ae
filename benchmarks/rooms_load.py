"""Load on one server's rooms: 40 students in one room and three rooms at once.

Scripted clients stand in for the students' pages: each is a thread that places an order
now and then (a random side and price around p*) and, like a page, looks at its room's
version counter every ``POLL`` seconds (:data:`dashboard.rooms.live.POLL`). For every
accepted order the benchmark records when each of the other clients of its room first saw
a version at or after it: the time from an order to its appearance on the other pages,
without the browser's own rendering and websocket (those add what the browser tests
measure). The rooms' countdown plays a round every ``ROUND_SECONDS`` meanwhile, with bots
trading in the empty seats. At the end every room is rebuilt from its database and compared
with the live one: no order may be lost. Target: median under 1 s.

Run: ``python benchmarks/rooms_load.py`` (about a minute).
"""

import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from dashboard.rooms.errors import RoomError
from dashboard.rooms.live import POLL
from dashboard.rooms.registry import RoomRegistry
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.store import RoomStore

#: Rooms and their students: one class of 40, then three rooms of 40, 25 and 12 at once.
LOADS = ((40,), (40, 25, 12))
ROUND_SECONDS = 2.0
SECONDS = 20.0  # each load runs this long
ORDER_EVERY = (1.0, 4.0)  # seconds between two orders of one student (uniform)


def client(room, token, seen_at, versions, stop, rng):
    """One student's page: orders now and then, and the version as a page polls it."""
    next_order = time.monotonic() + rng.uniform(*ORDER_EVERY)
    while not stop.is_set():
        now = time.monotonic()
        seen_at.append((now, room.version))
        if now >= next_order:
            side = rng.choice(["buy", "sell"])
            price = rng.randint(30, 80)
            try:
                room.submit(token, side, price, 1)
                versions.append((time.monotonic(), room.version))
            except RoomError:
                pass  # rejected (no allowances left, order limit): logged, not counted
            next_order = now + rng.uniform(*ORDER_EVERY)
        stop.wait(POLL)


def run(load, database):
    registry = RoomRegistry(RoomStore(database))
    registry.start_countdowns()
    rng = random.Random(0)
    stop = threading.Event()
    rooms, threads, records = [], [], []
    for students in load:
        room, _ = registry.create(
            RoomSettings(
                scenario="classroom-12",
                seats=max(students, 12),
                round_seconds=ROUND_SECONDS,
                rounds_per_year=200,
            )
        )
        seats = [room.join(f"student {i}") for i in range(students)]
        room.start()
        rooms.append(room)
        for seat in seats:
            seen, placed = [], []
            records.append((room, seen, placed))
            threads.append(
                threading.Thread(
                    target=client,
                    args=(room, seat.token, seen, placed, stop, random.Random(rng.random())),
                )
            )
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    delays = []
    for room, _, placed in records:
        others = [seen for r, seen, _ in records if r is room]
        for at, version in placed:
            for seen in others:
                first = next((t for t, v in seen if t >= at and v >= version), None)
                if first is not None:
                    delays.append(first - at)
    for room in rooms:
        room.pause()  # the countdown stops: the live rooms stand still while they are compared
    lost = 0
    again = RoomRegistry(RoomStore(database))
    for room in rooms:
        rebuilt = again.room(room.code)
        lost += (room.trades != rebuilt.trades) + (
            [room.market.book.open_orders(i) for i in range(len(room.seats))]
            != [rebuilt.market.book.open_orders(i) for i in range(len(room.seats))]
        )
    orders = sum(len(placed) for _, _, placed in records)
    return orders, delays, lost, sum(len(r.trades) for r in rooms)


def main():
    with tempfile.TemporaryDirectory() as folder:
        for n, load in enumerate(LOADS):
            orders, delays, lost, trades = run(load, Path(folder) / f"load{n}.sqlite3")
            delays.sort()
            p95 = delays[int(0.95 * (len(delays) - 1))]
            print(
                f"rooms of {'+'.join(map(str, load))} students: {orders} orders, {trades} "
                f"trades in {SECONDS:.0f} s; order to other pages: median "
                f"{statistics.median(delays) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
                f"({len(delays)} observations); rooms differing after a rebuild: {lost}"
            )


if __name__ == "__main__":
    main()
