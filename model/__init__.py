"""The model: CarbonMarket, the Mesa model of an emissions-trading market, and its data.

``CarbonMarket`` (``carbon_market``) plays a round as a short list of named phases, builds its
agents from ``agents`` and applies their decisions to the market core (``market``); it is the
only writer of the market's state. ``view`` is the read-only view the agents decide from,
``run_state`` what a run changes of the government's side, ``datacollection`` what is
recorded each round, ``episode`` whole episodes and their summaries, and ``validation`` the
one entry that checks a scenario for everything a market needs.
"""

from market.config import ScenarioError
from market.scenario import Scenario
from model.carbon_market import CarbonMarket
from model.mesa_ids import forget_discarded_markets
from model.validation import load_scenario

__all__ = ["CarbonMarket", "Scenario", "ScenarioError", "load_scenario"]

forget_discarded_markets()  # Mesa 3.3 keeps every model alive otherwise (mesa_ids)
