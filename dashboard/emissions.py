"""Emissions against the year's release and the remaining budget; over-emission."""

from __future__ import annotations

import altair as alt
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import CHART_HEIGHT, CHART_WIDTH
from dashboard.vega import VegaChart, spec

SERIES = {
    "emissions_this_year": "emitted this year (t)",
    "release": "released this year",
    "remaining_budget": "budget remaining",
    "over_emission": "over-emission (t)",
}


def build() -> alt.Chart:
    """The chart's shape: one line per series (tonnes or allowances) over rounds."""
    return (
        alt.Chart(alt.NamedData(name="emissions"))
        .transform_fold(list(SERIES.values()), as_=["series", "tonnes"])
        .mark_line()
        .encode(
            x=alt.X("round:Q", title="round"),
            y=alt.Y("tonnes:Q", title="tonnes / allowances"),
            color=alt.Color("series:N", title=None, sort=list(SERIES.values())).legend(
                orient="bottom", columns=2
            ),
        )
        .properties(width=CHART_WIDTH, height=CHART_HEIGHT)
    )


@solara.component
def Emissions(model: DashboardMarket):
    """Panel: emissions against the cap."""
    update_counter.get()
    m = model.measures
    with solara.Card("Emissions and the cap", margin=0):
        solara.Text(
            f"year {m['year'] + 1} of {model.config.years} · "
            f"emitted {m['emissions_this_year']:.1f} t of {m['release']:.0f} released · "
            f"over-emission {m['over_emission']:.1f} t"
        )
        VegaChart(spec(build, (), emissions=model.series_rows(SERIES)))
