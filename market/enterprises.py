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


#: The firms' float columns, rows of ``FirmArrays.floats`` (shape ``(lanes, 16, n_firms)``).
FLOAT_COLUMNS = (
    "capacity",
    "research_ability",
    "research_attempt_cost",
    "initial_emission_rate",
    "emission_rate",
    "baseline_emissions",
    "abatement_cost",
    "output",
    "ytd_output",
    "ytd_emissions",
    "last_year_output",
    "last_year_emissions",
    "owed",
    "emitted_total",
    "surrendered_total",
    "research_rate_kept",
)
#: The firms' integer columns, rows of ``FirmArrays.ints``.
INT_COLUMNS = ("knowledge", "last_research_round")
#: Each float column's row in ``FirmArrays.floats``, by name (what the kernels index by).
FLOAT_ROW = {name: row for row, name in enumerate(FLOAT_COLUMNS)}


@dataclass
class FirmArrays:
    """The firms' state of a batch of markets, one lane per market.

    Attributes:
        floats: the float columns (:data:`FLOAT_COLUMNS`), shape ``(lanes, 16, n_firms)``.
        ints: the integer columns (:data:`INT_COLUMNS`), shape ``(lanes, 2, n_firms)``.
        maturing: successful R&D waiting to take effect, shape
            ``(lanes, research_delay + 1, n_firms)``: row ``round % (delay + 1)`` matures then.
        green: green projects completed in each market, shape ``(lanes,)``.
    """

    floats: np.ndarray
    ints: np.ndarray
    maturing: np.ndarray
    green: np.ndarray

    def as_tuple(self) -> tuple[np.ndarray, ...]:
        """``(floats, ints, maturing, green)``, as the round kernel takes them."""
        return self.floats, self.ints, self.maturing, self.green

    def start(
        self,
        lane: int,
        market: MarketConfig,
        capacity: np.ndarray,
        research_ability: np.ndarray,
        emission_rate: np.ndarray,
        baseline_emissions: np.ndarray,
        abatement_cost: np.ndarray,
    ) -> None:
        """Write a market's firms as they start into ``lane`` (zeroed arrays: :meth:`empty`).

        The arguments are :class:`Enterprises`'; the R&D attempt's cost (``research_cost /
        R``, coins) and the share of its emission rate a firm keeps per unit of knowledge
        (``exp(-a R)``) are derived here.
        """
        f = self.floats[lane]
        f[FLOAT_ROW["capacity"]] = capacity
        f[FLOAT_ROW["research_ability"]] = research_ability
        f[FLOAT_ROW["initial_emission_rate"]] = emission_rate
        f[FLOAT_ROW["emission_rate"]] = emission_rate
        f[FLOAT_ROW["baseline_emissions"]] = baseline_emissions
        f[FLOAT_ROW["abatement_cost"]] = abatement_cost
        ability = f[FLOAT_ROW["research_ability"]]
        f[FLOAT_ROW["research_attempt_cost"]] = market.research_cost / ability
        kernels.research_rate_kept(market.research_effect, ability,
                                   f[FLOAT_ROW["research_rate_kept"]])  # fmt: skip

    @classmethod
    def empty(cls, lanes: int, n_firms: int, research_delay: int) -> FirmArrays:
        """Zeroed arrays for ``lanes`` markets of ``n_firms`` firms."""
        return cls(
            floats=np.zeros((lanes, len(FLOAT_COLUMNS), n_firms)),
            ints=np.zeros((lanes, len(INT_COLUMNS), n_firms), dtype=np.int64),
            maturing=np.zeros((lanes, research_delay + 1, n_firms), dtype=np.int64),
            green=np.zeros(lanes, dtype=np.int64),
        )


class Enterprises:
    """The state of every firm of one market as columns, and the phases that change it.

    The columns are views of one lane of :class:`FirmArrays` (a batch of one unless the
    market is a lane of a batch), changed in place and never rebound.

    Args:
        market: the market's rules and technology.
        accounts: coins and allowances of every firm (shared with the order book).
        capacity: output per round at full use, shape ``(n,)``.
        research_ability: R&D skill R, shape ``(n,)``.
        emission_rate: initial t per unit output, shape ``(n,)``.
        baseline_emissions: t per year in the textbook economy (nan otherwise), shape ``(n,)``.
        abatement_cost: slope c of marginal abatement cost (inf = none), shape ``(n,)``.
        sector: sector label per firm, shape ``(n,)``.
        arrays: the batch the firms are a lane of (default: a batch of one of their own).
        lane: their lane.
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
        arrays: FirmArrays | None = None,
        lane: int = 0,
    ) -> None:
        n = len(capacity)
        self.config = market
        self.accounts = accounts
        self.arrays = arrays or FirmArrays.empty(1, n, market.research_delay)
        self.lane = lane
        for i, name in enumerate(FLOAT_COLUMNS):
            setattr(self, name, self.arrays.floats[lane, i])
        for i, name in enumerate(INT_COLUMNS):
            setattr(self, name, self.arrays.ints[lane, i])
        self._maturing = self.arrays.maturing[lane]
        self.arrays.start(lane, market, capacity, research_ability, emission_rate,
                          baseline_emissions, abatement_cost)  # fmt: skip
        self.sector = np.asarray(sector, dtype=object)

    @property
    def green_projects_completed(self) -> int:
        """Green projects completed by all firms so far."""
        return int(self.arrays.green[self.lane])

    @green_projects_completed.setter
    def green_projects_completed(self, value: int) -> None:
        self.arrays.green[self.lane] = value

    @property
    def n(self) -> int:
        """Number of firms."""
        return len(self.capacity)

    @property
    def over_emission(self) -> np.ndarray:
        """Tonnes each firm emitted that no allowance ever covered, shape ``(n,)``."""
        return np.maximum(self.emitted_total - self.surrendered_total, 0.0)

    # ------------------------------------------------------------------ phases of a round

    def produce(self, output: np.ndarray, output_price: float) -> float:
        """Produce ``output`` units (clipped to [0, capacity]); earn revenue and emit.

        Args:
            output: units each firm decided to produce, shape ``(n,)``.
            output_price: this year's revenue per unit (coins).

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
            output_price,
            np.empty(self.n),
        )

    def research(self, attempts: np.ndarray, round_: int, rng_state: np.ndarray) -> float:
        """Pay for R&D where ``attempts`` is true and affordable; successes mature later.

        Returns:
            Coins spent on R&D this round.
        """
        cfg = self.config
        return kernels.research(
            np.asarray(attempts, dtype=np.bool_),
            round_,
            rng_state,
            self.research_attempt_cost,
            self.accounts.coins,
            self.last_research_round,
            self._maturing,
            cfg.research_success,
            cfg.research_delay,
            np.empty(self.n, dtype=np.int64),
            np.empty(self.n),
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
            np.empty(self.n),
        )

    def buy_offsets(self, wanting: np.ndarray, available: int, rng_state: np.ndarray) -> int:
        """Firms that want one complete a green project each, in random order, while any remain.

        Each pays ``green_project_cost`` and gets one allowance; every completed project
        lowers every firm's emission rate through G.

        Returns:
            Number of projects completed.
        """
        done = kernels.buy_offsets(
            np.asarray(wanting, dtype=np.bool_),
            available,
            rng_state,
            self.accounts.coins,
            self.accounts.allowances,
            self.config.green_project_cost,
            np.empty(self.n, dtype=np.int64),
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
