"""A room's leaderboard and its gains from trade, from the scores of each year.

In a textbook room a seat's profit is summed over the years and its score is that profit
less its profit in the competitive equilibrium (:mod:`dashboard.rooms.scores`); in a
producing economy there is no closed-form benchmark and seats rank by the coins they gained.
"""

from __future__ import annotations

import numpy as np

from dashboard.rooms.records import Standing
from dashboard.rooms.room import Room
from dashboard.rooms.scores import gains_from_trade, open_year_profit


def leaderboard(room: Room) -> list[Standing]:
    """Every seat's profit and score, best score first (best profit without theory)."""
    with room.lock:
        market, n = room.market, len(room.seats)
        if room.textbook:
            profit, score = np.zeros(n), np.zeros(n)
            years = [(start, year_profit) for start, year_profit, _ in room.finished_years]
            if room.year_start is not None and not room.year_finished:
                years.append((room.year_start, open_year_profit(market, room.year_start)))
            for start, year_profit in years:
                profit += year_profit
                score += year_profit - start.benchmark
            scores: list[float | None] = [float(x) for x in score]
        else:
            profit = market.accounts.total_coins() - market.initial_coins
            scores = [None] * n
        bots = room.settings.bots
        rows = [
            Standing(s.index, s.label(bots), float(profit[s.index]), scores[s.index])
            for s in room.seats
        ]
    return sorted(rows, key=lambda r: -(r.score if r.score is not None else r.profit))


def gains(room: Room) -> tuple[float, float] | None:
    """``(realised, maximum)`` gains from trade in coins, this year's or the last one's.

    Between years it is the year just finished; None without theory or before the start.
    """
    with room.lock:
        if not room.textbook or room.year_start is None:
            return None
        if room.year_finished:
            start, _, realised = room.finished_years[-1]
            return realised, start.max_gains
        return gains_from_trade(room.market, room.year_start), room.year_start.max_gains
