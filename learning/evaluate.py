"""A fair comparison of allocation policies: same held-out seeds, same climate coefficient.

Every policy runs the same market seeds (``evaluation_seeds``: disjoint from the seeds the
regulator trained and validated on). A rule-based policy does not see the climate coefficient c,
so one run per seed is scored at every c; a learned regulator observes c, so it runs once per
seed and c. Welfare charges the final year's over-emission. For each policy and metric the
table gives the mean and a 95% confidence interval (Student t over seeds), and the learned
regulator is compared with the best rule (highest mean welfare) by a paired t-test and a
Wilcoxon signed-rank test on the per-seed welfare differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from agents.registry import POLICIES
from learning.seeds import evaluation_seeds
from market import metrics
from model import CarbonMarket, load_scenario
from model.batch import MarketBatch, batchable, holds_learned_firms
from model.episode import run_episode
from model.lane_results import LaneResult, lane_results

METRICS = ("welfare", "equality", "productivity", "total_emissions", "over_emission", "mean_price")
#: Firm behaviours an evaluation can run with: the scenario's own, all learned, half learned.
ENTERPRISE_MIXES = {
    "heuristic": {},
    "learned": {"learned_share": 1.0},
    "mixed": {"learned_share": 0.5},
}
RULES = [name for name in POLICIES if name not in ("scenario", "manual")]


def is_learned(policy: str) -> bool:
    """Whether a policy name is a trained regulator (``learned:PATH``)."""
    return policy.startswith("learned:")


def short_name(policy: str) -> str:
    """A policy's name for figures: a learned regulator or a schedule by its file's stem."""
    for prefix, kind in (("learned:", "learned"), ("schedule:", "schedule")):
        if policy.startswith(prefix):
            return f"{kind} {Path(policy.removeprefix(prefix)).stem}"
    return policy


def run_policy(
    scenario: str, policy: str, seed: int, climate_coefficient: float, **overrides
) -> dict:
    """One episode of ``policy``: its metrics and its yearly releases.

    In a market that mixes learned and heuristic firms, the same seed is played a second time
    with the roles swapped (every learned firm heuristic and the other way round: a crossover
    design), so every firm is learned once and heuristic once. ``crossover_learned_profit``
    and ``crossover_heuristic_profit`` are the mean profit of all firms in each role: their
    difference is free of which firms the seeded draw happened to make learned (the paper's
    firms differ in size, and so in profit, by half).
    """

    def play(swap: bool) -> CarbonMarket:
        market = CarbonMarket(
            scenario, seed=seed, policy=policy, climate_coefficient=climate_coefficient, **overrides
        )
        if swap:
            swap_learned(market)
        return run_episode(market)

    market = play(swap=False)
    learned = market.behaviour_names == "learned"
    swapped = play(swap=True) if learned.any() and (~learned).any() else None
    return run_row(market, policy, seed, climate_coefficient, swapped)


def run_row(
    market: CarbonMarket,
    policy: str,
    seed: int,
    climate_coefficient: float,
    swapped: CarbonMarket | None = None,
) -> dict:
    """The evaluation's row of one finished episode (``swapped``: its crossover replay)."""
    profit = market.accounts.total_coins() - market.initial_coins
    learned = market.behaviour_names == "learned"
    crossover = (math.nan, math.nan)
    if swapped is not None:
        swapped_profit = swapped.accounts.total_coins() - swapped.initial_coins
        as_learned = np.where(learned, profit, swapped_profit)
        as_heuristic = np.where(learned, swapped_profit, profit)
        crossover = (float(as_learned.mean()), float(as_heuristic.mean()))
    learned_groups = [b for b, _ in market.behaviour_groups() if b.name == "learned"]
    decisions = sum(b.decided * b.corrected.size for b in learned_groups)
    departures = sum(b.corrected.sum() for b in learned_groups)
    corrected = departures / decisions if decisions else math.nan
    total_emissions = float(market.enterprises.emitted_total.sum())
    return _row(policy, seed, climate_coefficient, market.measures, market.year_records,
                total_emissions, profit, learned, crossover, corrected)  # fmt: skip


