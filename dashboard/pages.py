"""The pages ``app.py`` serves: the dashboard (``/``) and the classroom (``/classroom``).

The dashboard is Mesa's SolaraViz with our panels. Its market is made per browser session
(``use_memo`` inside the page), so two visitors never step each other's model.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from dashboard.allocation import Allocation
from dashboard.classroom import Classroom
from dashboard.controls import MarketStatus, model_params
from dashboard.emissions import Emissions
from dashboard.firm_table import FirmTable
from dashboard.market import DashboardMarket
from dashboard.order_book import OrderBook
from dashboard.price_chart import PriceChart
from dashboard.rooms.pages import routes as room_routes
from dashboard.welfare import Welfare

#: The panels of the dashboard, in grid order (two per row).
PANELS = [MarketStatus, PriceChart, OrderBook, Emissions, Welfare, Allocation, FirmTable]


@solara.component
def Dashboard():
    """Page: the market with play / step / reset, its controls and every panel."""
    market = solara.use_memo(DashboardMarket, [])
    SolaraViz(market, components=PANELS, model_params=model_params(), name="Carbon market")


routes = [
    solara.Route(path="/", component=Dashboard, label="Dashboard"),
    solara.Route(path="classroom", component=Classroom, label="Classroom"),
    *room_routes,  # /teacher, /join, /play, /screen, /debrief (dashboard/rooms)
]
