"""What the commands print: JSON that any parser reads, and aligned ``key  value`` lines."""

from __future__ import annotations

import json
import math
import numbers
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with numpy numbers as Python ones and NaN or infinity as None (JSON null)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def print_json(value: Any) -> None:
    """Print ``value`` as strict JSON (RFC 8259: no NaN or Infinity; undefined is null)."""
    print(json.dumps(plain(value), indent=2, allow_nan=False))
