"""Parameter sweeps: many runs of one scenario over a grid and/or random samples and seeds.

``carbon-market sweep SWEEP.toml`` runs them (local processes, or a Dask cluster with
``--scheduler``), recording each run as it finishes so ``--resume`` continues a killed sweep;
``carbon-market report DIR`` plots the results. See docs/sweeps.md.
"""

from experiments.spec import Sweep, SweepError, load_sweep
from experiments.store import Results, load_results
from experiments.sweep import SweepOutcome, run_sweep

__all__ = [
    "Results",
    "Sweep",
    "SweepError",
    "SweepOutcome",
    "load_results",
    "load_sweep",
    "run_sweep",
]
