"""How much a firm gains by deviating from the rule-based firm, in a market of rule-based firms.

The study behind "the rule is a strong benchmark" in docs/learned-firms.md. Each deviation is
a behaviour that differs from ``RuleBased`` in one decision. For every held-out evaluation
seed, three of the paper's five firms (a seeded draw) deviate, then the same seed is replayed
with the other two deviating (the crossover design of ``carbon-market evaluate --enterprises
mixed``); the gain is the mean over firms of (profit deviating - profit following the rule).

Run from the repository root (about a minute per deviation on one core):

    python docs/evaluation/deviations/rule_deviations.py --seeds 30
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from agents.behaviours import RuleBased, research_saving, rule_quote
from agents.decisions import Quotes
from learning.evaluate import t_half_width
from learning.seeds import evaluation_seeds
from market.orders import Side
from model import CarbonMarket
from model.episode import run_episode


class AlwaysProduce(RuleBased):
    """Produce at capacity every round, whatever an allowance costs."""

    def production(self, view, firms):
        """Capacity (units)."""
        return view.enterprises.capacity[firms]


class NoGreenProjects(RuleBased):
    """Never complete a green project."""

    def offsets(self, view, firms):
        """Never."""
        return np.zeros(len(firms), dtype=bool)


class ResearchThreshold(RuleBased):
    """Research while the expected saving beats ``factor`` x the cost (the rule: 1)."""

    factor = 1.0

    def research(self, view, firms):
        """The rule's comparison of expected saving and cost, with the cost scaled."""
        return (
            research_saving(view, firms)
            > self.factor * view.enterprises.research_attempt_cost[firms]
        )


class ResearchMore(ResearchThreshold):
    """Research while the saving beats half the cost."""

    factor = 0.5


class ResearchLess(ResearchThreshold):
    """Research while the saving beats twice the cost."""

    factor = 2.0


class Shade(RuleBased):
    """Quote ``ticks`` further out than the rule: bids lower, asks higher (negative: in)."""

    ticks = 2

    def quote(self, view, firms):
        """The rule's quotes, moved."""
        quotes = super().quote(view, firms)
        move = np.where(quotes.side == Side.BID, -self.ticks, self.ticks)
        price = np.clip(quotes.price + move, view.price_floor, view.config.price_ceiling)
        return dataclasses.replace(quotes, price=price)


class Eager(Shade):
    """Quote 2 ticks further in: past the expected price (bid higher, ask lower)."""

    ticks = -2


class BuyEarly(RuleBased):
    """Buy early in year 1, whatever the rule values an allowance at.

    Bid for 2 allowances in rounds 1-5 and post no ask in rounds 1-12: the first year turns
    short, and the rule's valuation (this round's output projected over the year) sees it late.
    """

    def quote(self, view, firms):
        """The rule's quotes, with early bids and without early asks."""
        quotes = super().quote(view, firms)
        if view.year > 0 or view.round_in_year >= 12:
            return quotes
        keep = quotes.side == Side.BID
        quotes = Quotes(*(getattr(quotes, k)[keep] for k in ("firms", "side", "price", "quantity")))
        if view.round_in_year >= 5:
            return quotes
        price = rule_quote(view)
        units = np.minimum(2, view.accounts.coins[firms] // max(price, 1)).astype(np.int64)
        extra = ~np.isin(firms, quotes.firms) & (units > 0)
        return Quotes(
            np.concatenate([quotes.firms, firms[extra]]),
            np.concatenate([quotes.side, np.full(extra.sum(), Side.BID, dtype=np.int8)]),
            np.concatenate([quotes.price, np.full(extra.sum(), price)]),
            np.concatenate([quotes.quantity, units[extra]]),
        )


DEVIATIONS = {
    "always produce": AlwaysProduce,
    "no green projects": NoGreenProjects,
    "research more (saving > cost / 2)": ResearchMore,
    "research less (saving > 2 cost)": ResearchLess,
    "quote 2 ticks further out": Shade,
    "quote 2 ticks further in": Eager,
    "buy early in year 1": BuyEarly,
}


def profits(seed: int, deviating: np.ndarray, behaviour: RuleBased, policy: str) -> np.ndarray:
    """Each firm's profit (coins) when the firms in ``deviating`` hold ``behaviour``."""
    market = CarbonMarket("paper", seed=seed, policy=policy, behaviour="rule-based")
    for index in deviating:
        market.assign_behaviour(int(index), behaviour)
    run_episode(market)
    return market.accounts.total_coins() - market.initial_coins


def gain(deviation: type[RuleBased], seeds: list[int], policy: str) -> np.ndarray:
    """Per seed: mean over firms of profit deviating minus profit following the rule."""
    gains = []
    for seed in seeds:
        draw = np.random.default_rng(seed).permutation(5)[:3]
        in_draw = np.isin(np.arange(5), draw)
        first = profits(seed, np.flatnonzero(in_draw), deviation(), policy)
        second = profits(seed, np.flatnonzero(~in_draw), deviation(), policy)
        deviating = np.where(in_draw, first, second)
        following = np.where(in_draw, second, first)
        gains.append((deviating - following).mean())
    return np.array(gains)


def main() -> None:
    """Print the gain of every deviation as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--policy", default="flat-benchmarking")
    args = parser.parse_args()
    seeds = evaluation_seeds(args.seeds)
    print(f"| deviation from the rule | gain per firm (coins, 95% CI, {args.seeds} seeds) |")
    print("|---|---|")
    for name, deviation in DEVIATIONS.items():
        values = gain(deviation, seeds, args.policy)
        print(f"| {name} | {values.mean():+.1f} ± {t_half_width(values):.1f} |", flush=True)


if __name__ == "__main__":
    main()
