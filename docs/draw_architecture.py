"""Draw the project's floors and the imports between them into docs/img/architecture.png.

The picture is read from the source (``tests/architecture/import_graph.py``, the graph the
architecture tests check), so it shows the code as it is: one box per package on its floor,
one arrow per pair of packages with imports between them, thicker for more imports.
Run from the repository root: ``make figures``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from tests.architecture.import_graph import FLOORS, ROOT, project_files, project_graph

OUT = Path(__file__).resolve().parent / "img" / "architecture.png"

#: What each package holds, in a few words (docs/architecture.md says more).
HOLDS = {
    "market": "scenario, accounts, order book,\nauction, firms' state, theory, metrics",
    "agents": "decision rules: behaviours, policies,\nlearned firm and regulator, the view",
    "model": "CarbonMarket: the round's phases,\nthe one writer; data collection",
    "learning": "Gymnasium envs, PPO training,\nevaluation, network export",
    "experiments": "parameter sweeps: files, runs,\nresults, executors, reports",
    "dashboard": "Solara pages and panels",
    "cli": "carbon-market commands",
    "app": "solara run app.py",
}
#: Horizontal position of each package on its floor (0 = left edge, 1 = right edge).
COLUMN = {"dashboard": 0.3, "cli": 0.7}


def lines_of(package: str) -> int:
    """Lines of source in a package (or module)."""
    return sum(
        len(path.read_text().splitlines())
        for path in project_files()
        if path.relative_to(ROOT).parts[0].removesuffix(".py") == package
    )


def main() -> None:
    """Draw the floors and the package-level import arrows."""
    _, edges = project_graph()
    pairs = Counter(
        (e.importer.split(".")[0], e.imported.split(".")[0])
        for e in edges
        if e.importer.split(".")[0] != e.imported.split(".")[0]
    )
    width, height = 3.0, 0.62
    centre = {
        name: (COLUMN.get(name, 0.5) * 8.0, (floor - 1) * 1.15) for name, floor in FLOORS.items()
    }
    fig, ax = plt.subplots(figsize=(9, 9.5))
    for (importer, imported), count in sorted(pairs.items()):
        (x0, y0), (x1, y1) = centre[importer], centre[imported]
        drop = FLOORS[importer] - FLOORS[imported]
        if drop == 1:  # next floor down: straight from the bottom edge to the top edge
            start, end, style = (x0, y0 - height / 2), (x1, y1 + height / 2), "arc3,rad=0.1"
        else:  # around the floors between, on the box's outer side
            side = -1 if x0 < 4.0 else 1
            start = (x0 + side * width / 2, y0 - 0.05 * drop)
            end = (x1 + side * width / 2, y1 + 0.12 - 0.04 * drop)
            style = f"arc3,rad={-side * (0.12 + 0.04 * drop):.2f}"
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=12,
                lw=0.6 + 0.25 * min(count, 12),
                color="tab:gray",
                alpha=0.6,
                connectionstyle=style,
            )
        )
    for name, (x, y) in centre.items():
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02",
                facecolor=plt.cm.Pastel1(FLOORS[name] - 1),
                edgecolor="black",
            )
        )
        ax.text(x, y + 0.16, f"{name}/  ({lines_of(name):,} lines)", ha="center", weight="bold")
        ax.text(x, y - 0.1, HOLDS[name], ha="center", va="center", fontsize=7.5)
    for floor in sorted(set(FLOORS.values())):
        ax.text(-1.6, (floor - 1) * 1.15, f"floor {floor}", va="center", fontsize=9)
    ax.set(xlim=(-1.8, 9.6), ylim=(-0.6, 7.3))
    ax.axis("off")
    ax.set_title(
        "The floors: every import points down (arrow width: imports between two packages)",
        fontsize=10,
    )
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
