"""The floors only point down, with no import circle, and the core never loads the heavy parts."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest

from tests.architecture.import_graph import (
    FLOORS,
    HEAVY,
    LEARNING_FLOOR,
    ROOT,
    floor_of,
    imports_of,
    project_files,
    project_graph,
)


def test_no_module_imports_itself_back_through_others():
    modules, edges = project_graph()
    graph = nx.DiGraph([(e.importer, e.imported) for e in edges if e.importer != e.imported])
    graph.add_nodes_from(modules)
    circles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert circles == []


def test_every_import_points_to_its_own_package_or_a_lower_floor():
    _, edges = project_graph()
    upward = [
        f"{e.importer}:{e.line} imports {e.imported}"
        for e in edges
        if e.importer.split(".")[0] != e.imported.split(".")[0]
        and floor_of(e.imported) >= floor_of(e.importer)
    ]
    assert upward == []


def test_the_market_core_imports_nothing_else_of_the_project():
    _, edges = project_graph()
    assert [
        e for e in edges if e.importer.startswith("market") and not e.imported.startswith("market")
    ] == []


def test_nothing_below_the_learning_floor_imports_torch_sb3_solara_or_dask():
    offending = [
        f"{found.importer}:{found.line} imports {found.imported}"
        for path in project_files()
        for found in imports_of(path)
        if found.importer.split(".")[0] in FLOORS
        and floor_of(found.importer) < LEARNING_FLOOR
        and found.imported.split(".")[0] in HEAVY
    ]
    assert offending == []


def test_the_graph_counts_imports_inside_functions_and_package_inits():
    """The checks above would miss a circle closed by a function-level import otherwise."""
    _, edges = project_graph()
    pairs = {(e.importer, e.imported) for e in edges}
    assert ("cli.learning_commands", "learning.train") in pairs  # imported inside a command
    assert ("learning.evaluate", "model") in pairs  # model/__init__ runs on that import


LOADED = """
import json, sys
from model import CarbonMarket
for overrides in ({{"policy": "flat-grandfathering"}}, {extra}):
    market = CarbonMarket("paper", seed=0, **overrides)
    for _ in range(60):
        market.step()
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""


@pytest.mark.parametrize(
    "extra",
    [
        '{"behaviour": "zi-c", "policy": "auction"}',
        '{"policy": "learned:shipped", "learned_share": 0.5}',  # learned agents act in numpy
    ],
    ids=["rules", "learned"],
)
def test_a_market_runs_without_loading_the_heavy_libraries(extra):
    result = subprocess.run(
        [sys.executable, "-c", LOADED.format(extra=extra)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert loaded & set(HEAVY) == set()


FIRST_IMPORTS = """
import importlib, json, sys
modules = json.loads(sys.argv[1])
project = tuple(json.loads(sys.argv[2]))
for name in modules:
    for loaded in [m for m in sys.modules if m.split(".")[0] in project]:
        del sys.modules[loaded]  # libraries stay loaded; the project starts afresh
    importlib.import_module(name)
"""


def test_any_module_of_the_core_floors_can_be_the_first_import():
    """No module of the market, the agents or the model needs another imported before it.

    The circle the old ``model/__init__`` dodged with a lazy import showed only when
    ``agents.enterprise`` came first; the static graph above covers every floor, this runs
    the three lowest for real.
    """
    modules, _ = project_graph()
    importable = sorted(m for m in modules if floor_of(m) < LEARNING_FLOOR)
    subprocess.run(
        [sys.executable, "-c", FIRST_IMPORTS, json.dumps(importable), json.dumps(list(FLOORS))],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
