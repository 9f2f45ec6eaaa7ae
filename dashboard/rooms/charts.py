"""What the room pages draw: the price path against theory, the leaderboard, the gains.

Charts are Vega-Lite specs built once per shape and refilled with the room's data
(:mod:`dashboard.vega`), like the dashboard's panels.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.rooms.room import Room
from dashboard.rooms.scores import YearStart
from dashboard.rooms.standings import gains, leaderboard
from dashboard.selection import ASK, BID, CHART_HEIGHT, CHART_WIDTH
from dashboard.vega import spec
from market.orders import Side


def year_starts(room: Room) -> list[YearStart]:
    """Every textbook year's start so far, the open year's last."""
    starts = [start for start, _, _ in room.finished_years]
    if room.year_start is not None and (not starts or starts[-1] is not room.year_start):
        starts.append(room.year_start)
    return starts


def price_frame(room: Room) -> dict[str, np.ndarray]:
    """Each played round's volume-weighted price: columns ``round``, ``price`` (nan: no trade)."""
    rounds = room.rounds
    return {
        "round": np.array([r.round for r in rounds], dtype=int),
        "price": np.array([r.price for r in rounds], dtype=float),
    }


def theory_frame(room: Room) -> pd.DataFrame:
    """Each year's p* and competitive interval over the year's rounds."""
    rounds = room.market.config.steps_per_year
    return pd.DataFrame(
        [
            {
                "start": s.year * rounds + 1,
                "end": (s.year + 1) * rounds,
                "p_star": s.p_star,
                "low": s.price_low,
                "high": s.price_high,
                "label": f"p* = {s.p_star:.4g}",
            }
            for s in year_starts(room)
        ],
        columns=["start", "end", "p_star", "low", "high", "label"],
    )


def build_price(floor: int, ceiling: int, last_round: int, with_theory: bool) -> alt.LayerChart:
    """The price path's shape: price band, round axis, whether theory is drawn."""
    y = alt.Y("price:Q", title="coins per allowance").scale(domain=[floor, ceiling])
    x = alt.X("round:Q", title="round").scale(domain=[0, last_round])
    layers = []
    if with_theory:
        theory = alt.Chart(alt.NamedData(name="theory"))
        layers += [
            theory.mark_rect(opacity=0.25, color="#2ca02c").encode(
                x=alt.X("start:Q").scale(domain=[0, last_round]), x2="end:Q", y="low:Q", y2="high:Q"
            ),
            theory.mark_rule(strokeDash=[6, 3], color="black").encode(
                x=alt.X("start:Q").scale(domain=[0, last_round]),
                x2="end:Q",
                y=alt.Y("p_star:Q").scale(domain=[floor, ceiling]),
            ),
            theory.mark_text(align="left", dy=-8).encode(
                x="start:Q", y=alt.Y("p_star:Q"), text="label:N"
            ),
        ]
    layers.append(
        alt.Chart(alt.NamedData(name="prices"))
        .mark_line(point=alt.OverlayMarkDef(size=30))
        .encode(x=x, y=y)
    )
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=CHART_HEIGHT)


def price_spec(room: Room) -> dict:
    """The price path's spec: the room's prices, with theory when revealed (textbook only)."""
    cfg = room.market.config
    with_theory = room.theory_shown and room.textbook
    data = {"prices": price_frame(room)}
    if with_theory:
        data["theory"] = theory_frame(room)
    last = cfg.steps_per_year * cfg.years
    shape = (cfg.price_floor, cfg.price_ceiling, last, with_theory)
    return spec(build_price, shape, **data)


def leaderboard_frame(room: Room) -> pd.DataFrame:
    """The leaderboard as a table: rank, name, firm, profit and score (coins, rounded)."""
    rows = [
        {
            "rank": rank,
            "name": s.name,
            "firm": s.seat,
            "profit": round(s.profit, 1),
            **({"score vs equilibrium": round(s.score, 1)} if s.score is not None else {}),
        }
        for rank, s in enumerate(leaderboard(room), start=1)
    ]
    return pd.DataFrame(rows)


def gains_text(room: Room) -> str | None:
    """'The class realised X of the Y maximum gains from trade' (None without theory)."""
    realised_maximum = gains(room)
    if realised_maximum is None:
        return None
    realised, maximum = realised_maximum
    share = f" ({realised / maximum:.0%})" if maximum > 0 else ""
    return (
        f"The class realised **{realised:,.0f}** of the **{maximum:,.0f}** coins of "
        f"maximum gains from trade{share} this year."
    )


def volume_text(room: Room) -> str:
    """Trades and allowances traded so far, and in the last round."""
    traded = sum(t.quantity for t in room.trades)
    last = room.rounds[-1].volume if room.rounds else 0
    return f"{len(room.trades)} trades, {traded} allowances so far · last round {last}"


def stack_frame(room: Room) -> pd.DataFrame:
    """The book as two step curves: ``side, allowances, price``.

    Bids from the highest price down and asks from the lowest up, each point the allowances
    open at that price or better: the class's demand and supply as they stand.
    """
    rows = []
    for side in Side:
        levels = room.market.book.depth(side)  # best first
        cumulative = np.cumsum([quantity for _, quantity in levels])
        name = "bids" if side == Side.BID else "asks"
        previous = 0
        for (price, _), total in zip(levels, cumulative, strict=True):
            rows += [(name, previous, price), (name, int(total), price)]
            previous = int(total)
    return pd.DataFrame(rows, columns=["side", "allowances", "price"])


def build_stacks(floor: int, ceiling: int) -> alt.Chart:
    """The stacks' shape: price band; allowances at that price or better along x."""
    return (
        alt.Chart(alt.NamedData(name="stacks"))
        .mark_line(interpolate="linear")
        .encode(
            x=alt.X("allowances:Q", title="allowances at this price or better"),
            y=alt.Y("price:Q", title="coins per allowance").scale(domain=[floor, ceiling]),
            color=alt.Color("side:N", title=None).scale(domain=["bids", "asks"], range=[BID, ASK]),
            order="allowances:Q",
        )
        .properties(width=CHART_WIDTH, height=CHART_HEIGHT)
    )


def stacks_spec(room: Room) -> dict:
    """The bid and ask stacks' spec with the book as it stands."""
    cfg = room.market.config
    return spec(build_stacks, (cfg.price_floor, cfg.price_ceiling), stacks=stack_frame(room))
