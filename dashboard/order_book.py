"""The order book: open allowances bid and offered at each price, and the tape of trades."""

from __future__ import annotations

import altair as alt
import numpy as np
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import (
    ASK,
    BID,
    CHART_HEIGHT,
    CHART_WIDTH,
    HIGHLIGHT,
    highlighted,
)
from dashboard.tables import DenseTable
from dashboard.vega import VegaChart, spec
from market import book_kernels as book
from market.orders import Side

TAPE_LENGTH = 12  # most recent trades on the tape
MARK, PRICE, QUANTITY = "mark", "price (coins)", "allowances"  # tape columns with other headers
#: The tape's columns and their headers (the mark's: none).
TAPE_HEADERS = {
    MARK: "",
    "round": "round",
    "buyer": "buyer",
    "seller": "seller",
    PRICE: PRICE,
    QUANTITY: QUANTITY,
}


def depth_frame(market: DashboardMarket) -> dict[str, np.ndarray]:
    """Level-2 depth: columns ``price``, ``quantity`` and ``side`` (``bid`` or ``ask``).

    One row per price level, bids then asks, best first. An empty book is one row of no
    allowances at the floor, so the chart still has an extent to draw its axes from (Vega
    warns on an empty one).
    """
    levels = [
        (price, quantity, side.name.lower())
        for side in Side
        for price, quantity in market.book.depth(side)
    ] or [(market.config.price_floor, 0, "bid")]
    price, quantity, side = zip(*levels, strict=True)
    return {"price": np.array(price), "quantity": np.array(quantity), "side": np.array(side)}


def own_frame(market: DashboardMarket, firm: int) -> dict[str, np.ndarray]:
    """``firm``'s open allowances per price: columns ``price`` (ascending) and ``quantity``.

    A firm without orders is one level of no allowances at the floor, drawn without an
    outline (an extent for the chart, as in :func:`depth_frame`).
    """
    open_at: dict[int, int] = {}
    for order in market.book.open_orders(firm):
        open_at[order.price] = open_at.get(order.price, 0) + order.quantity
    prices = sorted(open_at) or [market.config.price_floor]
    return {"price": np.array(prices), "quantity": np.array([open_at.get(p, 0) for p in prices])}


def tape_rows(market: DashboardMarket, firm: int | None = None) -> list[dict[str, int | str]]:
    """The most recent trades, newest first: round, buyer, seller, price, allowances.

    A ``*`` under :data:`MARK` marks the trades of the highlighted ``firm``. Read from the
    book's trade records, the last :data:`TAPE_LENGTH` only.
    """
    trades = market.book.trades
    recent = trades.rows(max(0, len(trades) - TAPE_LENGTH))[::-1].tolist()
    return [
        {
            MARK: "*" if firm in (t[book.T_BUYER], t[book.T_SELLER]) else "",
            "round": t[book.T_ROUND] + 1,
            "buyer": t[book.T_BUYER],
            "seller": t[book.T_SELLER],
            PRICE: t[book.T_PRICE],
            QUANTITY: t[book.T_QTY],
        }
        for t in recent
    ]


def build(floor: int, ceiling: int, with_firm: bool) -> alt.LayerChart:
    """The depth chart's shape: bars per price tick, bids and asks in two colours.

    With a highlighted firm, its own open orders are outlined on top.
    """
    x = alt.X("price:Q", title="price tick").scale(domain=[floor, ceiling])
    y = alt.Y("quantity:Q", title="open allowances")
    colour = alt.Color("side:N", title=None).scale(domain=["bid", "ask"], range=[BID, ASK])
    layers = [alt.Chart(alt.NamedData(name="depth")).mark_bar(size=8).encode(x, y, colour)]
    if with_firm:
        layers.append(
            alt.Chart(alt.NamedData(name="own"))
            .mark_bar(size=8, fill=None, stroke=HIGHLIGHT)
            .encode(
                x=x,
                y="quantity:Q",  # summed per price in own_frame
                strokeWidth=alt.condition(alt.datum.quantity > 0, alt.value(2), alt.value(0)),
            )
        )
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=CHART_HEIGHT - 40)


def depth_spec(market: DashboardMarket, firm: int | None) -> dict:
    """The depth chart's Vega-Lite spec with the book as it stands."""
    cfg = market.config
    data = {"depth": depth_frame(market)}
    if firm is not None:
        data["own"] = own_frame(market, firm)
    return spec(build, (cfg.price_floor, cfg.price_ceiling, firm is not None), **data)


@solara.component
def OrderBook(model: DashboardMarket):
    """Panel: the book's depth by price and the tape of recent trades."""
    update_counter.get()
    firm = highlighted(model.enterprises.n)
    bid, bid_qty, ask, ask_qty = model.book.level1()
    with solara.Card("Order book", margin=0):
        solara.Text(
            f"best bid {bid if bid is not None else '-'} ({bid_qty}) · "
            f"best ask {ask if ask is not None else '-'} ({ask_qty}) · "
            f"{len(model.book)} open orders"
        )
        VegaChart(depth_spec(model, firm))
        solara.Markdown("**Tape** (newest first; * the highlighted firm)")
        tape = tape_rows(model, firm)
        if tape:
            DenseTable(TAPE_HEADERS, tape)
        else:
            solara.Text("no trades yet")
