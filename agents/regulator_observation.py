"""What the regulator sees at the start of a year: a 1-D float32 vector on known scales.

Market-wide features (``MARKET_FEATURES``, in this order), each divided by a scale the
scenario fixes, so the values sit roughly in [0, 1] (productivity can reach ~10):

* ``year``: years elapsed / years in the episode;
* ``remaining_budget``: allowances left / episode budget;
* ``release``, ``volume``, ``emissions``, ``shortfall``: last year's, / the flat yearly
  release (budget / years);
* ``price``: last year's VWAP / price ceiling (0 when nothing traded), ``traded`` 1 or 0;
* ``over_emission``: tonnes never covered so far / budget;
* ``equality``: as in MODEL.md (already in [0, 1]);
* ``productivity``: mean coins / a firm's revenue in a year at mean capacity;
* ``emission_rate``: mean tonnes per unit output;
* ``climate_coefficient``: c of the market's welfare, the regulator's objective.

In the per-firm action mode, 4 features per firm follow: share of all coins, emission rate,
capacity / largest capacity, last year's emissions / (flat yearly release / n_firms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agents.view import MarketView

MARKET_FEATURES = (
    "year",
    "remaining_budget",
    "release",
    "volume",
    "emissions",
    "shortfall",
    "price",
    "traded",
    "over_emission",
    "equality",
    "productivity",
    "emission_rate",
    "climate_coefficient",
)
FIRM_FEATURES = ("coin_share", "emission_rate", "capacity", "emissions")


def observation_size(per_firm: bool, n_firms: int) -> int:
    """Length of the observation vector."""
    return len(MARKET_FEATURES) + (len(FIRM_FEATURES) * n_firms if per_firm else 0)


def observe(view: MarketView, per_firm: bool) -> np.ndarray:
    """The regulator's observation before the coming year's allocation.

    Args:
        view: the market, between years (or inside the first round's allocation).
        per_firm: append the per-firm features.

    Returns:
        float32 array of shape ``(observation_size(per_firm, n_firms),)``.
    """
    cfg, ent, acc = view.config, view.enterprises, view.accounts
    budget = view.budget
    yearly = budget / cfg.years
    last = view.last_year_record
    coins = acc.total_coins()
    revenue_scale = max(cfg.output_price * ent.capacity.mean() * cfg.steps_per_year, 1.0)
    traded = last is not None and last["volume"] > 0
    features = [
        view.years_done / cfg.years,
        view.remaining_budget / budget,
        last["release"] / yearly if last else 0.0,
        last["volume"] / yearly if last else 0.0,
        last["emissions"] / yearly if last else 0.0,
        last["shortfall"] / yearly if last else 0.0,
        last["price"] / cfg.price_ceiling if traded else 0.0,
        float(traded),
        float(ent.over_emission.sum()) / budget,
        view.latest_measure("equality"),
        view.latest_measure("productivity") / revenue_scale,
        float(ent.emission_rate.mean()),
        cfg.climate_coefficient,
    ]
    parts = [np.asarray(features, dtype=np.float64)]
    if per_firm:
        total = coins.sum()
        parts += [
            coins / total if total > 0 else np.full(ent.n, 1.0 / ent.n),
            ent.emission_rate,
            ent.capacity / max(ent.capacity.max(), 1e-12),
            ent.last_year_emissions / (yearly / ent.n),
        ]
    return np.concatenate(parts).astype(np.float32)
