"""What a learned firm sees each round, what it can do, and what it is rewarded for.

Observation (``FIRM_FEATURES``, per firm, float32), each on a scale the scenario fixes:
allowances held and projected shortfall for the year (/ a firm's yearly emissions), coins
(/ coin scale), emission rate, capacity (/ largest), rounds to compliance (/ rounds a year),
best bid and best ask (/ price ceiling; 0 with a flag when absent), bid and ask depth of the
top three levels (/ yearly emissions), last and expected price (/ ceiling), the firm's own
value of buying and cost of selling one allowance (/ ceiling, capped at 2), and its open
orders (/ order limit).

Action (``ACTION_SIZE`` numbers in [-1, 1]):

0. production: ``(a + 1) / 2`` of capacity;
1. R&D: attempt when ``a > 0``;
2. green project: complete one when ``a > 0``;
3. trade: post an order when ``a > -1/2``;
4. quantity: 1 to ``MAX_QUANTITY`` allowances;
5. price: the market's expected price plus ``a x OFFSET_SHARE`` of the price band. The side
   follows from the firm's own valuation: it bids at that price when one more allowance is
   worth at least that much to it, asks when giving one up costs it at most that much (buying
   above value or selling below cost is dominated, so it is not offered). The firm learns when,
   how much and how far from the market price to trade, as ZIP traders learn their margins.

Invalid actions are clipped, never executed: a bid never exceeds the firm's value or what its
coins can escrow, an ask never exceeds its free allowances; an order clipped to nothing is
dropped. So a learned firm cannot break the book's invariants.

Reward: the change in isoelastic utility, ``(W^(1-eta) - 1) / (1 - eta)`` with eta = 0.23 as
in the paper, of the firm's net worth W: its coins minus its compliance liability (what
covering the tonnes it already owes this year beyond its allowances would cost now, by
abatement or penalty). The liability is settled at year end, so over an episode this is the
paper's reward (change in utility of coins) plus a potential-based shaping term (Ng, Harada &
Russell 1999) that leaves the optimal policy unchanged but credits a purchase when it is made
rather than at the year-end settlement hundreds of rounds later. Below one coin the utility
continues linearly with slope 1, so deeper debt always hurts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.behaviours import Quotes, units_worth
from agents.valuation import allowance_values, expected_price, shortfalls
from model.orders import Side
from model.theory import compliance_cost

if TYPE_CHECKING:
    from model.market import CarbonMarket

FIRM_FEATURES = (
    "allowances",
    "shortfall",
    "coins",
    "emission_rate",
    "capacity",
    "rounds_left",
    "best_bid",
    "has_bid",
    "best_ask",
    "has_ask",
    "bid_depth",
    "ask_depth",
    "last_price",
    "expected_price",
    "buy_value",
    "sell_cost",
    "open_orders",
)
ACTION_SIZE = 6
MAX_QUANTITY = 5
OFFSET_SHARE = 0.1  # largest distance of a quote from the expected price, as a band share
ETA = 0.23


def yearly_emissions_scale(market: CarbonMarket) -> float:
    """A typical firm's yearly emissions (t): the quantity scale of observations."""
    ent, cfg = market.enterprises, market.config
    if cfg.production:
        per_firm = ent.capacity * ent.initial_emission_rate * cfg.steps_per_year
    else:
        per_firm = ent.baseline_emissions
    return max(float(np.mean(per_firm)), 1.0)


def coin_scale(market: CarbonMarket) -> float:
    """A typical firm's coins: its starting coins or a year's revenue at capacity."""
    cfg, ent = market.config, market.enterprises
    revenue = cfg.output_price * float(ent.capacity.mean()) * cfg.steps_per_year
    return max(float(np.mean(market.initial_coins)), revenue if cfg.production else 0.0, 1.0)


