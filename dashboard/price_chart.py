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
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import CHART_HEIGHT, CHART_WIDTH, HIGHLIGHT, selected_firm
from dashboard.vega import VegaChart, spec

VWAP, LAST = "VWAP of the round", "last trade"
SERIES = {"price": VWAP, "last_price": LAST}
COLOURS = {VWAP: "#1f77b4", LAST: "#ff7f0e"}


def price_frame(market: DashboardMarket) -> pd.DataFrame:
    """Long table ``round, series, price`` of the VWAP and last-trade price per round.

    VWAP rows exist only for rounds that traded (so its line joins them); the last trade has
    a row per round, missing before the first trade, so the chart has data, and draws its
    axes, from round 0.
    """
    history = market.history()[["round", *SERIES]].rename(columns=SERIES)
    frame = history.melt("round", var_name="series", value_name="price").astype({"price": float})
    return frame[(frame["series"] == LAST) | frame["price"].notna()].reset_index(drop=True)


def firm_trades(market: DashboardMarket, firm: int) -> pd.DataFrame:
    """Trades of ``firm``: ``round, price, role`` (bought or sold)."""
    rows = [
        (t.round + 1, t.price, "bought" if t.buyer == firm else "sold")
        for t in market.book.trades
        if firm in (t.buyer, t.seller)
    ]
    return pd.DataFrame(rows, columns=["round", "price", "role"])


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
    prices = alt.Chart(alt.NamedData(name="prices")).encode(x=x, y=y, color=colour)
    layers = [
        prices.transform_filter(alt.datum.series == LAST).mark_line(
            interpolate="step-after", strokeWidth=1
        ),
        prices.transform_filter(alt.datum.series == VWAP).mark_line(
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
    """The price chart's Vega-Lite spec with this round's data."""
    cfg = market.config
    year = cfg.steps_per_year
    last_round = year * max(1, math.ceil(market.steps / year))
    p_star = market.equilibrium_price()
    data = {"prices": price_frame(market)}
    if p_star is not None:
        data["p_star"] = pd.DataFrame({"price": [p_star], "label": [f"p* = {p_star:,.1f}"]})
    if firm is not None:
        data["firm_trades"] = firm_trades(market, firm)
    shape = (cfg.price_floor, cfg.price_ceiling, last_round, p_star is not None, firm)
    return spec(build, shape, **data)


@solara.component
def PriceChart(model: DashboardMarket):
    """Panel: allowance price per round."""
    update_counter.get()
    with solara.Card("Allowance price", margin=0):
        VegaChart(price_spec(model, selected_firm.value))
