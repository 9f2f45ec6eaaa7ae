"""The firm table: coins, allowances, emission rate, output, behaviour and open orders.

Every column header has *sort ascending* and *sort descending* actions; every cell has a
*highlight this firm* action, and the select above the table does the same. The highlighted
firm is marked with ``*`` here and drawn in red in the other panels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from dashboard.fields import whole_number
from dashboard.market import DashboardMarket
from dashboard.selection import highlighted, select_firm

ROWS_PER_PAGE = 10
NONE = "none"
SELECT_FIRMS = 50  # markets up to this size pick the highlighted firm from a list

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
    columns = market.firm_columns()
    key = columns[column]
    if key.dtype.kind in "OUS":  # text (the behaviour): sorted by its rank among the values
        key = np.unique(key, return_inverse=True)[1]
    order = np.lexsort((columns["firm"], key if ascending else -key))
    shown = {"*": np.where(columns["firm"][order] == firm, "*", "")}
    return pd.DataFrame(
        shown | {header: columns[name][order] for name, (header, _) in COLUMNS.items()}
    )


def cell_text(frame: pd.DataFrame, header: str, row: int, value: object) -> str:
    """A cell as the table shows it: numbers with their column's decimals and thousands marks."""
    if not isinstance(header, str) or header not in HEADERS or isinstance(value, str):
        return str(value)
    return f"{value:,.{COLUMNS[HEADERS[header]][1]}f}"


@solara.component
def FirmTable(model: DashboardMarket):
    """Panel: the firm table, sortable by any column, with a highlighted firm."""
    update_counter.get()
    firm = highlighted(model.enterprises.n)
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
    column, ascending = sort_order.value
    with solara.Card("Firms", margin=0):
        with solara.Row():
            FirmPicker(model.enterprises.n, firm)
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


def firm_number(text: str, n_firms: int) -> int | None:
    """The firm a number typed into the highlight field names; None for an empty field.

    Raises:
        ValueError: ``text`` is not a whole number, or no firm has it; the message names the
            field (and the firms' range).
    """
    if not text.strip():
        return None
    firm = whole_number("highlight firm", text)
    if not 0 <= firm < n_firms:
        raise ValueError(f"highlight firm: there is no firm {firm} (0 to {n_firms - 1})")
    return firm


@solara.component
def FirmPicker(n_firms: int, firm: int | None):
    """The field that highlights a firm: a select of every firm, or the firm's number typed.

    Up to :data:`SELECT_FIRMS` firms a select lists them all. A larger market takes the
    firm's number in a field instead (applied on Enter or on leaving the field; empty for
    none): a list of a thousand entries is slow to pick from, and Reacton, the renderer,
    walks every entry of it at each step.
    """
    error, set_error = solara.use_state(None)  # why the number typed was not applied
    if n_firms <= SELECT_FIRMS:
        solara.Select(
            "highlight firm",
            value=NONE if firm is None else str(firm),
            values=[NONE, *(str(i) for i in range(n_firms))],
            on_value=lambda v: select_firm(None if v == NONE else int(v)),
        )
        return

    def typed(text: str) -> None:
        try:
            chosen = firm_number(text, n_firms)
        except ValueError as err:
            set_error(str(err))
            return
        set_error(None)
        select_firm(chosen)

    solara.InputText(
        f"highlight firm (0 to {n_firms - 1}; empty for none)",
        value="" if firm is None else str(firm),
        on_value=typed,
        error=error or False,  # the message shows under the field
    )
