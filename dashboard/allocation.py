"""The government's allocation per firm per year, as stacked bars.

Large markets show their ``TOP_FIRMS`` largest recipients and one bar part for all others; a
highlighted firm is always shown on its own.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.policy_choice import policy_label
from dashboard.selection import CHART_HEIGHT, CHART_WIDTH, HIGHLIGHT, highlighted
from dashboard.vega import VegaChart, spec

TOP_FIRMS = 10
OTHERS = "others"
#: Colours of the firms shown on their own (Vega's category10, one each) and of the others.
FIRM_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
OTHERS_COLOUR = "#c7c7c7"


def allocation_frame(market: DashboardMarket, firm: int | None = None) -> dict[str, np.ndarray]:
    """Allowances (free plus won at auction) per firm per year so far, one row per bar part.

    Firms beyond the ``TOP_FIRMS`` largest recipients (the highlighted one kept) are summed
    into one ``others`` row per year.

    Returns:
        Columns ``year`` (1 = the first), ``firm`` (``firm <i>`` or ``others``) and
        ``allowances``, firm by firm (largest recipients first, the others last).
    """
    allocations = market.government.allocations
    if not allocations:  # before the first allocation: year 1, nothing yet (draws the axes)
        return {"year": np.array([1]), "firm": np.array(["none yet"]), "allowances": np.zeros(1)}
    table = np.vstack(allocations)  # years x firms
    shown = np.argsort(-table.sum(axis=0), kind="stable")[:TOP_FIRMS]
    if firm is not None and firm not in shown:
        shown = np.append(shown[: TOP_FIRMS - 1], firm)
    names = [f"firm {i}" for i in shown]
    parts = [*table[:, shown].T]
    rest = np.delete(table, shown, axis=1).sum(axis=1)
    if rest.any():
        names.append(OTHERS)
        parts.append(rest)
    years = len(table)
    return {
        "year": np.tile(np.arange(1, years + 1), len(names)),
        "firm": np.repeat(names, years),
        "allowances": np.concatenate(parts),
    }


def colours(names: tuple[str, ...]) -> list[str]:
    """One colour per bar part: a colour of its own per firm, light grey for ``others``."""
    firms = iter(FIRM_COLOURS)
    return [OTHERS_COLOUR if name == OTHERS else next(firms) for name in names]


def build(names: tuple[str, ...]) -> alt.Chart:
    """The chart's shape: stacked bars, one per year, one part per firm of ``names``.

    The highlighted firm's parts (rows with ``highlight`` true) are outlined in red.
    """
    highlighted = alt.datum.highlight
    colour = alt.Color("firm:N", title=None, sort=list(names)).scale(
        domain=list(names), range=colours(names)
    )
    return (
        alt.Chart(alt.NamedData(name="allocation"))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="year"),
            y=alt.Y("allowances:Q", title="allowances allocated"),
            color=colour,
            order=alt.Order("rank:Q"),
            stroke=alt.condition(highlighted, alt.value(HIGHLIGHT), alt.value(None)),
            strokeWidth=alt.condition(highlighted, alt.value(3), alt.value(0)),
            tooltip=["year:O", "firm:N", "allowances:Q"],
        )
        .properties(width=CHART_WIDTH, height=CHART_HEIGHT)
    )


def allocation_spec(market: DashboardMarket, firm: int | None) -> dict:
    """The chart's Vega-Lite spec with the allocations so far."""
    frame = allocation_frame(market, firm)
    names = tuple(dict.fromkeys(frame["firm"].tolist()))  # largest first, the others last
    frame["highlight"] = frame["firm"] == f"firm {firm}"
    rank = {name: i for i, name in enumerate(names)}
    frame["rank"] = np.array([rank[name] for name in frame["firm"].tolist()])
    return spec(build, (names,), allocation=frame)


@solara.component
def Allocation(model: DashboardMarket):
    """Panel: the government's allocation per firm per year."""
    update_counter.get()
    with solara.Card("Allocation per firm and year", margin=0):
        solara.Text(f"policy: {policy_label(model.government.policy.name)}")
        VegaChart(allocation_spec(model, highlighted(model.enterprises.n)))
