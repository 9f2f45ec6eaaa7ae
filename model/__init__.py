"""The carbon-market model: the Mesa model, its order book, metrics, theory and scenarios."""

from model.market import CarbonMarket
from model.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["CarbonMarket", "Scenario", "ScenarioError", "load_scenario"]
