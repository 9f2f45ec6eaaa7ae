"""The shipped `paper-shocks` regulator, its schedule and every rule across the economy's settings.

Run from the repository root (about a minute)::

    python docs/evaluation/sensitivity/sensitivity.py

For each variant of `paper-shocks` (one key changed with ``evaluate --set``) it runs
``carbon-market evaluate --policies all`` on the 30 held-out seeds at c = 0.2 into
``docs/evaluation/sensitivity/<variant>/`` (tables, figures, ``report.json``), then writes
``table.md`` (welfare of the regulator, the schedule and the best rule, and the regulator's
paired test against the best other policy) and ``sensitivity.png``. The regulator and the
schedule were made on the scenario as shipped: 3-8 firms, ``cap_share`` 0.0625, recessions
in half the episodes cutting the output price by 20-40%, AR(1) sigma 0.1.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).resolve().parent
C = 0.2
REGULATOR = "learned:data/policies/regulator-paper-shocks.zip"
SCHEDULE = "schedule:data/policies/schedule-paper-shocks.json"
#: (panel, value shown on its axis, variant name, --set pairs); "as trained" has no pair.
VARIANTS = [
    ("firms", 3, "firms-3", ["n_firms=3"]),
    ("firms", 5, "firms-5", ["n_firms=5"]),
    ("firms", 8, "firms-8", ["n_firms=8"]),
    ("firms", 12, "firms-12", ["n_firms=12"]),
    ("firms", 20, "firms-20", ["n_firms=20"]),
    ("cap_share", 0.03125, "cap-0.03125", ["cap_share=0.03125"]),
    ("cap_share", 0.046875, "cap-0.046875", ["cap_share=0.046875"]),
    ("cap_share", 0.0625, "as-trained", []),
    ("cap_share", 0.09375, "cap-0.09375", ["cap_share=0.09375"]),
    ("cap_share", 0.125, "cap-0.125", ["cap_share=0.125"]),
    ("recession depth", 0.0, "no-recession", ["recession_probability=0"]),
    ("recession depth", 0.3, "as-trained", []),
    ("recession depth", 0.5, "recession-0.4-0.6", ["recession_depth=[0.4, 0.6]"]),
    ("recession depth", 0.7, "recession-0.6-0.8", ["recession_depth=[0.6, 0.8]"]),
    ("price noise sigma", 0.0, "sigma-0", ["output_price_sigma=0"]),
    ("price noise sigma", 0.1, "as-trained", []),
    ("price noise sigma", 0.2, "sigma-0.2", ["output_price_sigma=0.2"]),
    ("price noise sigma", 0.3, "sigma-0.3", ["output_price_sigma=0.3"]),
]
AXIS_UNITS = {
    "firms": "firms in every episode",
    "cap_share": "budget, share of emissions at capacity",
    "recession depth": "mean recession cut of the output price",
    "price noise sigma": "AR(1) sigma of the log output price",
}


def evaluate(name: str, pairs: list[str]) -> dict:
    """One variant's report, run unless its folder already holds it."""
    out = HERE / name
    report = out / "report.json"
    if not report.is_file():
        sets = [arg for pair in pairs for arg in ("--set", pair)]
        argv = ["evaluate", "--scenario", "paper-shocks", "--policies", "all"]
        argv += ["--seeds", "30", "--climate-coefficient", str(C), *sets, "--out", str(out)]
        command = [sys.executable, "-m", "cli", *argv, "--json"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"{name}: {done.stderr.strip()}")
        report.write_text(done.stdout)
        (out / "command.txt").write_text("carbon-market " + shlex.join(argv) + "\n")
    return json.loads(report.read_text())[str(C)]


def row(panel: str, value: float, name: str, pairs: list[str]) -> dict:
    """Welfare of the three contenders and the regulator's paired test in one variant."""
    report = evaluate(name, pairs)
    table = pd.DataFrame(report["table"]).set_index("policy")
    rules = table.drop(index=[REGULATOR, SCHEDULE])
    best_rule = rules["welfare"].idxmax()
    (test,) = report["paired_tests"]
    return {
        "panel": panel,
        "value": value,
        "variant": name,
        "set": " ".join(pairs) or "(as trained)",
        "regulator": table.loc[REGULATOR, "welfare"],
        "regulator_ci": table.loc[REGULATOR, "welfare_ci"],
        "schedule": table.loc[SCHEDULE, "welfare"],
        "schedule_ci": table.loc[SCHEDULE, "welfare_ci"],
        "best_rule": best_rule,
        "rule": rules.loc[best_rule, "welfare"],
        "rule_ci": rules.loc[best_rule, "welfare_ci"],
        "against": test["best_rule"].split("/")[-1],
        "difference": test["mean_difference"],
        "wins": f"{test['wins']}/{test['seeds']}",
        "p": test["t_pvalue"],
    }


def markdown(rows: pd.DataFrame) -> str:
    """The table of docs/regulator.md's sensitivity section."""
    lines = [
        "| `--set` | regulator | schedule | best rule | regulator - best other | wins "
        "| paired t p |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows.drop_duplicates("variant").itertuples():
        lines.append(
            f"| {r.set} | {r.regulator:.4g} ± {r.regulator_ci:.2g} | {r.schedule:.4g} ± "
            f"{r.schedule_ci:.2g} | {r.best_rule} {r.rule:.4g} ± {r.rule_ci:.2g} | "
            f"{r.difference:+.4g} ({r.against}) | {r.wins} | {r.p:.3g} |"
        )
    return "\n".join(lines) + "\n"


def draw(rows: pd.DataFrame) -> None:
    """Welfare against each setting, one panel per setting, the trained one marked."""
    panels = list(AXIS_UNITS)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey=True)
    for ax, panel in zip(axes.flat, panels, strict=True):
        part = rows[rows["panel"] == panel]
        for column, label in (("regulator", "PPO regulator"), ("schedule", "schedule")):
            ax.errorbar(part["value"], part[column], yerr=part[f"{column}_ci"], marker="o",
                        capsize=3, label=label)  # fmt: skip
        ax.plot(part["value"], part["rule"], "s--", color="grey", label="best rule")
        trained = part[part["variant"] == "as-trained"]["value"]
        for x in trained:
            ax.axvline(x, color="black", lw=0.6, ls=":")
        ax.set_xlabel(AXIS_UNITS[panel])
        ax.set_title(panel)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"welfare at c = {C} (coins per firm)")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(HERE / "sensitivity.png", dpi=120)


def main() -> None:
    """Every variant's evaluation, then the table and the figure."""
    rows = pd.DataFrame([row(*variant) for variant in VARIANTS])
    rows.to_csv(HERE / "table.csv", index=False)
    (HERE / "table.md").write_text(markdown(rows))
    draw(rows)
    print(markdown(rows))


if __name__ == "__main__":
    main()
