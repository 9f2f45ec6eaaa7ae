"""The firm table: coins, allowances, emission rate, output, behaviour and open orders.

Every column header has *sort ascending* and *sort descending* actions; every cell has a
*highlight this firm* action, and the select above the table does the same. The highlighted
firm is marked with ``*`` here and drawn in red in the other panels.
"""

from __future__ import annotations

import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from dashboard.market import DashboardMarket
from dashboard.selection import select_firm, selected_firm

ROWS_PER_PAGE = 10
NONE = "none"

#: ``(column, ascending)`` the table is sorted by; one value per browser session.
sort_order: solara.Reactive[tuple[str, bool]] = solara.reactive(("firm", True))


def table_frame(market: DashboardMarket, sort: tuple[str, bool], firm: int | None) -> pd.DataFrame:
    """The firm rows sorted by ``sort`` (ties by firm index), rounded for display.

    Returns:
        One row per firm with a ``*`` column marking the highlighted ``firm``; the index runs
        0..n-1 in display order.
    """
    column, ascending = sort
    frame = market.firm_frame()
    frame = frame.sort_values([column, "firm"], ascending=[ascending, True], kind="stable")
    frame.insert(0, "*", ["*" if i == firm else "" for i in frame["firm"]])
    return frame.round(
        {"coins": 1, "allowances": 1, "emission_rate": 3, "output": 2, "emissions_this_year": 1}
    ).reset_index(drop=True)


@solara.component
def FirmTable(model: DashboardMarket):
    """Panel: the firm table, sortable by any column, with a highlighted firm."""
    update_counter.get()
    firm = selected_firm.value
    frame = table_frame(model, sort_order.value, firm)

    def sorter(ascending: bool):
        return lambda column: sort_order.set((column, ascending)) if column != "*" else None

    def highlight(column: str, row: int) -> None:
        select_firm(int(frame["firm"].iloc[row]))

    column_actions = [
        solara.ColumnAction(
            icon="mdi-sort-ascending", name="sort ascending", on_click=sorter(True)
        ),
        solara.ColumnAction(
            icon="mdi-sort-descending", name="sort descending", on_click=sorter(False)
        ),
    ]
    cell_actions = [
        solara.CellAction(icon="mdi-target", name="highlight this firm", on_click=highlight)
    ]
    choices = [NONE, *(str(i) for i in range(model.enterprises.n))]
    column, ascending = sort_order.value
    with solara.Card("Firms", margin=0):
        with solara.Row():
            solara.Select(
                "highlight firm",
                value=NONE if firm is None else str(firm),
                values=choices,
                on_value=lambda v: select_firm(None if v == NONE else int(v)),
            )
            solara.Text(f"sorted by {column} ({'ascending' if ascending else 'descending'})")
        solara.DataFrame(
            frame,
            items_per_page=ROWS_PER_PAGE,
            column_actions=column_actions,
            cell_actions=cell_actions,
        )
