"""Time to step the market and re-render every dashboard panel, at 5, 100 and 1,000 firms.

The panels are rendered browser-less (``solara.render``) inside one session's kernel context
with Solara's server loaded, as the server renders them after the Step button (one render
pass for all panels): the figure is the server's work per step (model step + every panel's
widgets and chart specs), what decides whether play looks live. Target: under 200 ms per
step at 100 firms.

Run: ``python benchmarks/dashboard_step.py``.
"""

import time
import warnings

import numpy as np
import solara
import solara.server.starlette  # reactive state is then per session, as when served
from mesa.visualization.utils import force_update
from solara.server import kernel_context

from dashboard.market import DashboardMarket
from dashboard.pages import PANELS
from dashboard.policy_choice import AS_IN_SCENARIO

SIZES = (5, 100, 1_000)
WARM_UP = 60  # rounds played before timing (past the first allocation, a book with orders)
TIMED = 20  # rounds timed
TARGET_MS = 200.0  # at 100 firms


@solara.component
def AllPanels(market):
    """Every panel of the dashboard, as the page shows them."""
    with solara.Column():
        for panel in PANELS:
            panel(market)


def measure(n_firms: int) -> tuple[float, float]:
    """Median milliseconds per round: (step, step + re-render of every panel)."""
    market = DashboardMarket("eu-large", policy=AS_IN_SCENARIO, n_firms=n_firms, seed=1)
    for _ in range(WARM_UP):
        market.step()
    with kernel_context.create_dummy_context():  # one browser session
        solara.render(AllPanels(market), handle_error=False)
        steps, totals = [], []
        for _ in range(TIMED):
            start = time.perf_counter()
            market.step()
            stepped = time.perf_counter()
            force_update()  # what Mesa's Step button does: every panel re-renders
            done = time.perf_counter()
            steps.append(stepped - start)
            totals.append(done - start)
    return 1000 * float(np.median(steps)), 1000 * float(np.median(totals))


def main() -> None:
    warnings.simplefilter("ignore")
    print(f"{'firms':>6} {'step ms':>9} {'step+render ms':>15}  target < {TARGET_MS:.0f} ms at 100")
    for n in SIZES:
        step_ms, total_ms = measure(n)
        verdict = ("PASS" if total_ms < TARGET_MS else "FAIL") if n == 100 else "-"
        print(f"{n:>6,} {step_ms:>9.1f} {total_ms:>15.1f}  {verdict}")


if __name__ == "__main__":
    main()
