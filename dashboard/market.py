"""The market the dashboard shows: a CarbonMarket built from the dashboard's controls.

Reset rebuilds the market from the sidebar's settings (:class:`~dashboard.settings.Controls`),
so :class:`DashboardMarket` takes every control as a keyword with a default. A combination the
scenario rejects never raises here: the market is then the default ``paper`` market, stopped
(``running`` is False, so Step and Play are disabled), and :attr:`validation_error` holds the
message that names the key and its allowed range, which the page shows.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from agents.registry import make_behaviour
from dashboard.policy_choice import AS_IN_SCENARIO, DEFAULT_POLICY, learned_firms, policy_value
from dashboard.vega import dataset
from market.config import MarketConfig
from market.theory import competitive_equilibrium
from model import CarbonMarket, ScenarioError, load_scenario
from model.datacollection import MEASURES

#: The key parameters' starting values: the scenario defaults (the paper's values).
DEFAULTS = MarketConfig()

#: Firm behaviour mixes: the select entry and the behaviours dealt to the firms in turn.
BEHAVIOUR_MIXES: dict[str, tuple[str, ...]] = {
    AS_IN_SCENARIO: (),
    "rule-based": ("rule-based",),
    "zi-c": ("zi-c",),
    "zi-u": ("zi-u",),
    "truthful": ("truthful",),
    "rule-based + zi-c": ("rule-based", "zi-c"),
    "rule-based + zi-c + truthful": ("rule-based", "zi-c", "truthful"),
    "learned (trained on this scenario)": ("learned",),
    "rule-based + learned": ("rule-based", "learned"),
}
#: The mixes with learned firms (offered only where the shipped firm policy fits).
LEARNED_MIXES = frozenset(name for name, mix in BEHAVIOUR_MIXES.items() if "learned" in mix)


def market_overrides(
    scenario: str,
    policy: str,
    custom_parameters: bool,
    penalty: float,
    price_ceiling: int,
    budget: float,
    climate_coefficient: float,
    banking: bool,
) -> dict[str, Any]:
    """The scenario overrides the controls stand for.

    The key-parameter sliders apply only with ``custom_parameters``; otherwise the scenario's
    own values hold (a textbook market's ceiling and penalty differ from the paper's).
    """
    overrides: dict[str, Any] = {}
    chosen = policy_value(policy, scenario)
    if chosen is not None:
        overrides["policy"] = chosen
    if custom_parameters:
        overrides.update(
            penalty=penalty,
            price_ceiling=price_ceiling,
            budget=budget,
            climate_coefficient=climate_coefficient,
            banking=banking,
        )
    return overrides


def firm_policy(scenario: str, behaviour: str) -> dict[str, Any]:
    """The ``enterprise_policy`` override a mix with learned firms needs on ``scenario``.

    Raises:
        ScenarioError: no shipped firm policy was trained on ``scenario``.
    """
    if behaviour not in LEARNED_MIXES:
        return {}
    trained = learned_firms(scenario)
    if trained is None:
        raise ScenarioError(
            f"behaviour: {behaviour!r} needs firms trained on {scenario!r}; none are shipped"
        )
    return {"enterprise_policy": str(trained)}


def check_controls(scenario: str, behaviour: str, seed: int, **overrides: Any) -> None:
    """Validate the controls without building a market.

    Raises:
        ScenarioError: a value (the seed included) is out of range or the combination is
            impossible; the message names the key.
    """
    if behaviour not in BEHAVIOUR_MIXES:
        raise ScenarioError(f"behaviour: {behaviour!r} is not one of {', '.join(BEHAVIOUR_MIXES)}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ScenarioError(f"seed: {seed!r} must be a whole number >= 0")
    load_scenario(scenario, **overrides)


class DashboardMarket(CarbonMarket):
    """A CarbonMarket built from the dashboard's controls (every argument has a default).

    Args:
        scenario: a shipped scenario name.
        policy: an entry of the policy select (a policy name, ``learned`` or
            :data:`~dashboard.policy_choice.AS_IN_SCENARIO`).
        behaviour: an entry of :data:`BEHAVIOUR_MIXES`.
        seed: random seed.
        custom_parameters: apply the sliders below instead of the scenario's own values.
        penalty: fine per missing allowance (coins/t).
        price_ceiling: highest price tick (coins per allowance).
        budget: allowances the government may issue over the episode.
        climate_coefficient: weight of over-emission in welfare.
        banking: unused allowances carry over to the next year.
        n_firms: resize the scenario's firms (benchmarks; None keeps them).

    Attributes:
        validation_error: why the controls were rejected, or None.
    """

    def __init__(
        self,
        scenario: str = "paper",
        policy: str = DEFAULT_POLICY,
        behaviour: str = AS_IN_SCENARIO,
        seed: int = 0,
        custom_parameters: bool = False,
        penalty: float = DEFAULTS.penalty,
        price_ceiling: int = DEFAULTS.price_ceiling,
        budget: float = DEFAULTS.budget,
        climate_coefficient: float = DEFAULTS.climate_coefficient,
        banking: bool = DEFAULTS.banking,
        n_firms: int | None = None,
    ) -> None:
        overrides = market_overrides(
            scenario,
            policy,
            custom_parameters,
            penalty,
            price_ceiling,
            budget,
            climate_coefficient,
            banking,
        )
        if n_firms is not None:
            overrides["n_firms"] = n_firms
        self.validation_error: str | None = None
        try:
            overrides.update(firm_policy(scenario, behaviour))
            check_controls(scenario, behaviour, seed, **overrides)
        except ScenarioError as err:
            self.validation_error = str(err)
            scenario, behaviour, seed, overrides = "paper", AS_IN_SCENARIO, 0, {}
        super().__init__(scenario, seed=int(seed), **overrides)
        self._deal_behaviours(BEHAVIOUR_MIXES[behaviour])
        if self.validation_error is not None:
            self.running = False
        self._history: tuple[int, pd.DataFrame] | None = None
        #: Per label set of :meth:`series_rows`: rows encoded so far, their JSON text chunks.
        self._encoded: dict[tuple, tuple[int, list[str]]] = {}

    def step(self) -> None:
        """Play one round; a market whose controls were rejected does not play."""
        if self.validation_error is None:
            super().step()

    def _deal_behaviours(self, mix: tuple[str, ...]) -> None:
        """Give the firms the mix's behaviours in turn (firm 0 the first, firm 1 the next...)."""
        if not mix:
            return
        behaviours = [make_behaviour(name, self.config) for name in mix]
        self.assign_behaviours(
            dict(zip(range(len(self.firms)), itertools.cycle(behaviours), strict=False))
        )

    def history(self) -> pd.DataFrame:
        """The per-round model data (one row per round, column ``round``), cached per step."""
        if self._history is None or self._history[0] != self.steps:
            frame = self.datacollector.get_model_vars_dataframe()
            self._history = (self.steps, frame.astype({"round": int}))
        return self._history[1]

    def series(self, labels: Mapping[str, str]) -> dict[str, np.ndarray]:
        """Every round's ``round`` and the measures ``labels`` names, each under its label.

        One row per round recorded (row 0: the state before the first round, as in
        :meth:`history`); missing values (no trade yet...) are nan. The columns are read-only
        views of the model's records (``model.records.MEASURES``), so reading them costs
        nothing however long the episode.
        """
        records = self.datacollector.records
        table = records.measures[: records.rows].view()
        table.flags.writeable = False
        column = {name: table[:, i] for i, name in enumerate(MEASURES)}
        return {"round": column["round"].astype(int)} | {
            label: column[name] for name, label in labels.items()
        }

    def series_rows(self, labels: Mapping[str, str]) -> str:
        """:meth:`series` as a chart's dataset: the JSON text of one object per round.

        A recorded round never changes, so each round's row is encoded once and kept: a step
        encodes its own row, not the episode's (:func:`dashboard.vega.dataset` for the rest).
        """
        key = tuple(labels.items())
        encoded, chunks = self._encoded.get(key, (0, []))
        columns = self.series(labels)
        rows = len(columns["round"])
        if rows > encoded:
            new = dataset({name: column[encoded:] for name, column in columns.items()})
            chunks = [*chunks, new[1:-1]]  # the new rows without the list's brackets
            self._encoded[key] = (rows, chunks)
        return f"[{','.join(chunks)}]"

    def equilibrium_price(self) -> float | None:
        """The competitive-equilibrium price p* of this year's allowances (textbook only).

        Returns:
            p* in coins per allowance, or None in the paper economy (firms produce).
        """
        if self.config.production:
            return None
        allocations = self.government.allocations
        cap = float(allocations[-1].sum()) if allocations else float(self.scenario_allocation.sum())
        ent = self.enterprises
        return competitive_equilibrium(
            ent.baseline_emissions, ent.abatement_cost, cap, self.config.penalty
        ).price

    def firm_columns(self) -> dict[str, np.ndarray]:
        """What the firm table shows, one array per column, firm by firm.

        Columns: ``firm`` (index), ``behaviour``, ``coins``, ``allowances``, ``emission_rate``
        (t/unit), ``output`` (units/round), ``emissions_this_year`` (t), ``open_orders``.
        """
        ent, acc = self.enterprises, self.accounts
        return {
            "firm": np.arange(ent.n),
            "behaviour": np.asarray(self.behaviour_names),
            "coins": acc.total_coins(),
            "allowances": acc.total_allowances(),
            "emission_rate": ent.emission_rate,
            "output": ent.output,
            "emissions_this_year": ent.ytd_emissions,
            "open_orders": self.book.open_counts(),
        }
