"""The project's import graph, read from the source: every import, in functions too.

Each project module is a node; an import of another project module is an edge. Importing a
module of another package also runs that package's ``__init__``, so it adds an edge to the
package itself (that is how ``model/__init__`` once closed a circle through the agents).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The floors, lowest first: a module may import its own package and lower floors only.
FLOORS: dict[str, int] = {
    "market": 1,
    "agents": 2,
    "model": 3,
    "learning": 4,
    "experiments": 5,
    "dashboard": 6,
    "cli": 6,
    "app": 7,
}
LEARNING_FLOOR = FLOORS["learning"]
#: Libraries only the learning floor and above may import.
HEAVY = ("torch", "stable_baselines3", "sb3_contrib", "solara", "dask", "distributed")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and where."""

    importer: str
    imported: str
    line: int


def module_name(path: Path) -> str:
    """``market/order_book.py`` -> ``market.order_book``; ``model/__init__.py`` -> ``model``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files() -> list[Path]:
    """Every source file of the floors (tests, benchmarks and docs scripts are not floors)."""
    files = [ROOT / "app.py"]
    for package in FLOORS:
        if (ROOT / package).is_dir():
            files += sorted((ROOT / package).rglob("*.py"))
    return files


def imports_of(path: Path) -> list[Import]:
    """Every module ``path`` imports (absolute names), at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(Import(name, base, node.lineno))
            found += [Import(name, f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def project_graph() -> tuple[set[str], list[Import]]:
    """The project's modules and the imports between them (package ``__init__`` edges too)."""
    files = project_files()
    modules = {module_name(path) for path in files}
    edges = []
    for path in files:
        for found in imports_of(path):
            if found.imported not in modules:
                continue  # a name from a module, or a library
            edges.append(found)
            top = found.imported.split(".")[0]
            if top != found.importer.split(".")[0] and top in modules and top != found.imported:
                edges.append(Import(found.importer, top, found.line))
    return modules, edges


def floor_of(module: str) -> int:
    """The floor of a module's top-level package."""
    return FLOORS[module.split(".")[0]]
