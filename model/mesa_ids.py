"""Let Mesa forget a market once nothing else holds it (Mesa 3.3's agent-id leak).

Mesa 3.3 numbers a model's agents from ``mesa.Agent._ids``, a class-level ``defaultdict``
keyed by the model itself, so every model ever built stays alive for the life of the process
(mesa/mesa#3179, fixed upstream by mesa/mesa#3180). Training, the schedule search and the
evaluation build one market per episode, thousands per process; an ``eu-shocks`` market's
order book alone is about 6 MB, so a 40,000-year training run held some 20 GB before the
kernel killed it; sweeps and the dashboard's resets leak the same way. Installed when
``model`` is imported. :func:`forget_discarded_markets` swaps the table for one that holds its
models weakly: numbering is unchanged (per model, from 1), and a model no longer referenced
is freed with its counter. A Mesa without the table (3.5) needs nothing. Remove this once the
project requires a Mesa with the fix.
"""

from __future__ import annotations

import itertools
import weakref

import mesa


class _WeakAgentIds(weakref.WeakKeyDictionary):
    """``model -> itertools.count(1)``, created on first use, holding the model weakly."""

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


def forget_discarded_markets() -> None:
    """Make ``mesa.Agent._ids`` weak-keyed (once per process; its existing counters kept)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None and not isinstance(ids, _WeakAgentIds):
        table = _WeakAgentIds()
        table.update(ids)
        mesa.Agent._ids = table
