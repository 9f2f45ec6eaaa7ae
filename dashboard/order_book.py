"""The order book: open allowances bid and offered at each price, and the tape of trades."""

from __future__ import annotations

import altair as alt
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import (
    ASK,
    BID,
    CHART_HEIGHT,
    CHART_WIDTH,
    HIGHLIGHT,
    selected_firm,
)
from dashboard.vega import VegaChart, spec
from market.orders import Side

TAPE_LENGTH = 12  # most recent trades on the tape
PRICE, QUANTITY = "price (coins)", "allowances"  # the tape's headers


def depth_frame(market: DashboardMarket) -> pd.DataFrame:
    """Level-2 depth: ``price, quantity, side`` (``bid`` or ``ask``), one row per level.

    An empty book is one row of no allowances at the floor, so the chart still has an extent
    to draw its axes from (Vega warns on an empty one).
    """
    rows = [
        (price, quantity, side.name.lower())
        for side in Side
        for price, quantity in market.book.depth(side)
    ]
    return pd.DataFrame(
        rows or [(market.config.price_floor, 0, "bid")], columns=["price", "quantity", "side"]
    )


def own_frame(market: DashboardMarket, firm: int) -> pd.DataFrame:
    """``firm``'s open allowances per price: ``price, quantity``.

    A firm without orders is one level of no allowances at the floor, drawn without an
    outline (an extent for the chart, as in :func:`depth_frame`).
    """
    orders = pd.DataFrame(
        [(o.price, o.quantity) for o in market.book.open_orders(firm)]
        or [(market.config.price_floor, 0)],
        columns=["price", "quantity"],
    )
    return orders.groupby("price", as_index=False)["quantity"].sum()


def tape_frame(market: DashboardMarket, firm: int | None = None) -> pd.DataFrame:
    """The most recent trades, newest first: round, buyer, seller, price, allowances.

    A ``*`` marks the trades of the highlighted ``firm``.
    """
    recent = market.book.trades[-TAPE_LENGTH:][::-1]
    return pd.DataFrame(
        [
            {
                "": "*" if firm in (t.buyer, t.seller) else "",
                "round": t.round + 1,
                "buyer": t.buyer,
                "seller": t.seller,
                PRICE: t.price,
                QUANTITY: t.quantity,
            }
            for t in recent
        ],
        columns=["", "round", "buyer", "seller", PRICE, QUANTITY],
    )


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
    firm = selected_firm.value
    bid, bid_qty, ask, ask_qty = model.book.level1()
    with solara.Card("Order book", margin=0):
        solara.Text(
            f"best bid {bid if bid is not None else '-'} ({bid_qty}) · "
            f"best ask {ask if ask is not None else '-'} ({ask_qty}) · "
            f"{len(model.book)} open orders"
        )
        VegaChart(depth_spec(model, firm))
        solara.Markdown("**Tape** (newest first; * the highlighted firm)")
        tape = tape_frame(model, firm)
        if len(tape):
            solara.DataFrame(tape, items_per_page=TAPE_LENGTH)
        else:
            solara.Text("no trades yet")
