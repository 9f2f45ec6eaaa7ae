"""The Market panel: where the episode stands, the validation message, the manual levers.

:class:`ValidationMessage` shows why a combination was rejected; :class:`ManualLevers` sets
the ``manual`` policy's levers, which the government reads at the start of each year.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from agents.policies import ALLOCATION_RULES, ManualPolicy, rule_shares
from dashboard.market import DashboardMarket
from dashboard.policy_choice import policy_label


def share_slider(label: str, value: float, on_value: Callable[[float], None], step: float) -> None:
    """A slider over [0, 1] for a share, its value in its label, calling ``on_value``."""
    solara.SliderFloat(
        f"{label}: {value:.0%}", value=value, min=0, max=1, step=step, on_value=on_value
    )


@solara.component
def ValidationMessage(model: DashboardMarket):
    """The reason the controls were rejected, if they were (nothing otherwise)."""
    if model.validation_error is None:
        return
    solara.Error(
        f"These settings were not applied: {model.validation_error}. Change them and press Reset.",
        icon=True,
    )


@solara.component
def ManualLevers(model: DashboardMarket):
    """The manual policy's levers (only under the ``manual`` policy).

    Changes apply at the next year's allocation, the round whose ``round_in_year`` is 0.
    """
    update_counter.get()
    rule, set_rule = solara.use_state("equal")
    policy = model.government.policy
    if type(policy) is not ManualPolicy:  # a learned regulator sets these levers itself
        return

    levers = model.run.levers

    def change(**levers_changed: Any) -> None:
        model.set_levers(dataclasses.replace(model.run.levers, **levers_changed))

    def set_weights(name: str) -> None:
        set_rule(name)
        change(weights=rule_shares(model.view)[ALLOCATION_RULES.index(name)])

    with solara.Card("Government levers (manual policy)", margin=0):
        solara.Text(f"apply at the start of year {model.year + 2 if model.steps else 1}")
        share_slider(
            "release share of the budget",
            levers.release_share,
            lambda v: change(release_share=v),
            step=0.01,
        )
        solara.Select(
            "split between firms", value=rule, values=list(ALLOCATION_RULES), on_value=set_weights
        )
        share_slider(
            "auctioned share", levers.auction_share, lambda v: change(auction_share=v), step=0.05
        )
        floor = levers.price_floor if levers.price_floor is not None else model.run.price_floor
        solara.SliderInt(
            "price floor (ticks)",
            value=floor,
            min=0,
            max=model.config.price_ceiling - 1,
            on_value=lambda v: change(price_floor=int(v)),
        )


#: Rounds without a trade after which the Market panel says why nothing trades.
QUIET_ROUNDS = 10


def activity(model: DashboardMarket) -> str:
    """What the market is doing, in a sentence, so a quiet chart never looks broken.

    Says when the government released nothing this year (there is then nothing to trade
    until the next allocation), and otherwise how many trades there were, when the last one
    was and, after :data:`QUIET_ROUNDS` quiet rounds, why none happens now (the paper's
    five firms make a thin market).
    """
    cfg = model.config
    if model.steps == 0:
        return (
            "Press Play or Step: the government allocates at the start of each year, "
            "then the firms trade allowances in the order book."
        )
    trades = model.book.trades
    if model.measures["release"] == 0 and model.accounts.total_allowances().sum() == 0:
        next_round = cfg.steps_per_year * (model.year + 1) + 1
        later = (
            f"until the next allocation, in round {next_round}"
            if model.year + 1 < cfg.years
            else "in this last year"
        )
        return (
            f"The government released no allowances in year {model.year + 1}: "
            f"the firms hold none, so nothing trades {later}."
        )
    if not trades:
        return f"No trade yet: {why_no_trade(model)}."
    last = trades[-1].round + 1
    done = f"{len(trades):,} trades so far, the last in round {last}"
    if model.steps - last < QUIET_ROUNDS:
        return f"{done}."
    return f"{done}; none since, as {why_no_trade(model)}."


def why_no_trade(model: DashboardMarket) -> str:
    """Why the book is not trading now, from its best bid and best ask."""
    bid, _, ask, _ = model.book.level1()
    if bid is None and ask is None:
        return "no firm bids for or offers an allowance"
    if ask is None:
        return "no firm offers an allowance for sale"
    if bid is None:
        return "no firm bids for an allowance"
    return f"the best bid ({bid}) is below the best ask ({ask})"


@solara.component
def MarketStatus(model: DashboardMarket):
    """Panel: where the episode stands, the validation message and the manual levers."""
    update_counter.get()
    cfg = model.config
    policy = policy_label(model.government.policy.name)
    with solara.Card("Market", margin=0):
        solara.HTML(  # rendered in the browser; a Markdown panel would convert it every step
            unsafe_innerHTML=f"<b>{html.escape(model.scenario.name)}</b> · policy "
            f"<b>{html.escape(policy)}</b> · "
            f"round {model.measures['round']} of {cfg.steps_per_year * cfg.years} · "
            f"year {model.year + 1} of {cfg.years} · {model.enterprises.n:,} firms"
        )
        if model.validation_error is None:
            solara.Text(activity(model))
        ValidationMessage(model)
        ManualLevers(model)
