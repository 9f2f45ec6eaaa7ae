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

#: Column -> (header with its unit, decimals shown).
COLUMNS: dict[str, tuple[str, int]] = {
    "firm": ("firm", 0),
    "behaviour": ("behaviour", 0),
    "coins": ("coins", 1),
    "allowances": ("allowances (t)", 1),
    "emission_rate": ("emission rate (t/unit)", 3),
    "output": ("output (units/round)", 2),
    "emissions_this_year": ("emitted this year (t)", 1),
    "open_orders": ("open orders", 0),
}
HEADERS = {header: column for column, (header, _) in COLUMNS.items()}

#: ``(column, ascending)`` the table is sorted by; one value per browser session.
sort_order: solara.Reactive[tuple[str, bool]] = solara.reactive(("firm", True))


def table_frame(market: DashboardMarket, sort: tuple[str, bool], firm: int | None) -> pd.DataFrame:
    """The firm rows sorted by ``sort`` (ties by firm index), with readable headers.

    Returns:
        One row per firm with a ``*`` column marking the highlighted ``firm``; the index runs
        0..n-1 in display order; the headers are those of :data:`COLUMNS`.
    """
    column, ascending = sort
    frame = market.firm_frame()
    frame = frame.sort_values([column, "firm"], ascending=[ascending, True], kind="stable")
    frame.insert(0, "*", ["*" if i == firm else "" for i in frame["firm"]])
    headers = {column: header for column, (header, _) in COLUMNS.items()}
    return frame.rename(columns=headers).reset_index(drop=True)


def cell_text(frame: pd.DataFrame, header: str, row: int, value: object) -> str:
    """A cell as the table shows it: numbers with their column's decimals and thousands marks."""
    if not isinstance(header, str) or header not in HEADERS or isinstance(value, str):
        return str(value)
    return f"{value:,.{COLUMNS[HEADERS[header]][1]}f}"


@solara.component
def FirmTable(model: DashboardMarket):
    """Panel: the firm table, sortable by any column, with a highlighted firm."""
    update_counter.get()
    firm = selected_firm.value
    frame = table_frame(model, sort_order.value, firm)

    def sorter(ascending: bool):
        return lambda header: (
            sort_order.set((HEADERS[header], ascending)) if header != "*" else None
        )

    def highlight(header: str, row: int) -> None:
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
            order = "ascending" if ascending else "descending"
            solara.Text(f"sorted by {COLUMNS[column][0]} ({order})")
        solara.DataTable(
            frame,
            items_per_page=ROWS_PER_PAGE,
            format=cell_text,
            column_actions=column_actions,
            cell_actions=cell_actions,
            scrollable=True,
        )
