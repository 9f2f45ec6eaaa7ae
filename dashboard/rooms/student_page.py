"""The student's pages: ``/join`` (code and name to a seat) and ``/play`` (their firm).

The play page's link holds the room's code and the student's token, so a refresh or a new
connection returns to the same firm; the token is the only thing that lets the page act,
and it acts only for the seat that token holds.
"""

from __future__ import annotations

import solara

from dashboard.controls import share_slider
from dashboard.rooms.errors import RoomError
from dashboard.rooms.live import find_room, link, status_line, use_query, use_room_updates
from dashboard.rooms.room import Phase, Room
from dashboard.rooms.seats import Seat
from dashboard.rooms.standings import leaderboard
from dashboard.student import SIDES, firm_view


@solara.component
def JoinPage():
    """Page ``/join``: type the room's code and a name, get a seat."""
    query = use_query()
    router = solara.use_router()
    code, set_code = solara.use_state(query.get("code", ""))
    name, set_name = solara.use_state("")
    message, set_message = solara.use_state(None)

    def join():
        room, error = find_room(code)
        if room is None:
            set_message(error or "code: type the room's code")
            return
        try:
            seat = room.join(name)
        except RoomError as err:
            set_message(str(err))
            return
        router.push(link("play", code=room.code, token=seat.token))

    solara.Title("Join a classroom room")
    with solara.Card("Join a room", style={"max-width": "420px"}):
        solara.InputText("room code", value=code, on_value=set_code, continuous_update=True)
        solara.InputText("your name", value=name, on_value=set_name, continuous_update=True)
        solara.Button("Join", color="primary", on_click=join)
        if message:
            solara.Error(message)


@solara.component
def PlayPage():
    """Page ``/play``: the student's firm in the room's shared market."""
    query = use_query()
    room, error = find_room(query.get("code"))
    version = use_room_updates(room)
    solara.Title("Carbon market: your firm")
    if room is None:
        solara.Error(error or "code: this link names no room; join at /join")
        return
    try:
        seat = room.seat_of(query.get("token"))
    except RoomError as err:
        solara.Error(str(err))
        solara.Markdown(f"[Join the room again]({link('join', code=room.code)})")
        return
    StudentView(room, seat, version)


def instructions(room: Room, seat: Seat) -> str:
    """The short instructions for the seat's firm."""
    ent, cfg = room.market.enterprises, room.market.config
    i = seat.index
    if room.textbook:
        firm = (
            f"Your firm emits **{ent.baseline_emissions[i]:.0f} t** of CO2 a year unless it "
            f"abates; abating *a* tonnes costs {ent.abatement_cost[i]:g}·a²/2 coins. Each "
            f"allowance covers one tonne; a tonne neither abated nor covered costs "
            f"{cfg.penalty:g} coins at the year's end."
        )
    else:
        firm = (
            "Your firm produces and emits; each allowance covers one tonne of this year's "
            f"emissions, a tonne uncovered costs {cfg.penalty:g} coins at the year's end."
        )
    return (
        f"{firm} Buy when the price is below what one more allowance is worth to you; sell "
        "when it is above what selling one costs you. Orders trade at once with any order "
        "that crosses them, from classmates or bots, and expire after "
        f"{cfg.order_duration} rounds; allowances do not carry over to the next year."
    )


