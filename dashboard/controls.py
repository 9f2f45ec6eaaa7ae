"""The dashboard's controls: model parameters, the validation message, the manual levers.

:func:`model_params` is Mesa SolaraViz's parameter table: Reset rebuilds the market from it.
:class:`ValidationMessage` shows why a combination was rejected; :class:`ManualLevers` sets
the ``manual`` policy's levers, which the government reads at the start of each year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization.utils import update_counter

from agents.policies import ALLOCATION_RULES, ManualPolicy, rule_shares
from dashboard.market import BEHAVIOUR_MIXES, DEFAULTS, DashboardMarket
from dashboard.policy_choice import DEFAULT_POLICY, policy_choices, policy_label
from market.scenario import shipped_scenarios


def share_slider(label: str, value: float, on_value: Callable[[float], None], step: float) -> None:
    """A slider over [0, 1] for a share, calling ``on_value`` as it moves."""
    solara.SliderFloat(label, value=value, min=0, max=1, step=step, on_value=on_value)


def model_params() -> dict[str, Any]:
    """SolaraViz ``model_params``: one input per :class:`DashboardMarket` argument."""
    return {
        "scenario": {
            "type": "Select",
            "value": "paper",
            "values": shipped_scenarios(),
            "label": "scenario",
        },
        "policy": {
            "type": "Select",
            "value": DEFAULT_POLICY,
            "values": policy_choices(),
            "label": "government policy",
        },
        "behaviour": {
            "type": "Select",
            "value": "as in scenario",
            "values": list(BEHAVIOUR_MIXES),
            "label": "firm behaviour mix",
        },
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "seed"},
        "custom_parameters": {
            "type": "Checkbox",
            "value": False,
            "label": "apply the sliders below (off: the scenario's own values)",
        },
        "penalty": {
            "type": "SliderFloat",
            "value": DEFAULTS.penalty,
            "min": 0,
            "max": 300,
            "step": 5,
            "label": "penalty (coins/t)",
        },
        "price_ceiling": {
            "type": "SliderInt",
            "value": DEFAULTS.price_ceiling,
            "min": 1,
            "max": 200,
            "step": 1,
            "label": "price ceiling (ticks)",
        },
        "budget": {
            "type": "SliderFloat",
            "value": DEFAULTS.budget,
            "min": 0,
            "max": 2000,
            "step": 10,
            "label": "budget (allowances)",
        },
        "climate_coefficient": {
            "type": "SliderFloat",
            "value": DEFAULTS.climate_coefficient,
            "min": 0,
            "max": 1,
            "step": 0.05,
            "label": "climate coefficient c",
        },
        "banking": {"type": "Checkbox", "value": DEFAULTS.banking, "label": "banking"},
    }


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


@solara.component
def MarketStatus(model: DashboardMarket):
    """Panel: where the episode stands, the validation message and the manual levers."""
    update_counter.get()
    cfg = model.config
    policy = policy_label(model.government.policy.name)
    with solara.Card("Market", margin=0):
        solara.Markdown(
            f"**{model.scenario.name}** · policy **{policy}** · "
            f"round {model.measures['round']} of {cfg.steps_per_year * cfg.years} · "
            f"year {model.year + 1} of {cfg.years} · {model.enterprises.n} firms"
        )
        ValidationMessage(model)
        ManualLevers(model)
