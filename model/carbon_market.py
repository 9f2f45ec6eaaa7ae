"""CarbonMarket: the Mesa model of an emissions-trading market (MODEL.md).

One model step is one trading round; a compliance year has ``steps_per_year`` rounds and an
episode ``years`` years. A round reads like the paper's description:

1. at the first round of a year the government allocates allowances (and auctions some);
2. orders past their duration expire; R&D that has matured lowers emission rates;
3. firms produce, do R&D and complete green projects;
4. firms post orders on the continuous double auction, in random order;
5. at the last round of a year the book is cleared (all escrow refunded) and every firm
   settles compliance: it abates where cheaper than the penalty, surrenders allowances and
   pays the penalty for each tonne still uncovered.

The agents decide and the market applies: every behaviour and the government's policy read
the read-only :attr:`CarbonMarket.view` and return decisions (:mod:`agents.decisions`); this
class is the only writer of the market's state. From outside, a person or a trained regulator
acts through :meth:`CarbonMarket.submit_order`, :meth:`CarbonMarket.cancel_order`,
:meth:`CarbonMarket.set_levers` and :meth:`CarbonMarket.assign_behaviour`.

The year's allocation and settlement are :mod:`model.compliance_year`'s, the phases played
from Python for behaviours written in Python :mod:`model.phases`'s, the behaviour groups
:mod:`model.behaviour_groups`'; the market's counters are its row of tallies
(:mod:`market.tallies`).
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents.behaviours import Behaviour
from agents.decisions import Levers
from agents.enterprise import Enterprise
from agents.government import Government
from agents.registry import check_behaviour_names, make_behaviour, make_policy
from market import book_kernels
from market import tallies as tally
from market.accounts import Accounts
from market.enterprises import Enterprises
from market.firm_table import episode_firms
from market.lanes import MarketArrays
from market.order_book import OrderBook
from market.orders import OrderRejected, Side, as_integer
from market.random_kernels import export_state
from market.scenario import Scenario
from market.shocks import EpisodeShocks, draw_shocks, episode_scenario
from model.behaviour_groups import (
    compiled_groups,
    group_firms,
    learned_groups,
    with_learned_share,
)
from model.compliance_year import ComplianceYear
from model.datacollection import Ledger, MarketDataCollector
from model.efficiency import EfficiencyTracker
from model.phases import PythonPhases
from model.round_kernel import OUTPUT_PRICE, params_of, play_recorded_round, play_round
from model.run_state import RunState, Tallied, price_or_none
from model.validation import read_scenario
from model.view import MarketReader
from model.year_kernels import empty_years


class CarbonMarket(ComplianceYear, PythonPhases, mesa.Model):
    """An emissions-trading market with enterprises, a government and an order book.

    Args:
        scenario: a shipped scenario name (``"paper"``), a path to a TOML file, or a
            :class:`~market.scenario.Scenario`.
        seed: random seed; the same seed gives the same trajectory.
        lane: ``(arrays, b)`` to build the market into lane ``b`` of a batch's arrays
            (:class:`model.batch.MarketBatch` does); by default it has arrays of its own.
        shocks: the episode's shocks, when already drawn from this scenario and seed
            (``market.shocks.draw_shocks``: a batch draws them to group its lanes by number
            of firms); by default the market draws them.
        **overrides: scenario keys to change, e.g. ``penalty=50``, ``policy="equal"``,
            ``n_firms=100``, ``years=3``.

    Attributes:
        scenario: the frozen scenario the market plays: the one it was built from, with the
            episode's drawn number of firms and R&D success probability (``[shocks]``).
        shocks: what the episode drew from the seed (:class:`market.shocks.EpisodeShocks`).
        output_price: this year's output price (coins per unit).
        config: the scenario's ``[market]`` table.
        run: what the run changes of the government's side (budget, floor, levers, records).
        view: the read-only view every behaviour and policy decides from.
        tally: the market's running totals and round results, its row of
            ``arrays.tallies`` (:mod:`market.tallies`); ``revenue``, ``research_spent``,
            ``allowances_issued``, ``allowances_expired``, ``penalties_paid``,
            ``abatement_spent``, ``rejected_orders``, ``round_price``, ``round_volume``,
            ``round_emissions`` and ``expected_price`` read and write it.
        year_table: every settled year, one row each (``model.year_kernels.YEAR_COLUMNS``).

    Raises:
        ScenarioError: a key is unknown or a value out of range (the message names it).
        ValueError: the seed is not an integer >= 0.
    """

    #: A plain attribute, set in ``__init__``: it shadows the ``scenario`` property of Mesa
    #: 3.5's own experiment class, which this market does not use.
    scenario: Scenario | None = None

    revenue = Tallied(tally.REVENUE)
    research_spent = Tallied(tally.RESEARCH_SPENT)
    allowances_issued = Tallied(tally.ISSUED)
    allowances_expired = Tallied(tally.EXPIRED)
    penalties_paid = Tallied(tally.PENALTIES)
    abatement_spent = Tallied(tally.ABATEMENT)
    rejected_orders = Tallied(tally.REFUSED, int)
    round_price = Tallied(tally.ROUND_PRICE)
    round_volume = Tallied(tally.ROUND_VOLUME, int)
    round_emissions = Tallied(tally.ROUND_EMISSIONS)
    expected_price = Tallied(tally.EXPECTED, price_or_none)
    _year_value = Tallied(tally.YEAR_VALUE)
    _year_volume = Tallied(tally.YEAR_VOLUME)
    _trades_seen = Tallied(tally.TRADES_SEEN, int)  # trades in the ledger and a round's price

    def __init__(
        self,
        scenario: str | Path | Scenario = "paper",
        seed: int | None = None,
        *,
        lane: tuple[MarketArrays, int] | None = None,
        shocks: EpisodeShocks | None = None,
        **overrides: Any,
    ) -> None:
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
        ):
            raise ValueError(f"seed: {seed!r} is not allowed; it must be an integer >= 0")
        super().__init__(rng=seed)  # an integer seeds Mesa's generators as `seed=` did
        loaded = read_scenario(scenario, **overrides)
        # The episode's shocks come from a stream of their own under the market's seed.
        if shocks is None:
            shocks = draw_shocks(loaded, self.rng.bit_generator.seed_seq.entropy)
        self.shocks = shocks
        self.scenario = episode_scenario(loaded, self.shocks)
        check_behaviour_names(self.scenario)
        self.config = cfg = self.scenario.market
        self._params = params_of(cfg)
        self.output_price = self.shocks.output_price[0]
        table, budget = episode_firms(self.scenario, self.shocks.research_ability_factor, self.rng)
        arrays, b = lane or (MarketArrays.empty(1, len(table.coins), cfg), 0)
        self.arrays, self.lane, self.tally = arrays, b, arrays.tallies[b]
        self.run = RunState(budget, cfg.price_floor, self.tally)
        self.year_table = empty_years(1, cfg.years)[0]
        self.accounts = Accounts.over(arrays.accounts[b])
        self.accounts.coins[:] = table.coins
        self.initial_coins = self.accounts.coins.copy()
        self.enterprises = Enterprises(
            cfg,
            self.accounts,
            capacity=table.capacity,
            research_ability=table.research_ability,
            emission_rate=table.emission_rate,
            baseline_emissions=table.baseline_emissions,
            abatement_cost=table.abatement_cost,
            sector=table.sector,
            arrays=arrays.firms,
            lane=b,
        )
        self.scenario_allocation = np.nan_to_num(table.allocation)
        self._round_room = len(table.coins) * (1 + cfg.max_orders)  # trades a round can make
        self.book = OrderBook(
            self.accounts,
            price_floor=cfg.price_floor,
            price_ceiling=cfg.price_ceiling,
            order_duration=cfg.order_duration,
            max_orders=cfg.max_orders,
            batch=(arrays.book, arrays.accounts, b),
        )
        self.firms = [
            Enterprise(self, i, behaviour) for i, behaviour in enumerate(self._behaviours(table))
        ]
        # From here on the market draws from its generator's state as the kernels hold it.
        arrays.rng[b] = export_state(self.rng)
        self.rng_state = arrays.rng[b]
        self.firm_ids = [firm.unique_id for firm in self.firms]
        self.government = Government(self, make_policy(self.scenario))

        self.year, self.round_in_year, self.year_ended = 0, 0, False
        self.efficiency = EfficiencyTracker(self.enterprises, self.accounts, cfg.penalty)
        self.view = MarketReader(self)
        self._group_firms()
        self.datacollector = MarketDataCollector(
            cfg.firm_data,
            self.firm_ids,
            Ledger(self.book.trades, cfg.steps_per_year, self.tally),
            self.enterprises.sector,
        )
        self.datacollector.collect(self)
        self.observe()

    def _behaviours(self, table: Any) -> list[Behaviour]:
        """Each firm's behaviour; firms naming the same behaviour share one object.

        With ``learned_share`` a seeded draw makes that share of the firms learned.
        """
        names = with_learned_share(table.behaviour, self.config.learned_share, self.rng)
        shared = {name: make_behaviour(name, self.config) for name in dict.fromkeys(names)}
        return [shared[name] for name in names]

    # ------------------------------------------------------------------ the round

    def step(self) -> None:
        """Play one trading round (Mesa counts ``self.steps`` from 1)."""
        round_ = self.steps - 1
        self.year, self.round_in_year = divmod(round_, self.config.steps_per_year)
        self.year_ended = self.round_in_year == self.config.steps_per_year - 1
        if self.round_in_year == 0:
            self.start_year()
        recorded = False
        if self._compiled_groups is not None:
            recorded = self.play_compiled(round_)
        else:  # the same phases, one by one, for behaviours written in Python
            self.play_phases(round_)
        if self.year_ended:
            self.end_year()
        if not recorded:
            self.measure()
        elif self._learned:
            self.observe()

    def play_compiled(self, round_: int) -> bool:
        """Expiry to expectation in one compiled call (:func:`model.round_kernel.play_round`).

        Learned firms' actions for the round go into the groups' action array first. A
        round that ends no year, in a market that tracks no textbook efficiency, is recorded
        in the same call (nothing between its play and its records needs Python).

        Returns:
            Whether the round's measures were recorded.
        """
        book = self.book.arrays
        if book.trades.shape[1] - book.meta[self.lane, book_kernels.N_TRADES] < self._round_room:
            book.make_room(self._round_room)
        arrays = self._kernel_arrays
        for behaviour, firms in self._learned:
            self._learned_actions[firms] = behaviour.current_actions(firms)
        if arrays[4][-1] is not book.trades:  # grown here or by the batch
            arrays = self._kernel_arrays = self._lane_arrays()
        if not self.year_ended and not self.efficiency.active:
            collector = self.datacollector
            records = collector.records
            row, firm_row = collector.next_rows(self)
            play_recorded_round(
                *arrays, records.measures, records.firms, round_, row, firm_row, self.year
            )
            collector.recorded(self, firm_row)
            return True
        play_round(*arrays, round_)
        self.efficiency.update()
        return False

    def _lane_arrays(self) -> tuple:
        """What the round kernel takes of the market, before the round: its lane and arrays."""
        arrays = self.arrays
        return (
            self.lane,
            self._compiled_groups,
            arrays.firms.as_tuple(),
            arrays.accounts,
            arrays.book.as_tuple(),
            self.rng_state,
            self._params,
            self.tally,
            arrays.scratch,
        )

    def measure(self) -> None:
        """Round end: record the round's measures and data; planning behaviours observe."""
        self.datacollector.collect(self)
        self.observe()

    # ------------------------------------------------------------------ acting from outside

    def submit_order(self, firm: int, side: Side | int, price: int, quantity: int) -> int:
        """A person's order for ``firm``, placed in the coming round.

        It trades at once where prices cross and expires ``order_duration`` rounds later.

        Returns:
            The order's id.

        Raises:
            OrderRejected: the side, price, quantity, order limit or the firm's coins or
                allowances do not allow it (the message names the field). No order may ask
                for more allowances than there are or can still be issued.
        """
        quantity = as_integer("quantity", quantity)
        run = self.run
        held = self.accounts.total_allowances().sum()
        most = int(held + run.green_projects_available + run.remaining_budget)
        if quantity > most:
            raise OrderRejected(
                f"quantity: {quantity} is outside the allowed [1, {most}] allowances "
                "(those the firms hold, the green projects on offer and the budget left)"
            )
        return self.book.submit(firm, side, price, quantity, self.steps)

    def cancel_order(self, order_id: int) -> bool:
        """Cancel an open order (its escrow is refunded); False if it is no longer open."""
        return self.book.cancel(order_id)

    def set_levers(self, levers: Levers) -> None:
        """The manual policy's levers for the coming year's allocation.

        Raises:
            ValueError: a lever is outside its range (the message names it).
        """
        levers.check(self.enterprises.n, self.config.price_ceiling)
        self.run.levers = levers

    def assign_behaviour(self, index: int, behaviour: Behaviour) -> None:
        """Give firm ``index`` another behaviour (e.g. a human player takes it over)."""
        self.assign_behaviours({index: behaviour})

    def assign_behaviours(self, behaviours: dict[int, Behaviour]) -> None:
        """Give several firms other behaviours at once, ``{firm index: behaviour}``."""
        for index, behaviour in behaviours.items():
            self.firms[index].behaviour = behaviour
        self._group_firms()
        self.observe()

    # ------------------------------------------------------------------ helpers

    def behaviour_groups(self) -> list[tuple[Behaviour, np.ndarray]]:
        """Each behaviour held in the market with the indices of the firms holding it."""
        return self._groups

    def observe(self) -> None:
        """Behaviours that plan ahead (learned firms) see the market as it stands."""
        for behaviour, firms in self._groups:
            behaviour.observe(self.view, firms)

    def _group_firms(self) -> None:
        self._groups = group_firms([firm.behaviour for firm in self.firms])
        self.behaviour_names = np.array([f.behaviour.name for f in self.firms], dtype=object)
        self._compiled_groups = compiled_groups(self._groups, self.enterprises.n)
        self._learned = learned_groups(self._groups)
        compiled = self._compiled_groups
        self._learned_actions = compiled[-1] if compiled is not None else None
        self._kernel_arrays = self._lane_arrays()

    @property
    def output_price(self) -> float:
        """This year's output price (coins per unit), as the round kernel reads it."""
        return float(self._params[OUTPUT_PRICE])

    @output_price.setter
    def output_price(self, price: float) -> None:
        self._params[OUTPUT_PRICE] = price

    @property
    def trades_in_ledger(self) -> int:
        """The book's trades that are in the ledger: those of the rounds played so far."""
        return self._trades_seen

    @property
    def measures(self) -> dict[str, float | int | None]:
        """The measures of the round just played (``model.records.MEASURES``)."""
        return self.datacollector.records.latest()

    def latest_measure(self, name: str) -> float | int | None:
        """One of the round's ``measures``, read without building the others."""
        return self.datacollector.records.latest_measure(name)

    @property
    def allocative_efficiency(self) -> float:
        """This year's allocative efficiency so far (textbook markets; else nan)."""
        return self.efficiency.current

    @property
    def efficiency_by_year(self) -> list[float]:
        """Every finished year's allocative efficiency (textbook markets)."""
        return self.efficiency.by_year

    @property
    def rounds_left(self) -> int:
        """Rounds of this compliance year after the current one."""
        return self.config.steps_per_year - 1 - self.round_in_year

    @property
    def rounds_left_episode(self) -> int:
        """Rounds of the episode after the current one."""
        return self.config.steps_per_year * self.config.years - self.steps

    @property
    def over_emission(self) -> float:
        """Tonnes emitted and never covered by an allowance, over all firms (final year too)."""
        return float(self.enterprises.over_emission.sum())

    @property
    def welfare(self) -> float:
        """Equality x productivity x exp(-c x over_emission), MODEL.md."""
        return float(self.latest_measure("welfare"))
