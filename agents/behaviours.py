"""Behaviours: the decision rules a firm holds.

A behaviour decides, each round and for all the firms that hold it at once, how much to
produce, whether to do R&D, whether to buy a green project and which order to post. Firms in
one market may hold different behaviours; the market groups firms by the behaviour object they
hold, so a behaviour's methods receive an array of firm indices.

Production, R&D and offsets follow the rule-based producer of MODEL.md for every heuristic; the
behaviours differ in how they trade:

* **ZI-C** (Gode & Sunder 1993): a bid uniform on [floor, value], an ask uniform on
  [cost, ceiling], so it never trades at a loss;
* **ZI-U**: bids and asks uniform on the whole price band (no budget constraint on value);
* **truthful**: a bid at its value or an ask at its cost;
* **rule-based**: a price-taker at the tick nearest the market's expected price: bids there
  when an allowance is worth at least that to it, asks there when selling one costs at most
  that, for as many units as are worth it.

The rules themselves are compiled kernels (:mod:`agents.behaviour_kernels`); the classes here
hold a behaviour's settings and hand each decision the market's view and random generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from agents import behaviour_kernels as kernels
from agents.decisions import Quotes
from agents.valuation import sight
from market.lanes import RoundScratch, work_blocks

if TYPE_CHECKING:
    from agents.view import MarketView


class Behaviour:
    """Rule-based production, R&D and offsets; subclasses add how the firm trades.

    Args:
        max_quantity: most allowances in one order.
    """

    name: ClassVar[str] = "behaviour"

    def __init__(self, max_quantity: int = 1) -> None:
        if max_quantity < 1:
            raise ValueError(f"max_quantity: {max_quantity} must be >= 1")
        self.max_quantity = max_quantity

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_quantity={self.max_quantity})"

    def observe(self, view: MarketView, firms: np.ndarray) -> None:
        """See the market at the end of a round; rules decide on the spot, so they do nothing."""

    # ------------------------------------------------------------------ producer rules

    def production(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Produce at capacity while revenue per unit beats the allowance cost of its emissions.

        Returns:
            Output per firm this round (units), shape ``(k,)``.
        """
        seen, firms, work = decision_inputs(view, firms)
        kernels.production(seen, firms, work)
        return work.output[firms]

    def research(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Do R&D while the expected saving of one attempt beats its cost."""
        seen, firms, work = decision_inputs(view, firms)
        kernels.research(seen, firms, work)
        return work.chosen[firms]

    def offsets(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """Complete a green project when it is cheaper than the allowance it brings is worth."""
        seen, firms, work = decision_inputs(view, firms)
        kernels.offsets(seen, firms, work)
        return work.chosen[firms]

    # ------------------------------------------------------------------ trading

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """The orders these firms post this round."""
        raise NotImplementedError


def _indices(firms: np.ndarray) -> np.ndarray:
    return np.asarray(firms, dtype=np.int64)


def decision_inputs(view: MarketView, firms: np.ndarray) -> tuple[object, np.ndarray, RoundScratch]:
    """What the kernels read (the market's sight), the firms, and work arrays to decide into."""
    seen = sight(view)
    return seen, _indices(firms), RoundScratch.of(work_blocks(seen.capacity.size))


def _decided(firms: np.ndarray, work: RoundScratch) -> tuple[np.ndarray, ...]:
    """The firms' orders a kernel decided: ``(side, price, quantity, active)``, shape ``(k,)``."""
    return work.side[firms], work.price[firms], work.quantity[firms], work.active[firms]


def decided_quotes(firms: np.ndarray, work: RoundScratch) -> Quotes:
    """The active orders a kernel decided for ``firms`` into ``work``, as quotes."""
    return Quotes.build(firms, *_decided(firms, work))


class ZeroIntelligenceConstrained(Behaviour):
    """ZI-C: random prices that never trade at a loss (Gode & Sunder 1993)."""

    name = "zi-c"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit: a bid uniform on [floor, value] or an ask uniform on [cost, ceiling]."""
        seen, firms, work = decision_inputs(view, firms)
        kernels.zi_c(seen, firms, view.rng_state, work)
        return decided_quotes(firms, work)


class ZeroIntelligenceUnconstrained(Behaviour):
    """ZI-U: random prices on the whole band, ignoring value (limited only by escrow)."""

    name = "zi-u"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit at a uniform price on [floor, ceiling] on a random side."""
        seen, firms, work = decision_inputs(view, firms)
        kernels.zi_u(seen, firms, view.rng_state, work)
        return decided_quotes(firms, work)


class Truthful(Behaviour):
    """Truthful: a bid at its marginal value or an ask at its marginal cost."""

    name = "truthful"

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """One unit at value (bid) or cost (ask), on a random side, rounded to safe ticks."""
        seen, firms, work = decision_inputs(view, firms)
        kernels.truthful(seen, firms, view.rng_state, work)
        return decided_quotes(firms, work)


class RuleBased(Behaviour):
    """Rule-based trader: a price-taker at the market's expected price.

    Every firm quotes the tick nearest the expected price: one whose value of one more
    allowance is at least that bids there, one whose cost of selling one is at most that asks
    there. Buyers and sellers meet on that tick, so they trade at the expectation itself;
    the orders of the side in excess are left waiting, and the expectation drifts toward
    them (:func:`agents.valuation.update_expectation`) until buying and selling interest
    balance on the quoted tick: the competitive price. Like every heuristic it keeps one
    live quote, replaced each round it quotes: an order left at a tick the expectation has
    moved from would hold the allowances or coins the firm needs to quote at the new one.

    Args:
        max_quantity: most allowances in one order (units worth the price, up to this).
    """

    name = "rule-based"

    def __init__(self, max_quantity: int = 5) -> None:
        super().__init__(max_quantity)

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """Bid or ask at the tick nearest the expected price, if worth it."""
        firms = _indices(firms)
        return Quotes.build(firms, *self.plan(view, firms))

    def plan(
        self, view: MarketView, firms: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The rule's order for every firm, posted or not.

        Returns:
            ``(side, price, quantity, active)``, each of shape ``(k,)``: the side the firm
            prefers, its quote (ticks), the units worth trading there and whether it posts.
        """
        seen, firms, work = decision_inputs(view, firms)
        kernels.rule_based(seen, firms, self.max_quantity, work)
        return _decided(firms, work)


def rule_quote(view: MarketView) -> int:
    """The rule-based trader's quote, bid or ask: the tick nearest the expected price.

    Returns:
        The price tick, within the price band (a half rounds to the even tick).
    """
    return int(kernels.rule_quote(sight(view)))


def research_saving(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Expected saving of one R&D attempt per firm (coins), the rule's reason to research.

    Saving = success probability x emission-rate cut x output over the rest of the episode
    x the cost of a tonne; the cut is zero once the rate sits on its floor.
    """
    seen, firms, work = decision_inputs(view, firms)
    kernels.research_saving(seen, firms, work)
    return work.saving[firms]


def units_worth(
    view: MarketView, firms: np.ndarray, side: np.ndarray, price: np.ndarray, max_quantity: int
) -> np.ndarray:
    """How many units (up to ``max_quantity``) each firm finds worth trading at ``price``.

    Bids stop when the next unit's value falls below the price or the coins run out; asks
    stop when the next unit's cost rises above it or the free allowances run out. Open bids
    do not count as held (a heuristic withdraws them before it quotes).

    Args:
        view: what the firms see of the market.
        firms: firm indices, shape ``(k,)``.
        side: ``Side.BID`` or ``Side.ASK`` per firm, shape ``(k,)``.
        price: limit price per firm (ticks), shape ``(k,)``.
        max_quantity: most units in one order.
    """
    seen = sight(view)
    return np.array(
        [
            kernels.units_worth(seen, int(i), int(s), int(p), max_quantity)
            for i, s, p in zip(_indices(firms), side, price, strict=True)
        ],
        dtype=np.int64,
    )
