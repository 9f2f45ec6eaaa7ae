"""A market nothing references is freed (Mesa 3.3 kept them all)."""

import gc
import weakref

from model import CarbonMarket


def test_a_discarded_market_is_freed_and_ids_still_count_per_market():
    first = CarbonMarket("paper-shocks", seed=0)
    second = CarbonMarket("paper-shocks", seed=1)
    assert first.firm_ids == list(range(1, len(first.firm_ids) + 1))
    assert second.firm_ids == list(range(1, len(second.firm_ids) + 1))
    gone = weakref.ref(first)
    first.step()
    del first
    gc.collect()
    assert gone() is None