def lane_row(lane: LaneResult, policy: str, seed: int, climate_coefficient: float) -> dict:
    """:func:`run_row` of a batch's lane, read from the batch's arrays (no market built).

    Markets with learned firms play alone, for their crossover replay (:func:`collect_runs`),
    so none of a lane's firms is learned.
    """
    learned = np.zeros(len(lane.profit), dtype=bool)
    return _row(policy, seed, climate_coefficient, lane.summary, lane.year_records,
                lane.summary["total_emissions"], lane.profit, learned, (math.nan, math.nan),
                math.nan)  # fmt: skip


def _row(policy, seed, climate_coefficient, m, year_records, total_emissions, profit, learned,
         crossover, corrected) -> dict:  # fmt: skip
    """The row of :func:`run_row` from what it reads of the episode (``m``: its measures)."""
    volume = sum(r["volume"] for r in year_records)
    value = sum(r["price"] * r["volume"] for r in year_records if r["volume"])
    return {
        "policy": policy,
        "seed": seed,
        "equality": m["equality"],
        "productivity": m["productivity"],
        "over_emission": m["over_emission"],
        "total_emissions": total_emissions,
        "mean_price": value / volume if volume else math.nan,
        "releases": [r["release"] for r in year_records],
        "learned_c": climate_coefficient if is_learned(policy) else math.nan,
        "learned_firm_profit": float(profit[learned].mean()) if learned.any() else math.nan,
        "heuristic_firm_profit": float(profit[~learned].mean()) if (~learned).any() else math.nan,
        "crossover_learned_profit": crossover[0],
        "crossover_heuristic_profit": crossover[1],
        "learned_corrected_share": corrected,
    }


def swap_learned(market: CarbonMarket) -> None:
    """Make every learned firm heuristic and every heuristic firm learned, before a run starts.

    Raises:
        ValueError: the market does not hold exactly one learned and one heuristic behaviour.
    """
    behaviours = {firm.behaviour.name: firm.behaviour for firm in market.firms}
    if len(behaviours) != 2 or "learned" not in behaviours:
        raise ValueError(
            f"learned_share: swapping needs learned firms and one heuristic behaviour, "
            f"not {sorted(behaviours)}"
        )
    learned = behaviours.pop("learned")
    (heuristic,) = behaviours.values()
    for firm in market.firms:
        market.assign_behaviour(firm.index, heuristic if firm.behaviour is learned else learned)


def collect_runs(
    scenario: str,
    policies: Iterable[str],
    n_seeds: int,
    coefficients: Iterable[float],
    progress: bool = False,
    **overrides,
) -> pd.DataFrame:
    """Every policy on every held-out seed; learned regulators once per coefficient too.

    The seeds of one policy and coefficient play as one batch of markets
    (:class:`model.batch.MarketBatch`: each lane exactly its market alone), each lane's row
    read from the batch's arrays (:func:`lane_row`); markets with learned firms play one after
    another, each with its crossover replay (:func:`run_policy`).
    """
    coefficients = list(coefficients)
    seeds = evaluation_seeds(n_seeds)
    jobs = [(p, c) for p in policies for c in (coefficients if is_learned(p) else coefficients[:1])]
    rows = []
    with tqdm(total=len(jobs) * n_seeds, disable=not progress, unit="run", desc="evaluate") as bar:
        for policy, c in jobs:
            setting = {**overrides, "policy": policy, "climate_coefficient": c}
            loaded = load_scenario(scenario, **setting)
            if not batchable(loaded) or holds_learned_firms(loaded):
                for seed in seeds:
                    rows.append(run_policy(scenario, policy, seed, c, **overrides))
                    bar.update()
                continue
            batch = MarketBatch(scenario, seeds, **setting).run()
            lanes = lane_results(batch)
            rows += [lane_row(lane, policy, s, c) for lane, s in zip(lanes, seeds, strict=True)]
            bar.update(n_seeds)
    return pd.DataFrame(rows)


