"""No traceback in the browser: a failure on a page shows one line, and the log the rest.

Solara renders the traceback of an exception raised while drawing a page into the page, in
production mode too. :class:`Layout` (the layout of every page, through the root route) puts
Solara's app layout around an :class:`ErrorBoundary`, which catches what a page raises and
shows the person a one-line message and a button to draw the page again; the traceback goes
to the server's log (the renderer logs every exception a component raises).
"""

from __future__ import annotations

import reacton.core
import solara


@solara.component
def ErrorBoundary(children: list[reacton.core.Element] | None = None):
    """The children, or, if drawing them raised, a one-line message and *Try again*."""
    exception, clear = solara.use_exception()
    if exception is None:
        return solara.Column(children=children or [])
    with solara.Column() as message:
        solara.Error(
            f"Something went wrong on this page ({type(exception).__name__}: {exception}). "
            "The details are in the server's log."
        )
        solara.Button("Try again", color="primary", on_click=clear)
    return message


@solara.component
def Layout(children: list[reacton.core.Element] | None = None):
    """Every page's layout: Solara's app layout (title bar, page tabs) around the guard."""
    with solara.AppLayout() as layout:
        ErrorBoundary(children=children)
    return layout
