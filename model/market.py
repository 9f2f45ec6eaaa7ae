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
"""

from __future__ import annotations

import copy
from typing import Any

import mesa
import numpy as np

from agents.behaviours import Behaviour, make_behaviour
from agents.enterprise import Enterprise, Enterprises
from agents.government import Government
from agents.policies import make_policy
from agents.valuation import shortfalls, update_expectation, value_of_buying
from model import metrics
from model.accounts import Accounts
from model.datacollection import TRADE_COLUMNS, MarketDataCollector, measure_round
from model.firms import build_firms, episode_emissions_at_capacity
from model.order_book import OrderBook
from model.orders import OrderRejected, Side
from model.scenario import Scenario, ScenarioError, load_scenario
from model.theory import realised_compliance_cost, unit_permit_equilibrium

SIDES = tuple(Side)  # Side by its integer value


class CarbonMarket(mesa.Model):
    """An emissions-trading market with enterprises, a government and an order book.

    Args:
        scenario: a shipped scenario name (``"paper"``), a path to a TOML file, or a
            :class:`~model.scenario.Scenario`.
        seed: random seed; the same seed gives the same trajectory.
        **overrides: scenario keys to change, e.g. ``penalty=50``, ``policy="equal"``,
            ``n_firms=100``, ``years=3``.

    Raises:
        ScenarioError: a key is unknown or a value out of range (the message names it).
    """

    def __init__(
        self, scenario: str | Scenario = "paper", seed: int | None = None, **overrides: Any
    ) -> None:
        super().__init__(seed=seed)
        if isinstance(scenario, Scenario):
            if overrides:
                raise ScenarioError("overrides: pass a scenario name or path to use overrides")
            self.scenario = copy.deepcopy(scenario)  # levers may change this market's copy
        else:
            self.scenario = load_scenario(scenario, **overrides)
        self.config = cfg = self.scenario.market
        table = build_firms(self.scenario, self.rng)
        if self.scenario.generator is not None and self.scenario.generator.cap_share > 0:
            cfg.budget = self.scenario.generator.cap_share * episode_emissions_at_capacity(
                table, cfg.steps_per_year, cfg.years
            )
        self.accounts = Accounts(table.coins, np.zeros(len(table.coins)))
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
        )
        self.enterprises_allocation = np.nan_to_num(table.allocation)
        self.book = OrderBook(
            self.accounts,
            price_floor=cfg.price_floor,
            price_ceiling=cfg.price_ceiling,
            order_duration=cfg.order_duration,
            max_orders=cfg.max_orders,
        )
        behaviours = list(table.behaviour)
        if cfg.learned_share > 0:  # a seeded draw of the firms that act through the policy
            n_learned = int(np.floor(cfg.learned_share * len(behaviours) + 0.5))
            for index in self.rng.permutation(len(behaviours))[:n_learned]:
                behaviours[index] = "learned"
        shared = {
            name: make_behaviour(name, cfg.enterprise_policy) for name in dict.fromkeys(behaviours)
        }
        self.firms = [Enterprise(self, i, shared[name]) for i, name in enumerate(behaviours)]
        self.firm_ids = [firm.unique_id for firm in self.firms]
        self._group_firms()
        try:
            policy = make_policy(self.scenario.government)
        except ValueError as err:
            raise ScenarioError(str(err)) from None
        self.government = Government(self, policy, cfg.budget)

        self.year, self.round_in_year, self.year_ended = 0, 0, False
        self.expected_price: float | None = None
        self.green_projects_available = 0
        self.allowances_issued = 0.0
        self.allowances_expired = 0.0
        self.revenue = self.research_spent = self.penalties_paid = self.abatement_spent = 0.0
        self.round_price, self.round_volume, self.round_emissions = float("nan"), 0, 0.0
        self.rejected_orders = 0
        self._trades_seen = 0
        self._year_start_holdings: np.ndarray | None = None
        self._max_gains = float("nan")
        self.allocative_efficiency = float("nan")
        self.efficiency_by_year: list[float] = []
        self.compliance_by_year: list = []
        self.year_records: list[dict[str, float]] = []
        self._year_value = self._year_volume = 0.0
        self.measures = measure_round(self)
        self.datacollector = MarketDataCollector(cfg.firm_data)
        self.datacollector.collect(self)
        self.observe()

    # ------------------------------------------------------------------ the round

    def step(self) -> None:
        """Play one trading round (Mesa counts ``self.steps`` from 1)."""
        round_ = self.steps - 1
        self.year, self.round_in_year = divmod(round_, self.config.steps_per_year)
        self.year_ended = self.round_in_year == self.config.steps_per_year - 1
        if self.round_in_year == 0:
            self.start_year()
        self.book.expire(round_)
        self.enterprises.update_technology(round_)
        self.produce()
        self.invest(round_)
        self.trade(round_)
        self.record_trades()
        if self.year_ended:
            self.end_year()
        self.measures = measure_round(self)
        self.datacollector.collect(self)
        self.observe()

    def start_year(self) -> None:
        """The government allocates; textbook markets note the holdings trading starts from."""
        self.government.allocate()
        if not self.config.production:
            self._year_start_holdings = np.floor(self.accounts.total_allowances())
            self._max_gains = unit_permit_equilibrium(
                self.enterprises.baseline_emissions,
                self.enterprises.abatement_cost,
                self._year_start_holdings,
                self.config.penalty,
            ).max_gains_from_trade

    def produce(self) -> None:
        """Every firm produces what its behaviour decides; emissions accrue."""
        if not self.config.production:
            self.round_emissions = 0.0
            return
        before = self.enterprises.ytd_emissions.sum()
        self.revenue += self.enterprises.produce(self.decide("production"))
        self.round_emissions = float(self.enterprises.ytd_emissions.sum() - before)

    def invest(self, round_: int) -> None:
        """R&D attempts and green projects, as the behaviours decide."""
        if self.config.research:
            self.research_spent += self.enterprises.research(
                self.decide("research"), round_, self.rng
            )
        if self.green_projects_available > 0:
            done = self.enterprises.buy_offsets(
                self.decide("offsets"), self.green_projects_available, self.rng
            )
            self.green_projects_available -= done
            self.allowances_issued += done

    def trade(self, round_: int) -> None:
        """Collect every behaviour's quotes and submit them to the book in random order.

        A firm whose behaviour keeps one live quote withdraws its open orders just before it
        posts its new one, so everyone else's quotes from earlier rounds still stand.
        """
        quotes = [behaviour.quote(self, firms) for behaviour, firms in self.behaviour_groups()]
        # Plain Python lists and Side members: the loop below runs once per order, and
        # indexing numpy arrays there would convert every element on the way.
        firms, sides, prices, quantities = (
            np.concatenate([getattr(q, k) for q in quotes]).tolist()
            for k in ("firms", "side", "price", "quantity")
        )
        sides = [SIDES[side] for side in sides]
        book, max_orders = self.book, self.config.max_orders
        replaces = self._replaces_quotes.tolist()
        open_counts = book.open_counts().tolist()
        for i in self.rng.permutation(len(firms)).tolist():
            firm = firms[i]
            if replaces[firm] and open_counts[firm]:
                book.cancel_firm(firm)
            elif open_counts[firm] >= max_orders:
                continue
            try:
                book.submit(firm, sides[i], prices[i], quantities[i], round_)
            except OrderRejected:
                self.rejected_orders += 1

    def record_trades(self) -> None:
        """Add the round's trades to the ledger table; update price, volume and expectation."""
        new = self.book.trades[self._trades_seen :]
        self._trades_seen = len(self.book.trades)
        prices = np.fromiter((t.price for t in new), dtype=float, count=len(new))
        volumes = np.fromiter((t.quantity for t in new), dtype=float, count=len(new))
        self.round_volume = int(volumes.sum())
        self._year_value += float(prices @ volumes)
        self._year_volume += self.round_volume
        self.round_price = metrics.vwap(prices, volumes) if new else float("nan")
        self.expected_price = update_expectation(
            self.expected_price,
            self.round_price,
            self.book.best_bid(),
            self.book.best_ask(),
            self.config.price_floor,
            self.config.price_ceiling,
        )
        table = self.datacollector.tables["trades"]
        for trade in new:
            for column, value in zip(
                TRADE_COLUMNS,
                (trade.round, self.year, trade.buyer, trade.seller, trade.price, trade.quantity),
                strict=True,
            ):
                table[column].append(value)
        if self._year_start_holdings is not None:
            self.allocative_efficiency = self._efficiency()

    def end_year(self) -> None:
        """Clear the book (full refund), settle compliance, end the episode after the last year."""
        self.book.clear()
        if self._year_start_holdings is not None:
            self.efficiency_by_year.append(self.allocative_efficiency)
        result = self.enterprises.settle_compliance()
        self.compliance_by_year.append(result)
        self.year_records.append(
            {
                "year": self.year,
                "release": self.government.release,
                "price": self._year_value / self._year_volume
                if self._year_volume
                else float("nan"),
                "volume": self._year_volume,
                "emissions": result.emissions,
                "shortfall": result.shortfall,
                "penalties": result.penalties,
            }
        )
        self._year_value = self._year_volume = 0.0
        self.penalties_paid += result.penalties
        self.abatement_spent += result.abatement_spent
        self.allowances_expired += result.expired
        if self.year == self.config.years - 1:
            self.running = False

    # ------------------------------------------------------------------ helpers

    def set_price_floor(self, price_floor: int) -> None:
        """Change the lowest price tick for new orders (a government lever).

        Raises:
            ValueError: the floor is negative or not below the ceiling.
        """
        if not 0 <= price_floor < self.config.price_ceiling:
            raise ValueError(
                f"price_floor: {price_floor} must be in [0, {self.config.price_ceiling - 1}]"
            )
        self.config.price_floor = self.book.price_floor = int(price_floor)

    def behaviour_groups(self) -> list[tuple[Behaviour, np.ndarray]]:
        """Each behaviour held in the market with the indices of the firms holding it."""
        return self._groups

    def assign_behaviour(self, index: int, behaviour: Behaviour) -> None:
        """Give firm ``index`` another behaviour (e.g. a human player takes it over)."""
        self.firms[index].behaviour = behaviour
        self._group_firms()
        self.observe()

    def observe(self) -> None:
        """Round end: behaviours that plan ahead (learned firms) see the market as it stands."""
        for behaviour, firms in self._groups:
            behaviour.observe(self, firms)

    def _group_firms(self) -> None:
        groups: dict[Behaviour, list[int]] = {}
        for firm in self.firms:
            groups.setdefault(firm.behaviour, []).append(firm.index)
        self._groups = [(b, np.asarray(idx, dtype=np.int64)) for b, idx in groups.items()]
        self.behaviour_names = np.array([f.behaviour.name for f in self.firms], dtype=object)
        self._replaces_quotes = np.array([f.behaviour.replaces_quotes for f in self.firms])

    def decide(self, decision: str) -> np.ndarray:
        """Ask every behaviour group for one decision and assemble it for all firms."""
        out = None
        for behaviour, firms in self.behaviour_groups():
            values = getattr(behaviour, decision)(self, firms)
            if out is None:
                out = np.empty(self.enterprises.n, dtype=np.asarray(values).dtype)
            out[firms] = values
        return out

    def auction_bids(self, max_units: int) -> tuple[np.ndarray, np.ndarray]:
        """Every firm's truthful unit bids for the auction: its value of each further allowance.

        A producing firm plans to run at capacity all year: an allowance is worth to it the
        profit it enables. Bids fall with each unit (marginal values fall) and stop where the
        firm's coins could no longer pay its own bids.

        Returns:
            ``(bidders, prices)``: firm index and limit price (ticks) of each unit bid.
        """
        cfg = self.config
        firms = np.arange(self.enterprises.n)
        shortfall, _ = shortfalls(self, firms, planned_output=self.enterprises.capacity)
        units = int(min(max_units, max(0.0, np.ceil(shortfall.max()))))
        if units == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        values = np.stack(
            [value_of_buying(self, firms, shortfall - j) for j in range(units)], axis=1
        )
        prices = np.floor(np.minimum(values, cfg.price_ceiling))
        affordable = np.cumsum(np.maximum(prices, 0), axis=1) <= self.accounts.coins[:, None]
        keep = affordable & (prices >= cfg.price_floor) & (values > 0)
        bidders = np.broadcast_to(firms[:, None], prices.shape)[keep]
        return bidders, prices[keep].astype(np.int64)

    def _efficiency(self) -> float:
        """Realised over maximum gains from trade since the year's allocation (textbook)."""
        ent, cfg = self.enterprises, self.config
        start = realised_compliance_cost(
            ent.baseline_emissions, ent.abatement_cost, self._year_start_holdings, cfg.penalty
        )
        now = realised_compliance_cost(
            ent.baseline_emissions,
            ent.abatement_cost,
            self.accounts.total_allowances(),
            cfg.penalty,
        )
        return metrics.allocative_efficiency(start - now, self._max_gains)

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
        return float(self.measures["welfare"])
