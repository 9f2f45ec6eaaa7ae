"""Allowance price over time: the round's VWAP and the last trade, p* in textbook markets.

The VWAP (volume-weighted average price of the round's trades) is drawn as points joined
across the rounds that traded; the last trade's price holds between trades, drawn as a thin
step line beneath it (in a thin market the two often coincide, and the VWAP stays visible on
top). The highlighted firm's trades are marked on the chart (purchases and sales). The round
axis grows a year at a time.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import CHART_HEIGHT, CHART_WIDTH, HIGHLIGHT, highlighted
from dashboard.vega import VegaChart, spec
from market import book_kernels as book

VWAP, LAST = "VWAP of the round", "last trade"
SERIES = {"price": VWAP, "last_price": LAST}
COLOURS = {VWAP: "#1f77b4", LAST: "#ff7f0e"}


def firm_trades(market: DashboardMarket, firm: int) -> dict[str, np.ndarray]:
    """Trades of ``firm``, oldest first: ``round`` (1 = the first), ``price``, ``role``.

    ``role`` is ``bought`` or ``sold``; read from the book's trade records, not its objects.
    """
    trades = market.book.trades.rows(0)
    bought = trades[:, book.T_BUYER] == firm
    mine = bought | (trades[:, book.T_SELLER] == firm)
    return {
        "round": trades[mine, book.T_ROUND] + 1,
        "price": trades[mine, book.T_PRICE],
        "role": np.where(bought[mine], "bought", "sold"),
    }


def build(
    floor: int, ceiling: int, last_round: int, with_p_star: bool, firm: int | None
) -> alt.LayerChart:
    """The chart's shape: price band, round axis, whether p* and a firm's trades are drawn."""
    y = alt.Y("price:Q", title="coins per allowance").scale(domain=[floor, ceiling])
    x = alt.X("round:Q", title="round").scale(domain=[0, last_round])
    colour = (
        alt.Color("series:N", title=None)
        .scale(domain=list(COLOURS), range=list(COLOURS.values()))
        .legend(orient="bottom")
    )
    prices = (
        alt.Chart(alt.NamedData(name="prices"))
        .transform_fold(list(COLOURS), as_=["series", "price"])
        .encode(x=x, y=y, color=colour)
    )
    traded = (alt.datum.series == VWAP) & alt.expr.isValid(alt.datum.price)
    layers = [
        prices.transform_filter(alt.datum.series == LAST).mark_line(
            interpolate="step-after", strokeWidth=1
        ),
        prices.transform_filter(traded).mark_line(
            strokeWidth=2, point=alt.OverlayMarkDef(size=30, filled=True)
        ),
    ]
    if with_p_star:
        rule = alt.Chart(alt.NamedData(name="p_star"))
        layers.append(rule.mark_rule(strokeDash=[6, 3], color="black").encode(y=y))
        layers.append(rule.mark_text(align="left", dy=-6, x=4).encode(y=y, text="label:N"))
    if firm is not None:
        layers.append(
            alt.Chart(alt.NamedData(name="firm_trades"))
            .mark_point(color=HIGHLIGHT, filled=True, size=60)
            .encode(x=x, y=y, shape=alt.Shape("role:N", title=f"firm {firm}"))
        )
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=CHART_HEIGHT)


def price_spec(market: DashboardMarket, firm: int | None) -> dict:
    """The price chart's Vega-Lite spec with this round's data.

    Its ``prices`` have a row per round from round 0 (``round`` and the two series of
    :data:`SERIES`), so the chart has data, and draws its axes, from the start: the VWAP is
    null in rounds without a trade (the chart leaves them out and joins the rounds that
    traded), the last trade's price null before the first trade.
    """
    cfg = market.config
    year = cfg.steps_per_year
    last_round = year * max(1, math.ceil(market.steps / year))
    p_star = market.equilibrium_price()
    data = {"prices": market.series_rows(SERIES)}
    if p_star is not None:
        data["p_star"] = {"price": [p_star], "label": [f"p* = {p_star:,.1f}"]}
    if firm is not None:
        data["firm_trades"] = firm_trades(market, firm)
    shape = (cfg.price_floor, cfg.price_ceiling, last_round, p_star is not None, firm)
    return spec(build, shape, **data)


@solara.component
def PriceChart(model: DashboardMarket):
    """Panel: allowance price per round."""
    update_counter.get()
    with solara.Card("Allowance price", margin=0):
        VegaChart(price_spec(model, highlighted(model.enterprises.n)))
