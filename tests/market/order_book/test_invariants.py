"""Property test: random operation sequences never break the book's accounting invariants."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from market.accounts import Accounts
from market.order_book import OrderBook, OrderRejected, Side

N_FIRMS = 5
TOLERANCE = 1e-9

# Mostly valid fields, with the odd out-of-range or wrongly typed value mixed in.
firms = st.integers(0, N_FIRMS - 1) | st.sampled_from([-1, N_FIRMS, 1.0, True])
prices = st.integers(0, 20) | st.sampled_from([-1, 99, 2.5, 3.0, False])
quantities = st.integers(1, 8) | st.sampled_from([0, -1, 1.0, True])


class OrderBookMachine(RuleBasedStateMachine):
    @initialize(
        coins=st.lists(st.floats(0, 300, allow_nan=False), min_size=N_FIRMS, max_size=N_FIRMS),
        allowances=st.lists(st.integers(0, 80), min_size=N_FIRMS, max_size=N_FIRMS),
        floor=st.integers(0, 4),
        width=st.integers(0, 12),
        duration=st.integers(1, 4),
        max_orders=st.integers(1, 4),
    )
    def start(self, coins, allowances, floor, width, duration, max_orders) -> None:
        # Quarter allowances model holdings left fractional by compliance.
        self.accounts = Accounts(np.array(coins), np.array(allowances) / 4)
        self.book = OrderBook(
            self.accounts,
            price_floor=floor,
            price_ceiling=floor + width,
            order_duration=duration,
            max_orders=max_orders,
        )
        self.total_coins = self.accounts.total_coins().sum()
        self.total_allowances = self.accounts.total_allowances().sum()
        self.round = 0
        self.expired_through = -1
        self.ids: list[int] = []

    def _snapshot(self) -> tuple[object, ...]:
        acc = self.accounts
        columns = (acc.coins, acc.escrow_coins, acc.allowances, acc.escrow_allowances)
        orders = [(o.order_id, o.quantity) for o in self.book]
        return tuple(c.tolist() for c in columns), orders, len(self.book.trades)

    @rule(firm=firms, side=st.sampled_from(Side), price=prices, quantity=quantities)
    def submit(self, firm, side, price, quantity) -> None:
        before = self._snapshot()
        n_trades = len(self.book.trades)
        try:
            order_id = self.book.submit(firm, side, price, quantity, self.round)
        except OrderRejected:
            assert self._snapshot() == before
            return
        assert order_id not in self.ids
        self.ids.append(order_id)
        new_trades = self.book.trades[n_trades:]
        traded = sum(t.quantity for t in new_trades)
        resting = [o for o in self.book.open_orders(firm) if o.order_id == order_id]
        assert traded + sum(o.quantity for o in resting) == quantity
        for trade in new_trades:
            assert trade.aggressor is side
            assert (trade.buyer if side is Side.BID else trade.seller) == firm
            assert trade.buyer != trade.seller
            assert (trade.price <= price) if side is Side.BID else (trade.price >= price)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        order_id = data.draw(st.sampled_from(self.ids))
        was_open = any(o.order_id == order_id for o in self.book)
        assert self.book.cancel(order_id) == was_open
        assert all(o.order_id != order_id for o in self.book)

    @rule(firm=st.integers(0, N_FIRMS - 1))
    def cancel_firm(self, firm) -> None:
        n_open = self.book.n_open(firm)
        assert self.book.cancel_firm(firm) == n_open
        assert self.book.open_orders(firm) == []

    @rule(steps=st.integers(1, 3))
    def next_round(self, steps) -> None:
        self.round += steps
        due = sum(1 for o in self.book if o.expires_round <= self.round)
        assert self.book.expire(self.round) == due
        self.expired_through = max(self.expired_through, self.round)

    @rule()
    def clear(self) -> None:
        n_open = len(self.book)
        assert self.book.clear() == n_open
        assert len(self.book) == 0

    @invariant()
    def money_and_allowances_are_conserved(self) -> None:
        acc = self.accounts
        assert np.isclose(acc.total_coins().sum(), self.total_coins, rtol=1e-12, atol=TOLERANCE)
        assert acc.total_allowances().sum() == self.total_allowances

    @invariant()
    def nothing_is_negative(self) -> None:
        acc = self.accounts
        assert acc.coins.min() >= -TOLERANCE
        assert acc.escrow_coins.min() >= -TOLERANCE
        assert acc.allowances.min() >= 0
        assert acc.escrow_allowances.min() >= 0

    @invariant()
    def escrow_matches_the_open_orders(self) -> None:
        coins, allowances = np.zeros(N_FIRMS), np.zeros(N_FIRMS)
        for order in self.book:
            if order.side is Side.BID:
                coins[order.firm] += order.price * order.quantity
            else:
                allowances[order.firm] += order.quantity
        np.testing.assert_allclose(self.accounts.escrow_coins, coins, rtol=0, atol=TOLERANCE)
        assert self.accounts.escrow_allowances.tolist() == allowances.tolist()

    @invariant()
    def book_is_never_crossed(self) -> None:
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if bid is not None and ask is not None:
            assert bid < ask
            assert self.book.spread() == ask - bid

    @invariant()
    def market_data_agrees_with_the_open_orders(self) -> None:
        book = self.book
        for side in Side:
            volume = Counter()
            for order in book:
                if order.side is side:
                    volume[order.price] += order.quantity
            best_first = sorted(volume.items(), reverse=side is Side.BID)
            assert book.depth(side) == best_first
        bids, asks = book.depth(Side.BID, 1), book.depth(Side.ASK, 1)
        assert book.level1() == (
            *(bids[0] if bids else (None, 0)),
            *(asks[0] if asks else (None, 0)),
        )

    @invariant()
    def orders_respect_limits_and_expiry(self) -> None:
        book = self.book
        counts = [book.n_open(f) for f in range(N_FIRMS)]
        assert book.open_counts().tolist() == counts
        assert sum(counts) == len(book)
        for side in Side:
            quantity = [0] * N_FIRMS
            for order in book:
                if order.side is side:
                    quantity[order.firm] += order.quantity
            assert book.open_quantity(side).tolist() == quantity
        assert max(counts) <= book.max_orders
        for order in book:
            assert 1 <= order.quantity <= order.original_quantity
            assert book.price_floor <= order.price <= book.price_ceiling
            assert order.expires_round > self.expired_through
            assert order.expires_round == order.placed_round + book.order_duration

    @invariant()
    def ledger_is_sane(self) -> None:
        for trade in self.book.trades:
            assert trade.quantity >= 1
            assert trade.buyer != trade.seller
        if self.book.trades:
            assert self.book.last_price == self.book.trades[-1].price


OrderBookMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_order_book_invariants = OrderBookMachine.TestCase
