"""The dashboard's sidebar: Reset / Play / Step, and the settings Reset builds a market from.

:class:`MarketController` reads ``running`` from the market at every render, so Play and Step
are disabled exactly while the market cannot play: after a Reset the scenario rejected, and
at the end of the episode. :class:`SettingsPanel` edits a :class:`~dashboard.settings.Controls`;
its selects offer only what fits the chosen scenario, and every slider shows its value.
"""

from __future__ import annotations

import time

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from agents.registry import policy_descriptions
from dashboard.market import DashboardMarket
from dashboard.policy_choice import AS_IN_SCENARIO, LEARNED, policy_choices, scenario_policy
from dashboard.settings import SLIDERS, Controls, behaviour_choices
from market.scenario_files import shipped_scenarios

PLAY_PAUSE_MS = 100  # pause between updates while playing, at first


@solara.component
def MarketController(market: solara.Reactive[DashboardMarket], controls: Controls):
    """Reset (a new market from ``controls``), Play / Pause and Step.

    Step plays ``rounds per update`` rounds; Play does so every ``pause`` milliseconds until
    paused or until the episode ends.
    """
    update_counter.get()
    playing = solara.use_reactive(False)
    pause_ms = solara.use_reactive(PLAY_PAUSE_MS)
    rounds = solara.use_reactive(1)
    model = market.value

    def advance() -> None:
        for _ in range(rounds.value):
            if not model.running:
                break
            model.step()

    def play() -> None:
        while playing.value and model.running:
            time.sleep(pause_ms.value / 1000)
            advance()
            force_update()
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, model], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        market.set(controls.market())

    def step() -> None:
        advance()
        force_update()

    with solara.Card("Run", margin=0):
        solara.SliderInt(
            f"pause while playing: {pause_ms.value} ms",
            value=pause_ms,
            min=0,
            max=1000,
            step=50,
        )
        solara.SliderInt(f"rounds per update: {rounds.value}", value=rounds, min=1, max=50)
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button(
                "Pause" if playing.value else "Play",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                disabled=not model.running,
            )
            solara.Button(
                "Step", color="primary", on_click=step, disabled=playing.value or not model.running
            )
        if not model.running:
            why = "the settings were rejected" if model.validation_error else "the episode is over"
            solara.Text(f"Play and Step are off: {why}. Press Reset to start again.")


def policy_description(choice: str) -> str:
    """What a policy select entry does, in a line."""
    if choice == LEARNED:
        return "the shipped regulator (PPO), trained on this scenario"
    return policy_descriptions()[choice]


@solara.component
def SettingsPanel(controls: solara.Reactive[Controls]):
    """The settings Reset applies: scenario, policy, firm behaviours, seed, key parameters."""
    value = controls.value

    def change(**changes) -> None:
        controls.set(controls.value.replace(**changes))

    own = scenario_policy(value.scenario)
    chosen = own if value.policy == AS_IN_SCENARIO else value.policy
    with solara.Card("Settings (applied by Reset)", margin=0):
        solara.Select(
            "scenario",
            value=value.scenario,
            values=shipped_scenarios(),
            on_value=lambda name: controls.set(controls.value.with_scenario(name)),
        )
        solara.Select(
            f"government policy ({AS_IN_SCENARIO}: {own})",
            value=value.policy,
            values=policy_choices(value.scenario),
            on_value=lambda name: change(policy=name),
        )
        solara.Text(policy_description(chosen))
        solara.Select(
            "firm behaviour mix",
            value=value.behaviour,
            values=behaviour_choices(value.scenario),
            on_value=lambda mix: change(behaviour=mix),
        )
        solara.SliderInt(
            f"seed: {value.seed}",
            value=value.seed,
            min=0,
            max=99,
            on_value=lambda v: change(seed=v),
        )
        solara.Checkbox(
            label="apply the sliders below (off: the scenario's own values)",
            value=value.custom_parameters,
            on_value=lambda on: change(custom_parameters=on),
        )
        scenario_values = Controls.for_scenario(value.scenario)
        for name, slider in SLIDERS.items():
            lo, hi = slider.bounds(getattr(scenario_values, name))
            widget = solara.SliderInt if slider.whole else solara.SliderFloat
            widget(
                slider.text(getattr(value, name)),
                value=getattr(value, name),
                min=lo,
                max=hi,
                step=slider.step,
                on_value=lambda v, name=name: change(**{name: v}),
                disabled=not value.custom_parameters,
            )
        solara.Checkbox(
            label="banking",
            value=value.banking,
            on_value=lambda on: change(banking=on),
            disabled=not value.custom_parameters,
        )
