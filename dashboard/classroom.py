"""Classroom mode: each browser session gets its own market, in which a student plays a firm.

The page (route ``/classroom``) keeps its market in per-session state, so no two students
share a model. The student sets production, R&D and green projects, places and cancels
orders and steps the market; the other firms are heuristic (or learned). The teacher's card
switches the treatment (grandfathering, benchmarking, auction; the learned regulator when it
is shipped), starts a new session and downloads the session's data as CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import solara
from mesa.visualization.utils import force_update, update_counter

from dashboard.controls import share_slider
from dashboard.fields import whole_number
from dashboard.market import DashboardMarket
from dashboard.order_book import OrderBook
from dashboard.policy_choice import AS_IN_SCENARIO, LEARNED, learned_available, policy_label
from dashboard.price_chart import PriceChart
from dashboard.selection import select_firm
from dashboard.student import SIDES, StudentBehaviour, firm_view, place_order
from market.orders import OrderRejected

#: Treatments a teacher can switch between: name -> policy select entry.
TREATMENTS: dict[str, str] = {
    "grandfathering": "flat-grandfathering",
    "benchmarking": "flat-benchmarking",
    "auction": "auction",
    AS_IN_SCENARIO: AS_IN_SCENARIO,
}
SCENARIOS = ("paper", "classroom", "classroom-12")
TABLES = ("rounds", "firms", "trades")


def treatments(scenario: str = "paper") -> dict[str, str]:
    """The treatments on offer on ``scenario``: the learned regulator only where it fits."""
    learned = {"learned regulator": LEARNED} if learned_available(scenario) else {}
    return {**TREATMENTS, **learned}


@dataclass(frozen=True)
class Settings:
    """The teacher's choices for a session."""

    scenario: str = "paper"
    treatment: str = "grandfathering"
    seed: int = 0
    firm: int = 0


@dataclass
class Session:
    """One student's market: the firm they play and its coins at the start."""

    settings: Settings
    market: DashboardMarket
    firm: int
    behaviour: StudentBehaviour
    start_coins: float


def new_session(settings: Settings) -> Session:
    """A fresh market for the settings, with the student's firm handed to the student.

    Raises:
        ValueError: the treatment is unknown, the seed negative, the firm index outside the
            scenario's firms, or the scenario rejects the combination (the message names the
            field and its allowed values).
    """
    offered = treatments(settings.scenario)
    if settings.treatment not in offered:
        raise ValueError(f"treatment: {settings.treatment!r} is not one of {', '.join(offered)}")
    market = DashboardMarket(
        settings.scenario, policy=offered[settings.treatment], seed=settings.seed
    )
    if market.validation_error is not None:
        raise ValueError(market.validation_error)
    if not 0 <= settings.firm < market.enterprises.n:
        raise ValueError(f"firm: {settings.firm} must be in [0, {market.enterprises.n - 1}]")
    behaviour = StudentBehaviour()
    market.assign_behaviour(settings.firm, behaviour)
    start = float(market.accounts.total_coins()[settings.firm])
    return Session(settings, market, settings.firm, behaviour, start)


def session_csv(market: DashboardMarket, table: str) -> str:
    """One of the session's tables as CSV: ``rounds``, ``firms`` (per round) or ``trades``."""
    dc = market.datacollector
    if table == "rounds":
        return market.history().to_csv(index=False)
    if table == "firms":
        return dc.get_agent_vars_dataframe().reset_index().to_csv(index=False)
    if table == "trades":
        return dc.get_table_dataframe("trades").to_csv(index=False)
    raise ValueError(f"table: {table!r} is not one of {', '.join(TABLES)}")


@solara.component
def TeacherCard(session: Session, on_restart: Callable[[Settings], str | None]):
    """The teacher's controls: scenario, treatment, seed, the student's firm; CSV downloads.

    ``on_restart`` starts a session with the chosen settings and returns why it could not
    (shown on the card; the running session then goes on), or None.
    """
    draft = solara.use_reactive(session.settings)
    seed, set_seed = solara.use_state(str(session.settings.seed))
    firm, set_firm = solara.use_state(str(session.settings.firm))
    problem, set_problem = solara.use_state(None)

    def start() -> None:
        try:
            chosen = _replace(
                draft.value,
                seed=whole_number("seed", seed),
                firm=whole_number("student's firm", firm),
            )
        except ValueError as err:
            set_problem(str(err))
            return
        set_problem(on_restart(chosen))

    with solara.Card("Teacher", margin=0):
        solara.Select(
            "scenario",
            value=draft.value.scenario,
            values=list(SCENARIOS),
            on_value=lambda v: draft.set(_scenario_chosen(draft.value, v)),
        )
        solara.Select(
            "treatment",
            value=draft.value.treatment,
            values=list(treatments(draft.value.scenario)),
            on_value=lambda v: draft.set(_replace(draft.value, treatment=v)),
        )
        solara.InputText("seed", value=seed, on_value=set_seed, continuous_update=True)
        solara.InputText("student's firm", value=firm, on_value=set_firm, continuous_update=True)
        solara.Button(
            "Start a new session",
            color="primary",
            on_click=start,
        )
        if problem is not None:
            solara.Error(f"No new session: {problem}. The current session goes on.")
        with solara.Row():
            for table in TABLES:
                solara.FileDownload(
                    lambda table=table: session_csv(session.market, table),
                    filename=f"session_{table}.csv",
                    label=f"{table}.csv",
                )