@solara.component
def StudentView(room: Room, seat: Seat, version: int):
    """The seat's firm: what it holds and is worth, the order form and its open orders.

    ``version`` is the room's version this render shows (a new one renders the view again).
    """
    market = room.market
    side, set_side = solara.use_state("buy")
    price, set_price = solara.use_state("")
    quantity, set_quantity = solara.use_state("1")
    message, set_message = solara.use_state(None)
    token = seat.token
    with room.lock:  # one consistent snapshot: the countdown may be playing a round
        view = firm_view(market, seat.index, float(market.initial_coins[seat.index]))
        standing = next(s for s in leaderboard(room) if s.seat == seat.index)
        orders = market.book.open_orders(seat.index)
        notices = list(seat.notices)[::-1][:5]
        mine = [t for t in room.trades if seat.index in (t.buyer, t.seller)][-5:]
        status, trading = status_line(room), room.phase == Phase.TRADING
        floor, ceiling = market.book.price_floor, market.book.price_ceiling
        text = instructions(room, seat)

    def act(action):
        try:
            set_message(("ok", action()))
        except RoomError as err:
            set_message(("error", str(err)))

    with solara.Column(style={"max-width": "760px"}):
        solara.Markdown(f"## {seat.name}: firm {seat.index} · room {room.code}")
        solara.Text(status, classes=["room-status"])
        solara.Markdown(text)
        with solara.Card("Your firm", margin=0):
            score = (
                f" · score vs equilibrium **{standing.score:+,.1f}**"
                if standing.score is not None
                else ""
            )
            solara.Markdown(
                f"allowances **{view.allowances:.0f}** ({view.free_allowances:.0f} not in "
                f"orders) · coins **{view.coins:,.1f}** · profit so far "
                f"**{standing.profit:+,.1f}**{score}  \n"
                f"one more allowance is worth **{view.value_of_buying:.1f}** coins to you; "
                f"selling one costs you **{view.cost_of_selling:.1f}** · still uncovered "
                f"{view.shortfall:.0f} t"
            )
        if not room.textbook:
            Decisions(room, seat, act)
        with solara.Card("Place an order", margin=0):
            solara.Text(f"price in whole coins from {floor} to {ceiling}")
            solara.ToggleButtonsSingle(value=side, values=list(SIDES), on_value=set_side)
            with solara.Row():
                solara.InputText("price", value=price, on_value=set_price, continuous_update=True)
                solara.InputText(
                    "quantity", value=quantity, on_value=set_quantity, continuous_update=True
                )
            solara.Button(
                "Place order",
                color="primary",
                disabled=not trading,
                on_click=lambda: act(lambda: room.submit(token, side, price, quantity)),
            )
            if message is not None:
                kind, text = message
                (solara.Error if kind == "error" else solara.Success)(text)
        with solara.Card("Your open orders", margin=0):
            if not orders:
                solara.Text("none")
            for order in orders:
                with solara.Row():
                    solara.Text(
                        f"order {order.order_id}: {'buy' if order.side == 0 else 'sell'} "
                        f"{order.quantity} at {order.price}, expires after round "
                        f"{order.expires_round}"
                    )
                    solara.Button(
                        "Cancel",
                        small=True,
                        on_click=lambda i=order.order_id: act(lambda: room.cancel(token, i)),
                    )
        if notices:
            with solara.Card("What happened to your orders", margin=0):
                for notice in notices:
                    solara.Warning(notice, dense=True)
        if mine:
            with solara.Card("Your last trades", margin=0):
                for t in mine[::-1]:
                    role = "bought" if t.buyer == seat.index else "sold"
                    other = t.seller_name if t.buyer == seat.index else t.buyer_name
                    solara.Text(f"round {t.round}: {role} {t.quantity} at {t.price} ({other})")


@solara.component
def Decisions(room: Room, seat: Seat, act):
    """A producing firm's decisions: output share, R&D and green projects (applied on Set)."""
    behaviour = seat.behaviour
    share, set_share = solara.use_state(behaviour.production_share)
    research, set_research = solara.use_state(behaviour.do_research)
    offsets, set_offsets = solara.use_state(behaviour.buy_offsets)
    token = seat.token
    with solara.Card("Your firm's decisions", margin=0):
        share_slider("production (share of capacity)", share, set_share, 0.1)
        solara.Checkbox(label="R&D each round", value=research, on_value=set_research)
        solara.Checkbox(label="buy green projects", value=offsets, on_value=set_offsets)
        solara.Button(
            "Set decisions",
            on_click=lambda: act(lambda: room.decide(token, share, research, offsets)),
        )
