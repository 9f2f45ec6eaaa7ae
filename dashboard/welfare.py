"""Welfare, equality and productivity over time, and the Lorenz curve of coins."""

from __future__ import annotations

import altair as alt
import numpy as np
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import CHART_HEIGHT, CHART_WIDTH
from dashboard.vega import VegaChart, spec
from market.metrics import lorenz_curve

MEASURES = ("welfare", "equality", "productivity")
LORENZ_POINTS = 200  # the curve is drawn through at most this many points


def lorenz_frame(coins: np.ndarray) -> dict[str, np.ndarray]:
    """The Lorenz curve of coins (debt counted as zero), thinned to ``LORENZ_POINTS``.

    Returns:
        Columns ``population`` and ``coins``, shares from 0 to 1, poorest first.
    """
    population, wealth = lorenz_curve(np.maximum(coins, 0.0))
    keep = np.unique(np.linspace(0, len(population) - 1, LORENZ_POINTS).round().astype(int))
    return {"population": population[keep], "coins": wealth[keep]}


def build() -> alt.HConcatChart:
    """The chart's shape: three small line charts (one y scale each) beside the Lorenz curve."""
    lines = (
        alt.Chart(alt.NamedData(name="measures"))
        .mark_line()
        .encode(
            x=alt.X("round:Q", title="round"),
            y=alt.Y("value:Q", title=None).scale(zero=False),
            color=alt.Color("measure:N", legend=None),
        )
        .properties(width=CHART_WIDTH - 170, height=CHART_HEIGHT / 3 - 10)
        .facet(row=alt.Row("measure:N", title=None))
        .transform_fold(list(MEASURES), as_=["measure", "value"])  # before the facet splits
        .resolve_scale(y="independent")
    )
    share = alt.Scale(domain=[0, 1])
    curve = (
        alt.Chart(alt.NamedData(name="lorenz"))
        .mark_line()
        .encode(
            x=alt.X("population:Q", title="share of firms (poorest first)").scale(share),
            y=alt.Y("coins:Q", title="share of coins").scale(share),
        )
    )
    diagonal = (
        alt.Chart(alt.NamedData(name="equal"))
        .mark_line(strokeDash=[4, 4], color="grey")
        .encode(x="population:Q", y="coins:Q")
    )
    lorenz = alt.layer(diagonal, curve).properties(width=150, height=150, title="Lorenz curve")
    return alt.hconcat(lines, lorenz)


EQUAL = {"population": [0.0, 1.0], "coins": [0.0, 1.0]}


def welfare_spec(market: DashboardMarket) -> dict:
    """The chart's Vega-Lite spec with this round's measures and coins."""
    return spec(
        build,
        (),
        measures=market.series_rows({name: name for name in MEASURES}),
        lorenz=lorenz_frame(market.accounts.total_coins()),
        equal=EQUAL,
    )


@solara.component
def Welfare(model: DashboardMarket):
    """Panel: welfare, equality, productivity and the Lorenz curve."""
    update_counter.get()
    m = model.measures
    with solara.Card("Welfare, equality, productivity", margin=0):
        solara.Text(
            f"welfare {m['welfare']:,.1f} · equality {m['equality']:.3f} · "
            f"productivity {m['productivity']:,.1f} coins per firm"
        )
        VegaChart(welfare_spec(model))
