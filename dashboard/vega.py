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

Each dataset travels as the JSON text of its rows, which Vega parses in the browser (an
inline dataset given as a string is read with the default ``json`` format). To Reacton, which
visits every list and dict in an element's arguments at each render, and to ipywidgets,
which walks them again to send the widget's state, a string is one value: with the rows as
Python lists of dicts those two walks cost more than building the rows (at 1,000 firms, most
of a step's render).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Hashable, Mapping, Sequence

import altair as alt
import numpy as np
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


#: A chart's data: a table, or its columns by name (arrays or lists of equal length).
Table = pd.DataFrame | Mapping[str, Sequence | np.ndarray]


def json_values(column: Sequence | np.ndarray) -> list:
    """A column as JSON-ready Python values: numbers, strings, booleans; missing as None."""
    values = np.asarray(column)
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        return np.where(missing, None, values).tolist() if missing.any() else values.tolist()
    if values.dtype.kind == "O":
        return [
            None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values
        ]
    return values.tolist()


def dataset(table: Table) -> str:
    """A table as the JSON text of its rows, one object per row (missing values null)."""
    names = list(table)
    columns = [json_values(table[name]) for name in names]
    rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return json.dumps(rows, allow_nan=False, separators=(",", ":"))


def spec(build: Callable[..., alt.TopLevelMixin], shape: tuple, **datasets: Table | str) -> dict:
    """The cached chart of this shape with the named datasets attached as JSON text.

    A dataset given as a string is taken as that text already (:func:`dataset`'s).
    """
    return {
        **template(build, *shape),
        "datasets": {
            name: table if isinstance(table, str) else dataset(table)
            for name, table in datasets.items()
        },
    }


@solara.component
def VegaChart(chart_spec: dict):
    """A Vega-Lite spec drawn by Solara's Vega-Lite widget (the one ``FigureAltair`` uses)."""
    return solara.widgets.VegaLite.element(spec=chart_spec)
