"""Learned firms: what a learned firm sees each round, what it can do, and how it acts.

A learned firm acts on top of the rule-based producer and trader (``RuleBased``): every action
number is a correction to one of the rule's decisions, and the zero action is the rule itself
(residual policy learning: Silver et al. 2018, Johannink et al. 2019). The policy starts from a
strong, economically sensible firm and learns where deviating from the rule pays, instead of
rediscovering from noise that a firm should produce, research and trade at all.

Observation (``FIRM_FEATURES``, per firm, float32), each on a scale the scenario fixes:
allowances held and projected shortfall for the year (/ a firm's yearly emissions), coins
(/ coin scale), emission rate, capacity (/ largest), rounds to compliance (/ rounds a year),
share of the episode's years gone, best bid and best ask (/ price ceiling; 0 with a flag when
absent), bid and ask depth of the top three levels (/ yearly emissions), last and expected
price (/ ceiling), the firm's own value of buying and cost of selling one allowance
(/ ceiling, capped at 2), its open orders (/ order limit), and what the rule would do now:
its output (/ capacity), R&D and green project (0 or 1), and its order's side (+1 bid,
-1 ask, 0 none).

Action (``ACTION_SIZE`` numbers in [-1, 1]), each applied to the rule's decision of that round:

0. production: the rule's output share of capacity plus ``dead_zone(a)``, clipped to [0, 1];
1. R&D: the rule's choice, reversed when ``a`` pushes past one half against it (``a > 1/2``
   starts an attempt the rule would skip, ``a < -1/2`` skips one it would make);
2. green project: the same on the rule's choice;
3. order: the rule's order; ``a > 1/2`` bids (buys) even where the rule would ask or stay out,
   ``a < -1/2`` holds back and posts nothing;
4. quantity: the rule's units (1 when it posts none) plus ``dead_zone(a) x (MAX_QUANTITY - 1)``,
   rounded, within 1 to ``MAX_QUANTITY``;
5. price: the rule's quote (the tick nearest the expected price) plus
   ``dead_zone(a) x OFFSET_SHARE`` of the price band, rounded to a tick.

``dead_zone`` maps ``|a| <= DEAD_ZONE`` to no correction and stretches the rest back onto
[-1, 1], so a policy that has learned nothing about a decision (its mean action near zero)
leaves the rule's decision exactly as it is.

The side is the rule's (the one the firm's own valuation prefers) unless action 3 buys. The
rule's valuation is myopic (it projects this round's output over the rest of the year), so a
learned firm may bid above it: buying early in a year that will turn short is exactly where a
firm can beat the rule. Invalid actions are clipped, never executed: a bid never locks more
coins than the firm has, an ask never more allowances than it holds free; an order clipped to
nothing is dropped. So a learned firm cannot break the book's invariants.

The reward a learned firm is trained on is the learning floor's (``learning.firm_reward``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from agents import behaviour_kernels, learned_kernels
from agents.behaviours import RuleBased, decided_quotes, decision_inputs
from agents.decisions import Quotes
from agents.learned_kernels import (
    ACTION_SIZE,
    DEAD_ZONE,
    DEPTH_LEVELS,
    MAX_QUANTITY,
    OFFSET,
    RESEARCH,
    REVERSE,
)
from agents.network import PolicyNetwork, load_network, read_metadata
from market.book_kernels import NONE
from market.config import ScenarioError
from market.data import POLICY_DIR
from market.orders import Side

if TYPE_CHECKING:
    from agents.view import MarketView
    from market.config import MarketConfig

FIRM_FEATURES = (
    "allowances",
    "shortfall",
    "coins",
    "emission_rate",
    "capacity",
    "rounds_left",
    "years_gone",
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
    "rule_output",
    "rule_research",
    "rule_offset",
    "rule_side",
)


def observation_scales(
    cfg: MarketConfig,
    capacity: np.ndarray,
    initial_emission_rate: np.ndarray,
    baseline_emissions: np.ndarray,
    initial_coins: np.ndarray,
) -> tuple[float, float]:
    """The quantity and coin scales of a market's observations, from its firms at the start.

    Returns:
        A typical firm's yearly emissions (t) and its coins: its starting coins or a year's
        revenue at capacity.
    """
    if cfg.production:
        per_firm = capacity * initial_emission_rate * cfg.steps_per_year
    else:
        per_firm = baseline_emissions
    revenue = cfg.output_price * float(capacity.mean()) * cfg.steps_per_year
    coins = max(float(np.mean(initial_coins)), revenue if cfg.production else 0.0, 1.0)
    return max(float(np.mean(per_firm)), 1.0), coins


def market_scales(view: MarketView) -> tuple[float, float]:
    """:func:`observation_scales` of the market ``view`` shows."""
    ent = view.enterprises
    return observation_scales(view.config, ent.capacity, ent.initial_emission_rate,
                              ent.baseline_emissions, view.initial_coins)  # fmt: skip


def firm_observations(view: MarketView, firms: np.ndarray) -> np.ndarray:
    """Observations of ``firms``, shape ``(k, len(FIRM_FEATURES))``, float32."""
    seen, firms, work = decision_inputs(view, firms)
    cfg, book = view.config, view.book
    volume = [sum(q for _, q in book.depth(side, DEPTH_LEVELS)) for side in (Side.BID, Side.ASK)]
    book_top = np.array([_tick(book.best_bid()), _tick(book.last_price), *volume], dtype=np.int64)
    scales = np.array(
        [
            *market_scales(view),
            cfg.steps_per_year,
            view.year / cfg.years,
            cfg.max_orders,
            float(cfg.research),
        ]
    )
    out = np.empty((len(firms), len(FIRM_FEATURES)), dtype=np.float32)
    learned_kernels.observe(
        seen, firms, view.accounts.escrow_coins, book.open_counts(), book_top, scales, work, out
    )
    return out


def _tick(price: int | None) -> int:
    """A price as the kernels take it (``NONE`` for none)."""
    return NONE if price is None else price


def _by_firm(view: MarketView, firms: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The group's actions ``(k, ACTION_SIZE)`` in the rows of their firms, as kernels read them."""
    full = np.zeros((view.enterprises.n, ACTION_SIZE))
    full[firms] = actions
    return full


