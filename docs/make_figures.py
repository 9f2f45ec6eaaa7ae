"""Draw the README's figures into docs/img (run: `make figures`).

1. Price discovery in the textbook classroom market: rule-based traders' round prices against
   the competitive equilibrium p* = 40, with ZI-C traders for contrast.
2. The paper economy under each of its nine baseline policies: mean welfare over seeds.
3. Allowance price, emissions and the Lorenz curve of coins for one paper episode.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from agents.registry import POLICIES
from market.metrics import lorenz_curve
from model import CarbonMarket
from model.episode import episode_summary, run_episode

OUT = Path(__file__).resolve().parent / "img"


def price_discovery() -> None:
    """Round prices of ZI-C and rule-based traders in the classroom market against p*."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for behaviour, colour in (("zi-c", "tab:gray"), ("rule-based", "tab:blue")):
        market = run_episode(CarbonMarket("classroom", seed=0, behaviour=behaviour))
        prices = market.datacollector.get_model_vars_dataframe()["price"]
        ax.plot(prices.index, prices, ".", ms=3, color=colour, label=f"{behaviour} round VWAP")
    ax.axhline(40, color="tab:red", lw=1.5, label="competitive equilibrium p* = 40")
    for year in (300, 600):
        ax.axvline(year, color="k", lw=0.5, ls=":")
    ax.set(
        xlabel="round (300 a year)",
        ylabel="price (coins per allowance)",
        title="Classroom market: price discovery toward p*",
    )
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "price_discovery.png", dpi=110)


def paper_welfare(seeds: int = 10) -> None:
    """Mean welfare (95% CI) of each paper baseline over ``seeds`` seeds."""
    names = [n for n in POLICIES if POLICIES[n].startswith("paper baseline")]
    means, errors = [], []
    for name in names:
        values = [
            episode_summary(run_episode(CarbonMarket("paper", seed=s, policy=name)))["welfare"]
            for s in range(seeds)
        ]
        means.append(np.mean(values))
        errors.append(1.96 * np.std(values, ddof=1) / np.sqrt(seeds))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(range(len(names)), means, yerr=errors, color="tab:green", capsize=3)
    ax.set_xticks(range(len(names)), [n.replace("-", "\n") for n in names], fontsize=7)
    ax.set(
        ylabel="welfare (c = 0.2)",
        title=f"Paper economy, rule-based firms: welfare by baseline ({seeds} seeds, 95% CI)",
    )
    fig.tight_layout()
    fig.savefig(OUT / "paper_welfare.png", dpi=110)


def paper_episode() -> None:
    """Price, emissions against allocation, and the Lorenz curve of one paper episode."""
    market = run_episode(CarbonMarket("paper", seed=0, policy="decreasing-size"))
    data = market.datacollector.get_model_vars_dataframe()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    axes[0].plot(data["price"], ".", ms=3, label="round VWAP")
    axes[0].plot(data["expected_price"], lw=1, label="expected price")
    axes[0].set(xlabel="round", ylabel="coins per allowance", title="Allowance price")
    axes[0].legend(fontsize=7)
    yearly = data.groupby("year")["emissions"].sum()
    axes[1].bar(yearly.index + 1, yearly, label="emissions")
    allocated = [a.sum() for a in market.government.allocations]
    axes[1].plot(np.arange(1, len(allocated) + 1), allocated, "r.-", label="free allocation")
    axes[1].set(xlabel="year", ylabel="tonnes / allowances", title="Emissions and the cap")
    axes[1].legend(fontsize=7)
    population, wealth = lorenz_curve(market.accounts.total_coins())
    axes[2].plot(population, wealth, "o-", label="coins")
    axes[2].plot([0, 1], [0, 1], "k:", lw=1, label="equality")
    axes[2].set(xlabel="share of firms", ylabel="share of coins", title="Lorenz curve")
    axes[2].legend(fontsize=7)
    fig.suptitle("Paper economy, decreasing-size policy, seed 0", fontsize=10)
    fig.tight_layout()
    fig.savefig(OUT / "paper_episode.png", dpi=110)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    price_discovery()
    paper_welfare()
    paper_episode()
    print(f"figures written to {OUT}")
