"""The room's debrief file: a zip of CSV tables, read from the database.

``trades.csv`` (every trade with both seats and student names), ``rounds.csv`` (each round's
price and volume), ``results.csv`` (each seat's profit and score), ``years.csv`` (each year's
treatment, theory and realised gains), ``events.csv`` (everything that happened, in order) and
``room.csv`` (the settings and the seed). The trades, rounds and events come straight from the
database; results and years from the room as its events rebuild it.
"""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd

from dashboard.rooms.room import Room
from dashboard.rooms.standings import leaderboard
from dashboard.rooms.store import RoomStore


def debrief_tables(store: RoomStore, room: Room) -> dict[str, pd.DataFrame]:
    """The debrief's tables by file name."""

    def table(sql: str) -> pd.DataFrame:
        columns, rows = store.query(sql, (room.room_id,))
        return pd.DataFrame(rows, columns=columns)

    trades = table(
        "SELECT seq AS trade, round, year + 1 AS year, seller AS seller_seat, seller_name, "
        "buyer AS buyer_seat, buyer_name, price, quantity FROM trades WHERE room = ? ORDER BY seq"
    )
    rounds = table(
        "SELECT round, year + 1 AS year, treatment, price, volume FROM rounds "
        "WHERE room = ? ORDER BY round"
    )
    events = table("SELECT seq, at, kind, payload FROM events WHERE room = ? ORDER BY seq")
    events["payload"] = [_without_tokens(p) for p in events["payload"]]
    results = pd.DataFrame(
        [(s.seat, s.name, s.profit, s.score) for s in leaderboard(room)],
        columns=["seat", "name", "profit", "score_vs_equilibrium"],
    )
    years = pd.DataFrame(
        [
            {
                "year": start.year + 1,
                "treatment": room.treatment_by_year[start.year],
                "p_star": start.p_star,
                "price_low": start.price_low,
                "price_high": start.price_high,
                "max_gains": start.max_gains,
                "realised_gains": realised,
            }
            for start, _, realised in room.finished_years
        ]
        or [{"year": y + 1, "treatment": t} for y, t in enumerate(room.treatment_by_year)]
    )
    settings = {"code": room.code, **room.settings.as_dict()}
    return {
        "trades.csv": trades,
        "rounds.csv": rounds,
        "results.csv": results,
        "years.csv": years,
        "events.csv": events,
        "room.csv": pd.DataFrame([settings]),
    }


def _without_tokens(payload: str) -> str:
    """An event's payload as the debrief shows it: a student's token is their key, so not."""
    data = json.loads(payload)
    data.pop("token", None)
    return json.dumps(data)


def debrief_zip(store: RoomStore, room: Room) -> bytes:
    """The debrief file's bytes (a zip of the CSV tables)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in debrief_tables(store, room).items():
            archive.writestr(name, frame.to_csv(index=False))
    return buffer.getvalue()
