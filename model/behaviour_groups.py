"""The market's firms grouped by the behaviour they hold, as Python and as the round kernel.

Firms naming the same behaviour share one object, and every rule decides for its group at
once. A market keeps its groups as ``(behaviour, firm indices)``; when every behaviour is
one of :data:`COMPILED_BEHAVIOURS` the groups are also arrays the round kernel reads
(:func:`compiled_groups`), and a batch pads every lane's to one shape (:func:`lane_groups`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.behaviours import (
    Behaviour,
    RuleBased,
    Truthful,
    ZeroIntelligenceConstrained,
    ZeroIntelligenceUnconstrained,
)
from agents.learned_firm import LearnedBehaviour
from agents.learned_kernels import ACTION_SIZE
from model.round_kernel import LEARNED, RULE_BASED, TRUTHFUL, ZI_C, ZI_U

#: The behaviours whose rules are compiled, with their code in the round kernel (a subclass,
#: which may change a rule, plays through the Python phases).
COMPILED_BEHAVIOURS: dict[type[Behaviour], int] = {
    ZeroIntelligenceConstrained: ZI_C,
    ZeroIntelligenceUnconstrained: ZI_U,
    Truthful: TRUTHFUL,
    RuleBased: RULE_BASED,
    LearnedBehaviour: LEARNED,
}

#: One behaviour group: the behaviour and the indices of the firms holding it.
Group = tuple[Behaviour, np.ndarray]


def with_learned_share(
    names: Sequence[str], learned_share: float, rng: np.random.Generator
) -> list[str]:
    """The firms' behaviour names with ``learned_share`` of them made learned, drawn by ``rng``.

    The draw (one permutation of the firms, when the share is positive) is the market's, right
    after its firms are drawn, so a market and a batch's lane of the same seed agree.
    """
    names = list(names)
    if learned_share > 0:
        n_learned = int(np.floor(learned_share * len(names) + 0.5))
        for index in rng.permutation(len(names))[:n_learned]:
            names[index] = "learned"
    return names


def group_firms(behaviours: Sequence[Behaviour]) -> list[Group]:
    """The groups of firms holding ``behaviours`` (firm i the i-th), in first-seen order."""
    groups: dict[Behaviour, list[int]] = {}
    for index, behaviour in enumerate(behaviours):
        groups.setdefault(behaviour, []).append(index)
    return [(b, np.asarray(idx, dtype=np.int64)) for b, idx in groups.items()]


def compiled_groups(groups: list[Group], n_firms: int) -> tuple[np.ndarray, ...] | None:
    """The groups as the round kernel takes them; None if a behaviour is written in Python.

    Returns:
        ``(codes, members, sizes, quantities, actions)``: each group's code, its firms
        ``members[g, :sizes[g]]`` (shape ``(groups, n_firms)``), its largest order, and the
        learned firms' actions by firm, ``(n_firms, ACTION_SIZE)``, which Python fills
        before each round (``CarbonMarket.play_compiled``).
    """
    if any(type(b) not in COMPILED_BEHAVIOURS for b, _ in groups):
        return None
    members = np.zeros((len(groups), n_firms), dtype=np.int64)
    for g, (_, firms) in enumerate(groups):
        members[g, : len(firms)] = firms
    return (
        np.array([COMPILED_BEHAVIOURS[type(b)] for b, _ in groups], dtype=np.int64),
        members,
        np.array([len(f) for _, f in groups], dtype=np.int64),
        np.array([b.max_quantity for b, _ in groups], dtype=np.int64),
        np.zeros((n_firms, ACTION_SIZE)),
    )


def lane_groups(compiled: list[tuple[np.ndarray, ...]], n_firms: int) -> tuple[np.ndarray, ...]:
    """Every lane's compiled groups, padded to one shape, with the lane first."""
    widest = max(groups[0].size for groups in compiled)
    codes = np.zeros((len(compiled), widest), dtype=np.int64)
    members = np.zeros((len(compiled), widest, n_firms), dtype=np.int64)
    sizes = np.zeros((len(compiled), widest), dtype=np.int64)
    quantities = np.ones((len(compiled), widest), dtype=np.int64)
    for b, (code, member, size, quantity, _) in enumerate(compiled):
        g = code.size
        codes[b, :g], members[b, :g], sizes[b, :g], quantities[b, :g] = (
            code,
            member,
            size,
            quantity,
        )
    return codes, members, sizes, quantities, np.zeros((len(compiled), n_firms, ACTION_SIZE))


def learned_groups(groups: list[Group]) -> list[tuple[LearnedBehaviour, np.ndarray]]:
    """The groups whose firms are learned: their actions are set before each round."""
    return [(b, firms) for b, firms in groups if isinstance(b, LearnedBehaviour)]
