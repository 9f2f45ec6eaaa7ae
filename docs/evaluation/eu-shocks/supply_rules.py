"""Why ``msr`` and ``price-target`` play as the flat ``auction`` on ``eu-shocks``.

The study behind the note on the supply rules in docs/regulator.md (section ``eu-shocks``).
On training seeds only (the schedule search's block, below the held-out evaluation seeds) it
reports what the flat auction sells (its clearing prices, the share of the budget ever
issued), the largest TNAC the market stability reserve reads, as a share of its thresholds
(scaled to the scenario's budget by ``agents.supply_rules``), why the auction sells less than
it offers (per year: the allowances offered, the firms' projected shortfalls, the units they
bid, and how many firms' coins cut their bids), and the welfare of ``price-target`` over a
grid of gains and target prices against the flat auction.

Run from the repository root (about half a minute on one core):

    python docs/evaluation/eu-shocks/supply_rules.py --seeds 32
"""

from __future__ import annotations

import argparse

import numpy as np

from agents import supply_rules, valuation_kernels
from agents.valuation import sight
from learning.schedule_search import SEARCH_SEED_START
from model import CarbonMarket, compliance_year, load_scenario
from model.batch import MarketBatch

SCENARIO, C = "eu-shocks", 0.2


def played(seeds: list[int], policy: str, **overrides: float) -> list[CarbonMarket]:
    """The markets of ``policy`` on ``seeds`` at c = 0.2, played to the end."""
    lanes = [load_scenario(SCENARIO, policy=policy, climate_coefficient=C, **overrides)] * len(
        seeds
    )
    return MarketBatch(lanes, seeds).run().markets


def welfare(seeds: list[int], policy: str, **overrides: float) -> np.ndarray:
    """Final welfare of ``policy`` on each seed at c = 0.2, shape ``(len(seeds),)``."""
    return np.array([market.welfare for market in played(seeds, policy, **overrides)])


def tnac_shares(seeds: list[int]) -> np.ndarray:
    """Every year's TNAC under ``msr`` as a share of its (scaled) upper threshold."""
    shares = []
    release_share = supply_rules.MarketStabilityReserve.release_share

    def recorded(self, view):
        flat = view.budget / view.config.years
        upper = supply_rules.ReserveRule().scaled(flat / supply_rules.EU_CAP_2021).upper
        shares.append(float(view.accounts.total_allowances().sum()) / upper)
        return release_share(self, view)

    supply_rules.MarketStabilityReserve.release_share = recorded
    try:
        welfare(seeds, "msr")
    finally:
        supply_rules.MarketStabilityReserve.release_share = release_share
    return np.array(shares)


def auction_demand(seeds: list[int]) -> np.ndarray:
    """Each auction's offer and demand under the flat ``auction``, shape ``(seeds, years, 4)``.

    Per auction: the allowances offered, the firms' projected shortfalls at capacity (each
    rounded up, those short only), the units they bid, and the firms whose bids stop short
    of their shortfall because their coins could not pay their own limit prices.
    """
    rows = []
    bids = compliance_year.auction_bids

    def observed(view, max_units):
        bidders, prices = bids(view, max_units)
        seen = sight(view)
        short = np.array([
            valuation_kernels.bid_shortfall(seen, i, True, seen.capacity[i])
            for i in range(seen.capacity.size)
        ])  # fmt: skip
        need = np.maximum(np.ceil(short), 0)
        cut = np.bincount(bidders, minlength=need.size) < np.minimum(need, max_units)
        rows.append((max_units, need.sum(), bidders.size, cut.sum()))
        return bidders, prices

    compliance_year.auction_bids = observed
    try:
        played(seeds, "auction")
    finally:
        compliance_year.auction_bids = bids
    return np.array(rows, dtype=float).reshape(len(seeds), -1, 4)


def main() -> None:
    """Print the TNAC against the thresholds and the gain grid against the auction."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=32, help="training seeds")
    args = parser.parse_args()
    seeds = list(range(SEARCH_SEED_START, SEARCH_SEED_START + args.seeds))
    markets = played(seeds, "auction")
    auction = np.array([market.welfare for market in markets])
    issued = np.array([market.allowances_issued / market.run.budget for market in markets])
    prices = sorted({result.price for market in markets for result in market.run.auctions})
    print(f"auction: clearing prices {prices}; share of the budget issued {issued.mean():.3f} "
          f"(from {issued.min():.3f} to {issued.max():.3f})")  # fmt: skip
    demand = auction_demand(seeds).mean(axis=0)
    for year, (offered, need, bid, cut) in enumerate(demand, start=1):
        print(f"auction year {year}: offered {offered:.0f}, shortfalls {need:.0f}, bid {bid:.0f}, "
              f"firms cut by their coins {cut:.0f} (means over seeds)")  # fmt: skip
    same = np.array_equal(auction, welfare(seeds, "msr"))
    rule = supply_rules.ReserveRule()
    top = tnac_shares(seeds).max()
    print(f"auction: mean welfare {auction.mean():.0f}; msr identical on every seed: {same}")
    print(f"largest TNAC: {top:.3f} of the upper threshold, {top * rule.upper / rule.lower:.3f}"
          " of the lower one")  # fmt: skip
    for target in (0.25, 0.5, 0.75):
        for gain in (0.0, 0.25, 0.5, 1.0, 2.0, 4.0):
            mean = welfare(
                seeds, "price-target", target_gain=gain, target_price_share=target
            ).mean()
            print(f"price-target, target {target} of the ceiling, gain {gain}: {mean:.0f} "
                  f"({mean - auction.mean():+.0f} against the auction)")  # fmt: skip


if __name__ == "__main__":
    main()
