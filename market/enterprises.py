"""The firms' state and the mechanics that change it: production, R&D, offsets, compliance.

The state of every firm lives in :class:`Enterprises`, a table of numpy columns (one row per
firm), so every phase of a round works on all firms at once. The columns are updated in place
and never rebound, so a read-only view taken once (``model.view``) always shows the current
state. What each firm does is decided elsewhere (``agents``); these methods apply decisions,
through the compiled kernels of :mod:`market.firm_kernels`.

Units: output in units per round, emissions in tonnes (t), emission rate in t per unit of
output, money in coins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from market import firm_kernels as kernels
from market.accounts import Accounts

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
        return kernels.produce(
            np.asarray(output, dtype=np.float64),
            self.capacity,
            self.output,
            self.accounts.coins,
            self.ytd_output,
            self.ytd_emissions,
            self.emission_rate,
            self.config.output_price,
        )

    def research(self, attempts: np.ndarray, round_: int, rng: np.random.Generator) -> float:
        """Pay for R&D where ``attempts`` is true and affordable; successes mature later.

        Returns:
            Coins spent on R&D this round.
        """
        cfg = self.config
        return kernels.research(
            np.asarray(attempts, dtype=np.bool_),
            round_,
            rng,
            self.research_attempt_cost,
            self.accounts.coins,
            self.last_research_round,
            self._maturing,
            cfg.research_success,
            cfg.research_delay,
        )

    def update_technology(self, round_: int) -> None:
        """Apply matured R&D, forget knowledge after a long pause, recompute emission rates.

        ``Er = max(Er0 * exp(-a R n) * S / (S + G), floor)`` with ``S = sum_j exp(-a n_j) V_j``
        and ``G`` the completed green projects (MODEL.md, "R&D").
        """
        cfg = self.config
        kernels.update_technology(
            round_,
            self.knowledge,
            self._maturing,
            self.last_research_round,
            self.capacity,
            self.research_ability,
            self.initial_emission_rate,
            self.emission_rate,
            self.green_projects_completed,
            cfg.forget_after,
            cfg.research_effect,
            cfg.min_emission_rate,
        )

    def buy_offsets(self, wanting: np.ndarray, available: int, rng: np.random.Generator) -> int:
        """Firms that want one complete a green project each, in random order, while any remain.

        Each pays ``green_project_cost`` and gets one allowance; every completed project
        lowers every firm's emission rate through G.

        Returns:
            Number of projects completed.
        """
        done = kernels.buy_offsets(
            np.asarray(wanting, dtype=np.bool_),
            available,
            rng,
            self.accounts.coins,
            self.accounts.allowances,
            self.config.green_project_cost,
        )
        self.green_projects_completed += done
        return done

    # ------------------------------------------------------------------ year end

    def settle_compliance(self) -> ComplianceResult:
        """Year end: abate where cheaper than the penalty, surrender, pay penalties, expire.

        Must run after the order book is cleared (all escrow refunded).
        """
        cfg = self.config
        return ComplianceResult(
            *kernels.settle_compliance(
                self.accounts.coins,
                self.accounts.allowances,
                self.ytd_emissions,
                self.ytd_output,
                self.baseline_emissions,
                self.owed,
                self.abatement_cost,
                self.emitted_total,
                self.surrendered_total,
                self.last_year_emissions,
                self.last_year_output,
                cfg.penalty,
                cfg.production,
                cfg.banking,
                cfg.make_good,
            )
        )
