"""The pages ``app.py`` serves: the dashboard (``/``) and the classroom (``/classroom``).

The dashboard's market is made per browser session (state inside the page), so two visitors
never step each other's model. The sidebar holds the run buttons and the settings
(:mod:`dashboard.sidebar`); the panels sit two to a row, each card as tall as its content,
and the firm table takes a row of its own.
"""

from __future__ import annotations

import solara

from dashboard.allocation import Allocation
from dashboard.classroom import Classroom
from dashboard.controls import MarketStatus
from dashboard.emissions import Emissions
from dashboard.errors import Layout
from dashboard.firm_table import FirmTable
from dashboard.market import DashboardMarket
from dashboard.order_book import OrderBook
from dashboard.price_chart import PriceChart
from dashboard.rooms.pages import routes as room_routes
from dashboard.settings import Controls
from dashboard.sidebar import MarketController, SettingsPanel
from dashboard.welfare import Welfare

#: The panels side by side, a pair to a row; the wide ones below, a row each.
PANEL_PAIRS = [(MarketStatus, PriceChart), (OrderBook, Emissions), (Welfare, Allocation)]
WIDE_PANELS = [FirmTable]
#: Every panel, in page order.
PANELS = [panel for pair in PANEL_PAIRS for panel in pair] + WIDE_PANELS


@solara.component
def Dashboard():
    """Page: the market with Reset / Play / Step, its settings and every panel."""
    controls = solara.use_reactive(solara.use_memo(lambda: Controls.for_scenario("paper"), []))
    market = solara.use_reactive(solara.use_memo(controls.value.market, []))
    solara.Title("Carbon market")
    with solara.AppBar():
        solara.AppBarTitle("Carbon market")
    with solara.Sidebar(), solara.Column():
        MarketController(market, controls.value)
        SettingsPanel(controls)
    Panels(market.value)


@solara.component
def Panels(model: DashboardMarket):
    """Every panel of ``model``, two to a row, the wide ones a row each."""
    with solara.Column():
        for pair in PANEL_PAIRS:
            with solara.ColumnsResponsive(12, large=6):
                for panel in pair:
                    panel(model)
        for panel in WIDE_PANELS:
            panel(model)


# The root route's layout wraps every page (no traceback ever reaches the browser).
routes = [
    solara.Route(path="/", component=Dashboard, label="Dashboard", layout=Layout),
    solara.Route(path="classroom", component=Classroom, label="Classroom"),
    *room_routes,  # /teacher, /join, /play, /screen, /debrief (dashboard/rooms)
]
