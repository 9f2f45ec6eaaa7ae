"""A short table drawn as it is: Vuetify's dense table, every row on one page, no sorting.

For the tables of a dozen or a few dozen rows that change at every step (the order book's
tape, a room's leaderboard). Solara's ``DataFrame`` would page, format and compare a pandas
frame at each render; this hands Vuetify the rows as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipyvuetify
import solara


@solara.component
def DenseTable(headers: Mapping[str, str], rows: list[dict[str, object]]):
    """``rows`` under ``headers`` (a row's key -> its column's header, in column order).

    Args:
        headers: the columns: each row's key and the header shown above it.
        rows: one dict per row, top to bottom (numbers and strings).
    """
    columns = [{"text": text, "value": key, "sortable": False} for key, text in headers.items()]
    ipyvuetify.DataTable.element(
        headers=columns, items=rows, dense=True, disable_pagination=True, hide_default_footer=True
    )
