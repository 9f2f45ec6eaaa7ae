"""Record the golden trajectories (``python -m tests.golden.record``).

Run only when a change of the economics is intended, and say why in the commit.
"""

from __future__ import annotations

import time

import pandas as pd

from tests.golden.cases import CASES, DATA, play


def main() -> None:
    """Play every case and write ``trades.parquet`` and ``years.parquet``."""
    trades, years = [], []
    started = time.perf_counter()
    for case in CASES:
        t, y = play(case)
        trades.append(t)
        years.append(y)
    DATA.mkdir(parents=True, exist_ok=True)
    pd.concat(trades, ignore_index=True).to_parquet(DATA / "trades.parquet", index=False)
    pd.concat(years, ignore_index=True).to_parquet(DATA / "years.parquet", index=False)
    print(f"{len(CASES)} cases in {time.perf_counter() - started:.1f} s -> {DATA}")


if __name__ == "__main__":
    main()
