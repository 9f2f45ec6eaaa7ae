"""Mesa's ``batch_run`` over given seeds, in the form the installed Mesa takes them.

Mesa 3.3 has no control over seeds but passes every parameter on, so the seed is a model
parameter run once (``iterations=1``). Mesa 3.4 added ``rng``: it sets the model's ``seed``
argument from each entry, overwriting a seed given among the parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import mesa


def seeded_batch_run(
    model_cls: type[mesa.Model], parameters: dict[str, Any], seeds: Iterable[int], **options: Any
) -> list[dict[str, Any]]:
    """``mesa.batch_run`` of ``model_cls`` once per seed and parameter combination."""
    seeds = list(seeds)
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        return mesa.batch_run(model_cls, parameters, rng=seeds, **options)
    return mesa.batch_run(model_cls, {**parameters, "seed": seeds}, iterations=1, **options)
