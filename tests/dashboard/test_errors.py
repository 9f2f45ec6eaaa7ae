"""A page that raises shows a one-line message, never a traceback."""

import ipyvuetify as v
import solara

from dashboard.errors import ErrorBoundary, Layout
from dashboard.pages import routes

failing = solara.reactive(False)


@solara.component
def Fragile():
    if failing.value:
        raise RuntimeError("the market is gone")
    solara.Button("break", on_click=lambda: failing.set(True))
    solara.Text("all well")


def test_a_failure_while_drawing_shows_a_message_and_the_page_comes_back(text_of):
    failing.set(False)
    box, rc = solara.render(ErrorBoundary(children=[Fragile()]), handle_error=False)
    rc.find(v.Btn, children=["break"]).widget.click()
    text = text_of(box)
    assert "Something went wrong on this page (RuntimeError: the market is gone)" in text
    assert "Traceback" not in text and "all well" not in text
    failing.set(False)
    rc.find(v.Btn, children=["Try again"]).widget.click()
    assert "all well" in text_of(box) and "Something went wrong" not in text_of(box)


def test_every_page_is_guarded_through_the_root_route():
    (root,) = [route for route in routes if route.path == "/"]
    assert root.layout is Layout
