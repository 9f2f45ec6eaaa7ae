import json

import pytest
import solara
import solara.widgets

from dashboard.selection import selected_firm


@pytest.fixture(autouse=True)
def no_highlight():
    selected_firm.set(None)
    yield
    selected_firm.set(None)


def chart_datasets(chart_spec: dict) -> dict[str, list[dict]]:
    """A Vega-Lite spec's datasets, each the rows its JSON text holds."""
    return {name: json.loads(text) for name, text in chart_spec.get("datasets", {}).items()}


def chart_rows(rc) -> dict[str, int]:
    """Rows per dataset of every Vega-Lite chart a render holds."""
    rows = {}
    for found in rc.find(solara.widgets.VegaLite).widgets:
        for name, data in chart_datasets(found.spec).items():
            rows[name] = len(data)
    return rows


def widget_text(widget) -> str:
    """Every string a widget tree shows (children, values, labels), joined by newlines."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
            return
        # Markdown is a template of rendered HTML, solara.HTML its inner HTML; a table's rows
        # are its items.
        for name in ("children", "value", "label", "template", "unsafe_innerHTML", "items"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list | tuple):
                for child in value:
                    walk(child if not isinstance(child, dict) else str(child))

    walk(widget)
    return "\n".join(found)


@pytest.fixture
def rows_of():
    return chart_rows


@pytest.fixture
def datasets_of():
    return chart_datasets


@pytest.fixture
def text_of():
    return widget_text