def corrected_output(view: MarketView, firms: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Output per firm (units): the rule's share of capacity, corrected by action 0."""
    seen, firms, work = decision_inputs(view, firms)
    behaviour_kernels.production(seen, firms, work)
    learned_kernels.correct_output(seen, firms, _by_firm(view, firms, actions), work)
    return work.output[firms]


def corrected_choices(
    view: MarketView, firms: np.ndarray, actions: np.ndarray, entry: int
) -> np.ndarray:
    """The rule's R&D (``entry`` RESEARCH) or green-project (OFFSET) choice, maybe reversed."""
    seen, firms, work = decision_inputs(view, firms)
    rule = behaviour_kernels.research if entry == RESEARCH else behaviour_kernels.offsets
    rule(seen, firms, work)
    learned_kernels.correct_choices(firms, _by_firm(view, firms, actions), entry, work)
    return work.chosen[firms]


def corrected_quotes(view: MarketView, firms: np.ndarray, actions: np.ndarray) -> Quotes:
    """The rule's orders corrected by actions 3-5, clipped to what each firm can honour."""
    seen, firms, work = decision_inputs(view, firms)
    learned_kernels.learned_quotes(seen, firms, _by_firm(view, firms, actions), work)
    return decided_quotes(firms, work)


#: How far from zero each action must be to change the rule's decision.
CORRECTION_THRESHOLDS = np.array([DEAD_ZONE, REVERSE, REVERSE, REVERSE, DEAD_ZONE, DEAD_ZONE])


def corrections(actions: np.ndarray) -> np.ndarray:
    """Which actions ``(k, ACTION_SIZE)`` would change the rule's decision, bool, same shape.

    A reversal counts where it would reverse the rule whichever way the rule decided, so this
    depends on the actions alone.
    """
    return np.abs(actions) > CORRECTION_THRESHOLDS


def clip_actions(actions: np.ndarray, n_firms: int) -> np.ndarray:
    """The policy's actions as a float array ``(n_firms, ACTION_SIZE)`` within [-1, 1]."""
    return np.clip(np.asarray(actions, dtype=float).reshape(n_firms, ACTION_SIZE), -1.0, 1.0)


def correction_counts(clipped: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group of rows, the firms each action corrects the rule for, then the firms.

    Args:
        clipped: a round's actions, ``(k, ACTION_SIZE)`` (:func:`clip_actions`).
        starts: the first row of each group, increasing, ``starts[0] == 0``.

    Returns:
        Shape ``(len(starts), ACTION_SIZE + 1)``, int64.
    """
    corrected = np.add.reduceat(corrections(clipped).astype(np.int64), starts, axis=0)
    firms = np.diff(np.append(starts, len(clipped)))
    return np.column_stack([corrected, firms])


ONE_GROUP = np.zeros(1, dtype=np.int64)  # the rows of one behaviour's firms, one group
SHIPPED_ENTERPRISES = POLICY_DIR / "enterprises-paper.zip"


class LearnedBehaviour(RuleBased):
    """The rule-based firm's decisions, corrected by a shared policy's actions.

    All firms holding one learned behaviour act through the same network (parameter sharing,
    as in the paper): once a round, the behaviour observes every one of its firms and the
    network gives all their actions in one batch. It observes at the end of each round
    (``observe``), when a training env observes them too, and its actions for the next round
    apply phase by phase to the rule's decisions of that moment. A trained network acts by
    its mean action, so the same seed gives the same run. While the firms are being trained,
    the training env sets the actions instead (``set_actions``).

    Args:
        network: the trained policy; None while a training env drives the firms.

    Attributes:
        next_actions: the actions for the coming round, shape ``(k, ACTION_SIZE)``.
        counts: firm-rounds in which each action departed from the rule, then the firm-rounds
            decided (a trained policy only, :func:`correction_counts`), shape
            ``(ACTION_SIZE + 1,)``; a batch's lane keeps them in a row of its arrays.
    """

    name = "learned"

    def __init__(self, network: PolicyNetwork | None = None) -> None:
        super().__init__(max_quantity=MAX_QUANTITY)
        self.network = network
        self.next_actions: np.ndarray | None = None
        self.counts = np.zeros(ACTION_SIZE + 1, dtype=np.int64)

    @property
    def corrected(self) -> np.ndarray:
        """Firm-rounds in which each action departed from the rule, shape ``(ACTION_SIZE,)``."""
        return self.counts[:ACTION_SIZE]

    @property
    def decided(self) -> int:
        """Firm-rounds the policy decided."""
        return int(self.counts[ACTION_SIZE])

    def set_actions(self, actions: np.ndarray) -> None:
        """Actions for the next round, one row per firm holding the behaviour (training)."""
        self.next_actions = np.asarray(actions, dtype=float)

    def observe(self, view: MarketView, firms: np.ndarray) -> None:
        """Choose the next round's actions from the firms' observations (a trained policy)."""
        if self.network is None:
            return
        self.next_actions = self.network.act(firm_observations(view, firms))
        if view.running:
            clipped = clip_actions(self.next_actions, len(firms))
            self.counts += correction_counts(clipped, ONE_GROUP)[0]

    def current_actions(self, firms: np.ndarray) -> np.ndarray:
        """The round's actions of ``firms``, clipped, shape ``(k, ACTION_SIZE)``.

        Raises:
            RuntimeError: neither a policy nor an env has chosen them.
        """
        if self.next_actions is None:
            raise RuntimeError("a learned behaviour needs a policy or actions set by an env")
        return clip_actions(self.next_actions, len(firms))

    def production(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """The rule's output corrected by action 0 (units)."""
        return corrected_output(view, firms, self.current_actions(firms))

    def research(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """The rule's R&D choice, reversed where action 1 says so."""
        return corrected_choices(view, firms, self.current_actions(firms), RESEARCH)

    def offsets(self, view: MarketView, firms: np.ndarray) -> np.ndarray:
        """The rule's green-project choice, reversed where action 2 says so."""
        return corrected_choices(view, firms, self.current_actions(firms), OFFSET)

    def quote(self, view: MarketView, firms: np.ndarray) -> Quotes:
        """The rule's orders corrected by actions 3-5, clipped to what each firm can post."""
        return corrected_quotes(view, firms, self.current_actions(firms))


@lru_cache(maxsize=8)
def load_enterprise_network(path: str) -> PolicyNetwork:
    """The shared network of a saved enterprise policy (``NAME.zip`` with its sidecars).

    Raises:
        ScenarioError: the files are missing or corrupt, or the policy is not an enterprise
            policy with this module's observation and action.
    """
    where = "market.enterprise_policy"
    model_path = Path(path)
    metadata = read_metadata(model_path, where)
    if metadata.get("kind") != "enterprises":
        raise ScenarioError(f"{where}: {model_path} is not an enterprise policy")
    network = load_network(model_path, where)
    if network.observation_size != len(FIRM_FEATURES) or network.action_size != ACTION_SIZE:
        raise ScenarioError(
            f"{where}: {model_path} expects observation ({network.observation_size},) and "
            f"action ({network.action_size},), not ({len(FIRM_FEATURES)},) and ({ACTION_SIZE},)"
        )
    return network


def make_learned_behaviour(policy: str) -> LearnedBehaviour:
    """The learned behaviour for a market.

    Args:
        policy: ``""`` while a training env drives the firms, ``shipped`` for the shipped
            paper enterprise policy, else the path of a saved policy ``.zip``.
    """
    if not policy:
        return LearnedBehaviour()
    path = SHIPPED_ENTERPRISES if policy == "shipped" else Path(policy)
    return LearnedBehaviour(load_enterprise_network(str(path)))
