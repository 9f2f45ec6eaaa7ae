"""The sweep report: each kept metric against each swept parameter, every policy overlaid.

``carbon-market report DIR`` writes, into ``DIR/report`` by default::

    <metric>-vs-<parameter>.png   mean over seeds with its 95% confidence band
    index.html                    every figure and the summary table on one page
    summary.csv, summary.md       per parameter point: seeds, each metric's mean and CI

A numeric parameter is drawn as a line with a shaded band; a categorical one (a policy, a
behaviour) as points with error bars. Every policy is drawn on the same axes in its own
colour; the policy is the x axis only when nothing else is swept. A band never leaves the
range its metric can take (no negative tonnes). Axes carry readable names and units.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.runner import METRICS
from experiments.store import Results, load_results
from experiments.summary import LEVEL, band, summary_table
from market.config import unit_of

FIGURE_SIZE = (6.4, 4.2)  # inches


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote.

    Attributes:
        figures: one PNG per (metric, parameter) with any defined value.
        page: the HTML page.
        table_csv: the summary table as CSV.
        table_md: the summary table as Markdown.
    """

    figures: list[Path]
    page: Path
    table_csv: Path
    table_md: Path


def x_parameters(results: Results) -> list[str]:
    """The parameters drawn on an x axis.

    Every swept parameter but the policy (which makes the lines), unless the policy is all
    that is swept.
    """
    others = [p for p in results.parameters if p != "policy"]
    return others or ["policy"]


def is_numeric(results: Results, parameter: str) -> bool:
    """Whether a swept parameter is drawn on a numeric axis (numbers, not true/false)."""
    return results.manifest["parameters"].get(parameter) in ("int", "float")


def axis_label(name: str, unit: str) -> str:
    """``name (unit)``, or the name alone for a pure number."""
    return f"{name} ({unit})" if unit else name


def plot_metric(results: Results, metric: str, parameter: str) -> Figure | None:
    """``metric`` against ``parameter``, every policy on one axes; None when never defined."""
    data = band(results.runs, metric, parameter)
    if data.empty:
        return None
    shown = METRICS[metric]
    data["low"] = data["low"].clip(lower=shown.lowest, upper=shown.highest)
    data["high"] = data["high"].clip(lower=shown.lowest, upper=shown.highest)
    figure = Figure(figsize=FIGURE_SIZE, layout="constrained")
    ax = figure.subplots()
    numeric = is_numeric(results, parameter)
    lines = [(None, data)] if parameter == "policy" else list(data.groupby("policy", sort=True))
    categories = {value: i for i, value in enumerate(dict.fromkeys(data[parameter]))}
    for i, (policy, rows) in enumerate(lines):
        colour = f"C{i % 10}"
        if numeric:
            x = rows[parameter].to_numpy()
            ax.plot(x, rows["mean"], marker="o", color=colour, label=policy)
            ax.fill_between(x, rows["low"], rows["high"], color=colour, alpha=0.2)
        else:  # side by side around each category's tick
            x = np.array([categories[v] for v in rows[parameter]]) + 0.1 * (
                i - (len(lines) - 1) / 2
            )
            error = np.vstack([rows["mean"] - rows["low"], rows["high"] - rows["mean"]])
            ax.errorbar(x, rows["mean"], yerr=error, fmt="o", capsize=4, color=colour, label=policy)
    if not numeric:
        ax.set_xticks(
            list(categories.values()), [str(v) for v in categories], rotation=20, ha="right"
        )
    ax.set_xlabel(axis_label(parameter.replace("_", " "), unit_of(parameter)))
    ax.set_ylabel(axis_label(shown.label, shown.unit))
    ax.grid(alpha=0.3)
    if parameter != "policy":
        ax.legend(title="policy", fontsize=8, title_fontsize=8)
    seeds = int(data["n"].max())
    ax.set_title(
        f"{results.manifest['name']}: {shown.label} by {parameter.replace('_', ' ')}\n"
        f"mean of {seeds} seeds, {'band' if numeric else 'bars'}: {LEVEL:.0%} confidence interval",
        fontsize=10,
    )
    return figure


def write_report(results_dir: str | Path, out: str | Path | None = None) -> ReportFiles:
    """Plot every kept metric against every swept parameter and write the summary table.

    Args:
        results_dir: a sweep's results directory.
        out: where to write; default ``<results_dir>/report``.

    Raises:
        SweepError: ``results_dir`` holds no sweep.
        ValueError: it holds no finished run yet.
    """
    results = load_results(results_dir)
    if results.runs.empty:
        raise ValueError(f"report: {results_dir} holds no finished run yet")
    out = Path(out) if out is not None else Path(results_dir) / "report"
    out.mkdir(parents=True, exist_ok=True)
    figures = []
    for metric in results.metrics:
        for parameter in x_parameters(results):
            figure = plot_metric(results, metric, parameter)
            if figure is not None:
                path = out / f"{metric}-vs-{parameter}.png"
                figure.savefig(path, dpi=110)
                figures.append(path)
    table = summary_table(results)
    table_csv, table_md = out / "summary.csv", out / "summary.md"
    table.to_csv(table_csv, index=False)
    table_md.write_text(table.to_markdown(index=False, floatfmt=".4g") + "\n")
    page = out / "index.html"
    page.write_text(_page(results, figures, table))
    return ReportFiles(figures, page, table_csv, table_md)


def _page(results: Results, figures: list[Path], table: pd.DataFrame) -> str:
    """The HTML page: the sweep's description, every figure, the summary table."""
    manifest = results.manifest
    title = html.escape(f"Sweep {manifest['name']}: {manifest['scenario']}")
    swept = ", ".join(html.escape(p) for p in results.parameters)
    images = "\n".join(
        f'<figure><img src="{html.escape(p.name)}" alt="{html.escape(p.stem)}">'
        f"<figcaption>{html.escape(p.stem)}</figcaption></figure>"
        for p in figures
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
img {{ max-width: 100%; }}
.table {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }}
</style></head>
<body>
<h1>{title}</h1>
<p>{html.escape(manifest.get("description", ""))}</p>
<p>{len(results.runs)} runs; swept: {swept}; seeds: {len(manifest["seeds"])}.
Each point is the mean over seeds (other swept parameters averaged within a seed);
bands and bars are {LEVEL:.0%} Student-t confidence intervals over seeds.</p>
{images}
<h2>Summary</h2>
<p>Per parameter point: the number of seeds, each metric's mean and the half-width of its
{LEVEL:.0%} confidence interval (<code>_ci95</code>).</p>
<div class="table">
{table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")}
</div>
</body></html>
"""
