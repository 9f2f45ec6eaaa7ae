"""The market seeds of training, validation and held-out evaluation: three disjoint ranges.

Training draws its markets' seeds below :data:`EVALUATION_SEED_START`; the evaluation of every
policy (learned, rule or schedule) and the checks during training take theirs from ranges
above it, so no policy is scored on a market it trained on. Kept apart from the Gymnasium
environments so that evaluating and searching schedules need no reinforcement-learning library.
"""

from __future__ import annotations

#: Training draws market seeds below this; evaluation seeds start at it (never overlap).
EVALUATION_SEED_START = 1_000_000_000
#: The EvalCallback's validation seeds (also never used in training).
VALIDATION_SEED_START = 2_000_000_000


def evaluation_seeds(n: int) -> list[int]:
    """The held-out seeds every policy is evaluated on (disjoint from training)."""
    return list(range(EVALUATION_SEED_START, EVALUATION_SEED_START + n))


def validation_seeds(n: int) -> list[int]:
    """Seeds for evaluation during training (disjoint from training and the final evaluation)."""
    return list(range(VALIDATION_SEED_START, VALIDATION_SEED_START + n))
