"""How a score reads in every line and page Rocket shows (progress, status, reports)."""

from __future__ import annotations

import math

__all__ = ["format_score"]


def format_score(x: float | None) -> str:
    """A score as a person reads it: four significant digits, trailing zeros kept.

    Example:
        >>> [format_score(v) for v in (1.0, 0.95123, -8.3e-06, 1234.0, 0.0, -0.0, None)]
        ['1.000', '0.9512', '-8.300e-06', '1234', '0', '0', '-']
    """
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"  # never "-0"
    text = f"{x:#.4g}"
    return text[:-1] if text.endswith(".") else text
