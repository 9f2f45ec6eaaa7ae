"""A round's phases one by one, for markets with a behaviour written in Python.

When every firm holds a compiled behaviour a round is one kernel call
(``CarbonMarket.play_compiled``); a person's firm, learned firms or any subclass of a rule
decide in Python, so the market plays the same phases from here, asking each behaviour group
for its decisions and applying them through the market core. A test holds the two paths to
the same trajectory (``tests/model/test_round_kernel.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from agents.behaviours import Behaviour
from agents.valuation import update_expectation
from market import book_kernels, metrics


class PythonPhases:
    """The phases of a round played from Python, a mixin of ``CarbonMarket``.

    It reads and writes the market's state: ``enterprises``, ``book``, ``run``, ``view``,
    the behaviour groups (``_groups``) and the tallied counters.
    """

    def play_phases(self, round_: int) -> None:
        """Round ``round_`` from expiry to the ledger, phase by phase."""
        self.book.expire(round_)
        self.enterprises.update_technology(round_)
        self.produce()
        self.invest(round_)
        self.trade(round_)
        self.record_trades()

    def produce(self) -> None:
        """Every firm produces what its behaviour decides; emissions accrue."""
        if not self.config.production:
            self.round_emissions = 0.0
            return
        before = self.enterprises.ytd_emissions.sum()
        output = self._per_firm(lambda behaviour, firms: behaviour.production(self.view, firms))
        self.revenue += self.enterprises.produce(output, self.output_price)
        self.round_emissions = float(self.enterprises.ytd_emissions.sum() - before)

    def invest(self, round_: int) -> None:
        """R&D attempts and green projects, as the behaviours decide."""
        if self.config.research:
            attempts = self._per_firm(lambda behaviour, firms: behaviour.research(self.view, firms))
            self.research_spent += self.enterprises.research(attempts, round_, self.rng_state)
        if self.run.green_projects_available > 0:
            wanting = self._per_firm(lambda behaviour, firms: behaviour.offsets(self.view, firms))
            done = self.enterprises.buy_offsets(
                wanting, self.run.green_projects_available, self.rng_state
            )
            self.run.green_projects_available -= done
            self.allowances_issued += done

    def trade(self, round_: int) -> None:
        """Collect every behaviour's quotes and submit them to the book in random order.

        A firm keeps one live quote: it withdraws its open orders just before it posts its new
        one, so everyone else's quotes from earlier rounds still stand.
        """
        quotes = [behaviour.quote(self.view, firms) for behaviour, firms in self._groups]
        columns = tuple(
            np.concatenate([getattr(q, k) for q in quotes]).astype(np.int64)
            for k in ("firms", "side", "price", "quantity")
        )
        self.rejected_orders += self.book.submit_all(self.rng_state, columns, round_)

    def record_trades(self) -> None:
        """Add the round's trades to the ledger table; update price, volume and expectation."""
        rows = self.book.trades.rows(self._trades_seen)
        prices = rows[:, book_kernels.T_PRICE].astype(float)
        volumes = rows[:, book_kernels.T_QTY].astype(float)
        self.round_volume = int(volumes.sum())
        self._year_value += float(prices @ volumes)
        self._year_volume += self.round_volume
        self.round_price = metrics.vwap(prices, volumes) if len(rows) else float("nan")
        self.expected_price = update_expectation(
            self.expected_price,
            self.round_price,
            self.book.best_bid(),
            self.book.best_ask(),
            self.run.price_floor,
            self.config.price_ceiling,
        )
        self._trades_seen = len(self.book.trades)
        self.efficiency.update()

    def _per_firm(self, decide: Callable[[Behaviour, np.ndarray], np.ndarray]) -> np.ndarray:
        """One decision of every behaviour group, assembled into one array over all firms."""
        out = None
        for behaviour, firms in self._groups:
            values = decide(behaviour, firms)
            if out is None:
                out = np.empty(self.enterprises.n, dtype=np.asarray(values).dtype)
            out[firms] = values
        return out
