"""The carbon-market model: the Mesa model, its order book, metrics, theory and scenarios."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    from model.market import CarbonMarket

__all__ = ["CarbonMarket", "Scenario", "ScenarioError", "load_scenario"]


def __getattr__(name: str) -> Any:
    # Imported lazily: model.market imports agents.enterprise, which imports model.accounts,
    # so an eager import here made ``import agents.enterprise`` (as the first import) circular.
    if name == "CarbonMarket":
        from model.market import CarbonMarket

        return CarbonMarket
    raise AttributeError(f"module 'model' has no attribute {name!r}")
