"""The dashboard's settings: what the sidebar holds and Reset builds a market from.

:class:`Controls` is one typed value per :class:`~dashboard.market.DashboardMarket` argument.
Choosing a scenario resets the policy to the scenario's own and the key-parameter sliders
to the scenario's values (a textbook market's ceiling and penalty are not the paper's), and
each slider's range is set around the scenario's value (:data:`SLIDERS`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dashboard.market import BEHAVIOUR_MIXES, DEFAULTS, LEARNED_MIXES, DashboardMarket
from dashboard.policy_choice import AS_IN_SCENARIO, learned_firms
from model import load_scenario


@dataclass(frozen=True)
class Slider:
    """A key-parameter slider: its label, unit, step and range.

    The range runs from ``lo`` to ``span`` times the scenario's value (at least ``hi``), so
    every scenario's own value is on the slider, whatever its scale.
    """

    label: str
    unit: str
    step: float
    lo: float
    hi: float
    span: float = 3.0
    whole: bool = False  # a whole-number key (SliderInt)

    def bounds(self, value: float) -> tuple[float, float]:
        """The slider's (min, max) when the scenario's value is ``value``."""
        top = max(self.hi, self.span * value)
        return self.lo, self.step * round(top / self.step)

    def text(self, value: float) -> str:
        """The label with the value, as the sidebar shows it (``penalty: 30 coins/t``)."""
        return f"{self.label}: {value:,.{_decimals(self.step)}f} {self.unit}".rstrip()


def _decimals(step: float) -> int:
    return 0 if float(step).is_integer() else len(f"{step:g}".split(".")[1])


#: The key-parameter sliders, by DashboardMarket argument.
SLIDERS: dict[str, Slider] = {
    "penalty": Slider("penalty", "coins/t", step=5, lo=0, hi=300),
    "price_ceiling": Slider("price ceiling", "coins", step=1, lo=1, hi=200, whole=True),
    "budget": Slider("budget", "allowances", step=10, lo=0, hi=2000),
    "climate_coefficient": Slider("climate coefficient c", "", step=0.05, lo=0, hi=1, span=1),
}


@dataclass(frozen=True)
class Controls:
    """The sidebar's values (see :class:`~dashboard.market.DashboardMarket` for each)."""

    scenario: str = "paper"
    policy: str = AS_IN_SCENARIO
    behaviour: str = AS_IN_SCENARIO
    seed: int = 0
    custom_parameters: bool = False
    penalty: float = DEFAULTS.penalty
    price_ceiling: int = DEFAULTS.price_ceiling
    budget: float = DEFAULTS.budget
    climate_coefficient: float = DEFAULTS.climate_coefficient
    banking: bool = DEFAULTS.banking

    @classmethod
    def for_scenario(cls, scenario: str, seed: int = 0, behaviour: str = AS_IN_SCENARIO):
        """The scenario's own policy and key parameters (the sliders show its values)."""
        cfg = load_scenario(scenario).market
        if behaviour not in behaviour_choices(scenario):
            behaviour = AS_IN_SCENARIO
        return cls(
            scenario=scenario,
            behaviour=behaviour,
            seed=seed,
            penalty=cfg.penalty,
            price_ceiling=cfg.price_ceiling,
            budget=cfg.budget,
            climate_coefficient=cfg.climate_coefficient,
            banking=cfg.banking,
        )

    def with_scenario(self, scenario: str) -> Controls:
        """The controls after choosing ``scenario``: its own values, the seed and mix kept."""
        return Controls.for_scenario(scenario, self.seed, self.behaviour)

    def replace(self, **changes) -> Controls:
        """These controls with some values changed."""
        return dataclasses.replace(self, **changes)

    def market(self) -> DashboardMarket:
        """The market these controls stand for (a stopped one with a message if rejected)."""
        return DashboardMarket(**dataclasses.asdict(self))


def behaviour_choices(scenario: str) -> list[str]:
    """The behaviour mixes offered on ``scenario``: the learned ones only where they fit."""
    fits = learned_firms(scenario) is not None
    return [mix for mix in BEHAVIOUR_MIXES if fits or mix not in LEARNED_MIXES]
