"""The firm highlighted across the panels, and the colours the panels share.

``selected_firm`` is a Solara reactive variable: the Solara server keeps one value per browser
session, so one student's highlight never shows on another's page.
"""

from __future__ import annotations

import solara

#: Index of the highlighted firm, or None.
selected_firm: solara.Reactive[int | None] = solara.reactive(None)

HIGHLIGHT = "#d62728"  # the highlighted firm, wherever it appears
BID = "#2ca02c"
ASK = "#1f77b4"
CHART_WIDTH = 340  # pixels; two panels sit side by side in a grid cell pair
CHART_HEIGHT = 180


def select_firm(firm: int | None) -> None:
    """Highlight ``firm`` (None clears the highlight)."""
    selected_firm.set(None if firm is None else int(firm))


def highlighted(n_firms: int) -> int | None:
    """The highlighted firm if a market of ``n_firms`` has it, else None.

    The highlight is the session's, not the market's: after a Reset to fewer firms, or on the
    classroom page's market, it may name a firm the market shown does not have.
    """
    firm = selected_firm.value
    return firm if firm is not None and firm < n_firms else None