def firm_observations(market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
    """Observations of ``firms``, shape ``(k, len(FIRM_FEATURES))``, float32."""
    cfg, ent, acc, book = market.config, market.enterprises, market.accounts, market.book
    quantity, ceiling = yearly_emissions_scale(market), float(cfg.price_ceiling)
    held = acc.allowances[firms] + acc.escrow_allowances[firms]
    bid_shortfall, _ = shortfalls(market, firms)
    buy_value, sell_cost = allowance_values(market, firms)
    best_bid, best_ask = book.best_bid(), book.best_ask()
    depth = [sum(q for _, q in book.depth(side, 3)) / quantity for side in (Side.BID, Side.ASK)]
    last = book.last_price
    market_wide = [
        best_bid / ceiling if best_bid is not None else 0.0,
        float(best_bid is not None),
        best_ask / ceiling if best_ask is not None else 0.0,
        float(best_ask is not None),
        depth[0],
        depth[1],
        last / ceiling if last is not None else 0.0,
        expected_price(market) / ceiling,
    ]
    columns = [
        held / quantity,
        bid_shortfall / quantity,
        acc.total_coins()[firms] / coin_scale(market),
        ent.emission_rate[firms],
        ent.capacity[firms] / max(float(ent.capacity.max()), 1e-12),
        np.full(len(firms), market.rounds_left / cfg.steps_per_year),
        *(np.full(len(firms), value) for value in market_wide),
        np.minimum(buy_value / ceiling, 2.0),
        np.minimum(np.nan_to_num(sell_cost, posinf=2 * ceiling) / ceiling, 2.0),
        market.book.open_counts()[firms] / cfg.max_orders,
    ]
    return np.stack(columns, axis=1).astype(np.float32)


def decode_actions(
    market: CarbonMarket, firms: np.ndarray, actions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Quotes]:
    """Turn actions ``(k, ACTION_SIZE)`` into decisions, clipping anything invalid.

    Returns:
        ``(output, research, offsets, quotes)``: output per firm (units), R&D and green-project
        choices (bool), and the orders to post.
    """
    cfg, ent, acc = market.config, market.enterprises, market.accounts
    a = np.clip(np.asarray(actions, dtype=float).reshape(len(firms), ACTION_SIZE), -1.0, 1.0)
    unit = (a + 1.0) / 2.0
    output = unit[:, 0] * ent.capacity[firms]
    research, offsets = a[:, 1] > 0, a[:, 2] > 0
    quantity = 1 + np.floor(unit[:, 4] * (MAX_QUANTITY - 1) + 0.5).astype(np.int64)
    buy_value, sell_cost = allowance_values(market, firms)
    band = cfg.price_ceiling - cfg.price_floor
    price = np.clip(
        np.rint(expected_price(market) + a[:, 5] * OFFSET_SHARE * band),
        cfg.price_floor,
        cfg.price_ceiling,
    )
    affordable = np.floor(acc.coins[firms])
    buys = (buy_value >= price) & (price <= affordable) & (buy_value > 0)
    sells = (sell_cost <= price) & (acc.allowances[firms] >= 1)
    side = np.where(buys & (~sells | (buy_value - price >= price - sell_cost)), Side.BID, Side.ASK)
    # never more units than are worth trading at that price (nor than coins or holdings allow)
    quantity = np.minimum(quantity, units_worth(market, firms, side, price, MAX_QUANTITY, False))
    valid = (a[:, 3] > -0.5) & (buys | sells) & (quantity >= 1)
    return output, research, offsets, Quotes.build(firms, side, price, quantity, valid)


def net_worth(market: CarbonMarket, firms: np.ndarray) -> np.ndarray:
    """Coins (free and escrowed) minus the compliance liability of tonnes already owed (coins)."""
    ent, acc = market.enterprises, market.accounts
    shortfall = ent.committed_emissions(firms) - acc.total_allowances()[firms]
    liability = compliance_cost(shortfall, ent.abatement_cost[firms], market.config.penalty)
    return acc.total_coins()[firms] - liability


def isoelastic_utility(coins: np.ndarray, eta: float = ETA) -> np.ndarray:
    """Isoelastic utility of coins, continued linearly (slope 1) below one coin."""
    coins = np.asarray(coins, dtype=float)
    above = (np.maximum(coins, 1.0) ** (1.0 - eta) - 1.0) / (1.0 - eta)
    return np.where(coins >= 1.0, above, coins - 1.0)
