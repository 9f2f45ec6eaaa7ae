"""Vega-Lite charts for the panels: built once with Altair, refilled with data every step.

Building an Altair chart costs milliseconds per encoding (every schema object is checked and
hashed), far more than the data that changes each round. So each panel's chart is built from
named datasets (``alt.NamedData``) by a function of the few settings that shape it (price
band, whether a firm is highlighted...), its Vega-Lite spec is cached under those settings,
and each render only attaches the round's rows as ``datasets``.

The page draws with the Vega-Lite that Solara's chart widget loads, major version
:data:`VEGA_LITE_MAJOR` (``vega-lite@5``), while Altair 6 writes Vega-Lite 6 specs. Each
spec therefore names the loaded version's schema, and ``tests/dashboard`` validates every
panel's spec against that version's own schema, so the spec and the library agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable

import altair as alt
import pandas as pd
import solara
import solara.widgets

#: The major version of Vega-Lite the page loads (solara/widgets/vue/vegalite.vue).
VEGA_LITE_MAJOR = 5
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_MAJOR}.json"


@functools.lru_cache(maxsize=512)
def template(build: Callable[..., alt.TopLevelMixin], *shape: Hashable) -> dict:
    """The Vega-Lite spec of ``build(*shape)`` without data (cached; never modify it)."""
    return {**build(*shape).to_dict(validate=False), "$schema": SCHEMA}


def records(frame: pd.DataFrame) -> list[dict]:
    """A table's rows as JSON-ready dicts (missing values become null)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def spec(build: Callable[..., alt.TopLevelMixin], shape: tuple, **datasets: pd.DataFrame) -> dict:
    """The cached chart of this shape with the given named datasets attached."""
    return {
        **template(build, *shape),
        "datasets": {name: records(frame) for name, frame in datasets.items()},
    }


@solara.component
def VegaChart(chart_spec: dict):
    """A Vega-Lite spec drawn by Solara's Vega-Lite widget (the one ``FigureAltair`` uses)."""
    return solara.widgets.VegaLite.element(spec=chart_spec)