def score(runs: pd.DataFrame, climate_coefficient: float) -> pd.DataFrame:
    """Per-run metrics with welfare at ``climate_coefficient`` (learned runs made at that c)."""
    keep = runs["learned_c"].isna() | np.isclose(runs["learned_c"], climate_coefficient)
    scored = runs[keep].copy()
    scored["welfare"] = [
        metrics.welfare(e, p, o, climate_coefficient)
        for e, p, o in zip(
            scored["equality"], scored["productivity"], scored["over_emission"], strict=True
        )
    ]
    return scored


def t_half_width(values: Iterable[float]) -> float:
    """Half-width of the 95% Student-t confidence interval of the mean (nan below 2 values)."""
    values = np.asarray(list(values), dtype=float)
    if len(values) < 2:
        return math.nan
    return float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))


def confidence_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% CI half-width of each metric per policy, best welfare first."""
    rows = []
    for policy, group in scored.groupby("policy", sort=False):
        row = {"policy": policy, "seeds": len(group)}
        for metric in METRICS:
            values = group[metric].dropna().to_numpy()
            row[metric] = values.mean() if len(values) else math.nan
            row[f"{metric}_ci"] = t_half_width(values)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("welfare", ascending=False, ignore_index=True)


@dataclass(frozen=True)
class PairedTest:
    """The learned regulator against the best rule, paired by seed."""

    learned: str
    best_rule: str
    mean_difference: float
    t_pvalue: float
    wilcoxon_pvalue: float
    wins: int
    seeds: int


def paired_test(scored: pd.DataFrame, learned: str) -> PairedTest:
    """Paired t-test and Wilcoxon test of ``learned`` against the rule with the best mean."""
    rules = scored[~scored["policy"].map(is_learned)]
    best = rules.groupby("policy")["welfare"].mean().idxmax()
    a = scored[scored["policy"] == learned].set_index("seed")["welfare"]
    b = rules[rules["policy"] == best].set_index("seed")["welfare"]
    a, b = a.align(b, join="inner")
    difference = a - b
    return PairedTest(
        learned=learned,
        best_rule=best,
        mean_difference=float(difference.mean()),
        t_pvalue=float(stats.ttest_rel(a, b).pvalue),
        wilcoxon_pvalue=float(stats.wilcoxon(a, b).pvalue) if (difference != 0).any() else 1.0,
        wins=int((difference > 0).sum()),
        seeds=len(difference),
    )


def markdown_table(table: pd.DataFrame) -> str:
    """The confidence table as Markdown, ``mean ± CI`` per metric."""
    header = "| policy | " + " | ".join(METRICS) + " |"
    lines = [header, "|---" * (len(METRICS) + 1) + "|"]
    for _, row in table.iterrows():
        cells = [f"{row[m]:.4g} ± {row[f'{m}_ci']:.2g}" for m in METRICS]
        lines.append(f"| {row['policy']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def draw(
    scored: pd.DataFrame, table: pd.DataFrame, climate_coefficient: float, out: Path
) -> list[Path]:
    """The welfare bar chart (as the paper's figure) and the learned allocation schedule."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(10, 3.8))
    colours = [
        "tab:orange" if is_learned(p) else "tab:blue" if p.startswith("schedule:") else "tab:green"
        for p in table["policy"]
    ]
    ax.bar(range(len(table)), table["welfare"], yerr=table["welfare_ci"], color=colours, capsize=3)
    ax.set_xticks(
        range(len(table)), [short_name(p).replace("-", "\n") for p in table["policy"]], fontsize=6
    )
    positive = table["welfare"][table["welfare"] > 0]
    if len(positive) > 1 and positive.max() / positive.min() > 20:
        ax.set_yscale("log")  # rules and the learned regulator differ by orders of magnitude
    ax.set(
        ylabel="welfare" + (" (log scale)" if ax.get_yscale() == "log" else ""),
        title=f"Welfare by policy at c = {climate_coefficient} "
        f"({int(table['seeds'].max())} held-out seeds, 95% CI)",
    )
    fig.tight_layout()
    bars = out / f"welfare_c{climate_coefficient}.png"
    fig.savefig(bars, dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    for policy, group in scored.groupby("policy"):
        schedule = np.array(group["releases"].tolist(), dtype=float)
        if is_learned(policy) or policy.startswith("schedule:"):
            ax.errorbar(
                np.arange(1, schedule.shape[1] + 1),
                schedule.mean(axis=0),
                yerr=schedule.std(axis=0),
                lw=2.5,
                capsize=3,
                label=short_name(policy),
            )
        elif policy.startswith(("decreasing-", "convex-", "flat-")) and "size" in policy:
            ax.plot(
                np.arange(1, schedule.shape[1] + 1), schedule.mean(axis=0), "--", lw=1, label=policy
            )
    ax.set(
        xlabel="year",
        ylabel="allowances released",
        title=f"Allocation schedules (c = {climate_coefficient})",
    )
    ax.legend(fontsize=7)
    fig.tight_layout()
    schedule_path = out / f"schedule_c{climate_coefficient}.png"
    fig.savefig(schedule_path, dpi=110)
    plt.close(fig)
    return [bars, schedule_path]


def profit_comparison(scored: pd.DataFrame) -> pd.DataFrame:
    """Mixed markets: learned against heuristic firms' mean profit per policy, with 95% t-CIs.

    Profit = coins at the end minus coins at the start (coins). ``learned``/``heuristic`` and
    ``difference`` come from the crossover (each seed played with the roles swapped, see
    :func:`run_policy`); ``draw_difference`` compares the two groups within the seeded draw
    alone, whose spread also carries which firms the draw made learned. ``corrected_share`` is
    the share of the learned firms' decisions (firm-rounds x actions) that departed from the
    rule.
    """
    rows = []
    for policy, group in scored.groupby("policy", sort=False):
        crossover = group[["crossover_learned_profit", "crossover_heuristic_profit"]].dropna()
        if len(crossover) < 2:
            continue
        difference = crossover["crossover_learned_profit"] - crossover["crossover_heuristic_profit"]
        draw = group["learned_firm_profit"] - group["heuristic_firm_profit"]
        rows.append(
            {
                "policy": policy,
                "seeds": len(crossover),
                "learned_profit": crossover["crossover_learned_profit"].mean(),
                "heuristic_profit": crossover["crossover_heuristic_profit"].mean(),
                "difference": difference.mean(),
                "difference_ci": t_half_width(difference),
                "wins": int((difference > 0).sum()),
                "draw_difference": draw.mean(),
                "draw_difference_ci": t_half_width(draw),
                "corrected_share": group["learned_corrected_share"].mean(),
            }
        )
    return pd.DataFrame(rows)


def draw_profit_differences(profits: pd.DataFrame, climate_coefficient: float, out: Path) -> Path:
    """Mixed markets: learned minus heuristic profit per firm for each regulator, with 95% CIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = profits.sort_values("difference", ignore_index=True)
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(ordered) + 1.2))
    rows = range(len(ordered))
    significant = (ordered["difference"].abs() > ordered["difference_ci"]).to_numpy()
    colours = np.where(
        significant, np.where(ordered["difference"] > 0, "tab:green", "tab:red"), "tab:gray"
    )
    ax.barh(rows, ordered["difference"], xerr=ordered["difference_ci"], color=colours, capsize=3)
    ax.set_yticks(rows, [short_name(p) for p in ordered["policy"]], fontsize=7)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("learned minus rule-based profit per firm (coins, same firms and seeds)")
    ax.set_title(f"Learned beside rule-based firms, c = {climate_coefficient}", fontsize=9)
    fig.tight_layout()
    path = out / f"firm_profits_c{climate_coefficient}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
