"""The firms' state and the mechanics that change it: production, R&D, offsets, compliance.

The state of every firm lives in :class:`Enterprises`, a table of numpy columns (one row per
firm), so every phase of a round works on all firms at once. The columns are updated in place
and never rebound, so a read-only view taken once (``model.view``) always shows the current
state. What each firm does is decided elsewhere (``agents``); these methods apply decisions.

Units: output in units per round, emissions in tonnes (t), emission rate in t per unit of
output, money in coins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from market.accounts import Accounts
from market.theory import compliance_cost

if TYPE_CHECKING:
    from market.config import MarketConfig


@dataclass
class ComplianceResult:
    """What one year-end settlement did, summed over firms.

    Attributes:
        emissions: verified emissions after abatement (t).
        abated: tonnes abated at year end (textbook abatement).
        surrendered: allowances surrendered.
        shortfall: tonnes not covered by an allowance (over-emission of the year).
        penalties: coins paid in penalties.
        abatement_spent: coins spent on abatement.
        expired: allowances that expired unused (no banking).
    """

    emissions: float
    abated: float
    surrendered: float
    shortfall: float
    penalties: float
    abatement_spent: float
    expired: float


class Enterprises:
    """The state of every firm as columns, and the per-round phases that change it.

    Args:
        market: the market's rules and technology.
        accounts: coins and allowances of every firm (shared with the order book).
        capacity: output per round at full use, shape ``(n,)``.
        research_ability: R&D skill R, shape ``(n,)``.
        emission_rate: initial t per unit output, shape ``(n,)``.
        baseline_emissions: t per year in the textbook economy (nan otherwise), shape ``(n,)``.
        abatement_cost: slope c of marginal abatement cost (inf = none), shape ``(n,)``.
        sector: sector label per firm, shape ``(n,)``.
    """

    def __init__(
        self,
        market: MarketConfig,
        accounts: Accounts,
        *,
        capacity: np.ndarray,
        research_ability: np.ndarray,
        emission_rate: np.ndarray,
        baseline_emissions: np.ndarray,
        abatement_cost: np.ndarray,
        sector: np.ndarray,
    ) -> None:
        n = len(capacity)
        self.config = market
        self.accounts = accounts
        self.capacity = np.asarray(capacity, dtype=float)
        self.research_ability = np.asarray(research_ability, dtype=float)
        self.initial_emission_rate = np.asarray(emission_rate, dtype=float)
        self.emission_rate = self.initial_emission_rate.copy()
        self.baseline_emissions = np.asarray(baseline_emissions, dtype=float)
        self.abatement_cost = np.asarray(abatement_cost, dtype=float)
        self.sector = np.asarray(sector, dtype=object)
        #: Coins one R&D attempt costs each firm: research_cost / R.
        self.research_attempt_cost = market.research_cost / self.research_ability
        self.knowledge = np.zeros(n, dtype=np.int64)
        # Successful R&D waiting to take effect: row (round % (delay + 1)) matures that round.
        self._maturing = np.zeros((market.research_delay + 1, n), dtype=np.int64)
        self.last_research_round = np.zeros(n, dtype=np.int64)
        self.output = np.zeros(n)
        self.ytd_output = np.zeros(n)
        self.ytd_emissions = np.zeros(n)
        self.last_year_output = np.zeros(n)
        self.last_year_emissions = np.zeros(n)
        self.owed = np.zeros(n)
        self.emitted_total = np.zeros(n)
        self.surrendered_total = np.zeros(n)
        self.green_projects_completed = 0

    @property
    def n(self) -> int:
        """Number of firms."""
        return len(self.capacity)

    @property
    def over_emission(self) -> np.ndarray:
        """Tonnes each firm emitted that no allowance ever covered, shape ``(n,)``."""
        return np.maximum(self.emitted_total - self.surrendered_total, 0.0)

    # ------------------------------------------------------------------ phases of a round

    def produce(self, output: np.ndarray) -> float:
        """Produce ``output`` units (clipped to [0, capacity]); earn revenue and emit.

        Returns:
            Revenue earned this round (coins), summed over firms.
        """
        np.clip(output, 0.0, self.capacity, out=self.output)
        revenue = self.config.output_price * self.output
        self.accounts.coins += revenue
        self.ytd_output += self.output
        self.ytd_emissions += self.emission_rate * self.output
        return float(revenue.sum())

    def research(self, attempts: np.ndarray, round_: int, rng: np.random.Generator) -> float:
        """Pay for R&D where ``attempts`` is true and affordable; successes mature later.

        Returns:
            Coins spent on R&D this round.
        """
        cost = self.research_attempt_cost
        firms = np.flatnonzero(attempts & (self.accounts.coins >= cost))
        if firms.size == 0:
            return 0.0
        self.accounts.coins[firms] -= cost[firms]
        self.last_research_round[firms] = round_
        success = firms[rng.random(firms.size) < self.config.research_success]
        slot = (round_ + self.config.research_delay) % len(self._maturing)
        self._maturing[slot, success] += 1
        return float(cost[firms].sum())

    def update_technology(self, round_: int) -> None:
        """Apply matured R&D, forget knowledge after a long pause, recompute emission rates.

        ``Er = max(Er0 * exp(-a R n) * S / (S + G), floor)`` with ``S = sum_j exp(-a n_j) V_j``
        and ``G`` the completed green projects (MODEL.md, "R&D").
        """
        cfg = self.config
        slot = round_ % len(self._maturing)
        self.knowledge += self._maturing[slot]
        self._maturing[slot] = 0
        idle = (round_ - self.last_research_round) >= cfg.forget_after
        if idle.any():
            forgetting = idle & (self.knowledge > 0)
            self.knowledge[forgetting] -= 1
            self.last_research_round[idle] = round_  # the next loss comes forget_after later
        a = cfg.research_effect
        spread = np.sum(np.exp(-a * self.knowledge) * self.capacity)
        green = self.green_projects_completed
        green_factor = spread / (spread + green) if spread + green > 0 else 1.0
        rate = self.initial_emission_rate * np.exp(-a * self.research_ability * self.knowledge)
        np.maximum(rate * green_factor, cfg.min_emission_rate, out=self.emission_rate)
        # A firm that starts below the floor (a clean sector) keeps its own rate.
        np.minimum(self.emission_rate, self.initial_emission_rate, out=self.emission_rate)

    def buy_offsets(self, wanting: np.ndarray, available: int, rng: np.random.Generator) -> int:
        """Firms that want one complete a green project each, in random order, while any remain.

        Each pays ``green_project_cost`` and gets one allowance; every completed project
        lowers every firm's emission rate through G.

        Returns:
            Number of projects completed.
        """
        cost = self.config.green_project_cost
        firms = np.flatnonzero(wanting & (self.accounts.coins >= cost))
        if firms.size == 0 or available <= 0:
            return 0
        firms = rng.permutation(firms)[:available]
        self.accounts.coins[firms] -= cost
        self.accounts.allowances[firms] += 1.0
        self.green_projects_completed += firms.size
        return int(firms.size)

    # ------------------------------------------------------------------ year end

    def settle_compliance(self) -> ComplianceResult:
        """Year end: abate where cheaper than the penalty, surrender, pay penalties, expire.

        Must run after the order book is cleared (all escrow refunded).
        """
        cfg, acc = self.config, self.accounts
        if not cfg.production:
            self.ytd_emissions[:] = self.baseline_emissions
        obligation = self.ytd_emissions + self.owed
        shortfall = np.maximum(obligation - acc.allowances, 0.0)
        # Abate a = min(shortfall, P / c): each tonne abated below the penalty is cheaper.
        with np.errstate(divide="ignore", invalid="ignore"):
            abated = np.minimum(
                shortfall,
                np.where(np.isinf(self.abatement_cost), 0.0, cfg.penalty / self.abatement_cost),
            )
        # Only this year's emissions can be abated, not a make-good debt from earlier years.
        abated = np.minimum(np.nan_to_num(abated, nan=0.0), np.maximum(self.ytd_emissions, 0.0))
        abatement_spent = compliance_cost(abated, self.abatement_cost, np.inf)
        self.ytd_emissions -= abated
        obligation -= abated
        surrendered = np.minimum(acc.allowances, obligation)
        acc.allowances -= surrendered
        missing = obligation - surrendered
        penalties = cfg.penalty * missing
        acc.coins -= penalties + abatement_spent
        self.emitted_total += self.ytd_emissions
        self.surrendered_total += surrendered
        # A make-good debt was counted in emitted_total the year it arose; surrendering
        # for it later covers it, so over_emission = emitted - surrendered stays exact.
        self.owed[:] = missing if cfg.make_good else 0.0
        expired = 0.0
        if not cfg.banking:
            expired = float(acc.allowances.sum())
            acc.allowances[:] = 0.0
        result = ComplianceResult(
            emissions=float(self.ytd_emissions.sum()),
            abated=float(abated.sum()),
            surrendered=float(surrendered.sum()),
            shortfall=float(missing.sum()),
            penalties=float(penalties.sum()),
            abatement_spent=float(np.sum(abatement_spent)),
            expired=expired,
        )
        self.last_year_emissions[:] = self.ytd_emissions
        self.last_year_output[:] = self.ytd_output
        self.ytd_emissions[:] = 0.0
        self.ytd_output[:] = 0.0
        return result