def _scenario_chosen(settings: Settings, scenario: str) -> Settings:
    """The settings after choosing ``scenario``: a treatment it does not offer becomes the first."""
    offered = treatments(scenario)
    treatment = settings.treatment if settings.treatment in offered else next(iter(offered))
    return _replace(settings, scenario=scenario, treatment=treatment)


def _replace(settings: Settings, **changes) -> Settings:
    return Settings(**{**settings.__dict__, **changes})


@solara.component
def StudentCard(session: Session):
    """The student's firm: what it holds and is worth, its decisions and its orders."""
    update_counter.get()
    market, firm, behaviour = session.market, session.firm, session.behaviour
    message, set_message = solara.use_state(None)
    side, set_side = solara.use_state("buy")
    cfg = market.config
    price, set_price = solara.use_state(str((cfg.price_floor + cfg.price_ceiling) // 2))
    quantity, set_quantity = solara.use_state("1")
    view = firm_view(market, firm, session.start_coins)

    def submit():
        try:
            ticks, allowances = whole_number("price", price), whole_number("quantity", quantity)
        except ValueError as err:
            set_message(("rejected", f"order not placed: {err}"))
            return
        try:
            set_message(("ok", place_order(market, firm, side, ticks, allowances)))
        except OrderRejected as err:
            set_message(("rejected", f"order rejected: {err}"))
        force_update()

    def cancel(order_id: int):
        market.cancel_order(order_id)
        set_message(("ok", f"order {order_id} cancelled"))
        force_update()

    with solara.Card(f"Your firm: firm {firm}", margin=0):
        solara.Markdown(
            f"coins **{view.coins:.1f}** (profit {view.profit:+.1f}) · allowances "
            f"**{view.allowances:.1f}** ({view.free_allowances:.1f} free) · emission rate "
            f"{view.emission_rate:.3f} t/unit · emitted this year {view.emissions_this_year:.1f} t"
            f" · short {view.shortfall:.1f} t  \n"
            f"one more allowance is worth **{view.value_of_buying:.1f}** coins to you; selling "
            f"one costs you **{view.cost_of_selling:.1f}**"
        )
        if cfg.production:
            share_slider(
                "production (share of capacity)",
                behaviour.production_share,
                lambda v: setattr(behaviour, "production_share", v),
                0.1,
            )
            solara.Checkbox(
                label="R&D each round",
                value=behaviour.do_research,
                on_value=lambda v: setattr(behaviour, "do_research", v),
            )
            solara.Checkbox(
                label="buy green projects",
                value=behaviour.buy_offsets,
                on_value=lambda v: setattr(behaviour, "buy_offsets", v),
            )
        solara.Markdown(
            f"**Place an order** (price ticks {cfg.price_floor} to {cfg.price_ceiling})"
        )
        solara.ToggleButtonsSingle(value=side, values=list(SIDES), on_value=set_side)
        with solara.Columns([1, 1]):
            solara.InputText("price", value=price, on_value=set_price, continuous_update=True)
            solara.InputText(
                "quantity", value=quantity, on_value=set_quantity, continuous_update=True
            )
        solara.Button("Place order", color="primary", on_click=submit)
        if message is not None:
            kind, text = message
            (solara.Error if kind == "rejected" else solara.Info)(text)
        for order in market.book.open_orders(firm):
            with solara.Row():
                solara.Text(
                    f"order {order.order_id}: {'buy' if order.side == 0 else 'sell'} "
                    f"{order.quantity} at {order.price}, expires round {order.expires_round + 1}"
                )
                solara.Button("Cancel", small=True, on_click=lambda i=order.order_id: cancel(i))


@solara.component
def Classroom():
    """Page: one student's market (its own per browser session)."""
    first = solara.use_memo(lambda: new_session(Settings()), [])
    current = solara.use_reactive(first)
    session = current.value
    solara.use_effect(lambda: select_firm(session.firm), [session])
    update_counter.get()
    market = session.market

    def restart(settings: Settings) -> str | None:
        try:
            current.set(new_session(settings))
        except ValueError as err:
            return str(err)
        return None

    def step(rounds: int) -> None:
        for _ in range(rounds):
            if market.running:
                market.step()
        force_update()

    solara.Title("Carbon market: classroom")
    with solara.Row():
        solara.Button(
            "Next round", color="primary", on_click=lambda: step(1), disabled=not market.running
        )
        solara.Button("Next 10 rounds", on_click=lambda: step(10), disabled=not market.running)
        solara.Text(
            f"round {market.steps} of {market.config.steps_per_year * market.config.years} · "
            f"year {market.year + 1} · policy {policy_label(market.government.policy.name)}"
        )
    with solara.Columns([1, 1]):
        with solara.Column():
            StudentCard(session)
            TeacherCard(session, restart)
        with solara.Column():
            OrderBook(market)
            PriceChart(market)
