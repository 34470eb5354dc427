"""The ladder of data fractions ("rungs") a configuration climbs, cheapest first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rocket_hpo._checks import check_number, invalid

__all__ = ["Ladder"]

# Two fractions are the same rung when their logarithms differ by less than this.
_SAME_RUNG = 1e-6
_OF = "parameter of Ladder"


@dataclass(frozen=True)
class Ladder:
    """Data fractions ``max_fraction * eta**-k`` for ``k = K, ..., 1, 0``, the smallest >= min.

    Args:
        min_fraction: the smallest fraction a configuration is tried on, in (0, max_fraction].
        eta: the reduction factor between adjacent rungs, > 1; also the promotion rate
            (the best ``1/eta`` of a rung move up).
        max_fraction: the top rung, normally 1.0 = the full data (the final answer is taken
            from this rung).

    Example:
        >>> Ladder(min_fraction=1 / 27, eta=3).fractions
        (0.037037037037037035, 0.1111111111111111, 0.3333333333333333, 1.0)
        >>> Ladder(1 / 27, 3).rung_of(1 / 9)
        1
    """

    min_fraction: float = 1 / 27
    eta: float = 3.0
    max_fraction: float = 1.0

    def __post_init__(self) -> None:
        for name in ("min_fraction", "max_fraction"):
            check_number(name, getattr(self, name), 0, 1, open_low=True, kind=_OF)
        if self.min_fraction > self.max_fraction:
            raise invalid("min_fraction", f"<= max_fraction ({self.max_fraction!r})",
                          self.min_fraction, kind=_OF)
        check_number("eta", self.eta, 1, open_low=True, kind=_OF)

    @property
    def fractions(self) -> tuple[float, ...]:
        """The rungs' data fractions, cheapest first; the last is ``max_fraction``."""
        k = math.floor(math.log(self.max_fraction / self.min_fraction) / math.log(self.eta) + 1e-9)
        return tuple(self.max_fraction * float(self.eta) ** -i for i in range(k, -1, -1))

    @property
    def top(self) -> int:
        """Index of the top rung (the full data)."""
        return len(self.fractions) - 1

    def rung_of(self, fraction: float) -> int | None:
        """The rung ``fraction`` belongs to, or None when it is not on the ladder."""
        if not fraction > 0:
            return None
        log_f = math.log(fraction)
        for i, f in enumerate(self.fractions):
            if abs(math.log(f) - log_f) < _SAME_RUNG:
                return i
        return None

    def to_dict(self) -> dict[str, float]:
        """The JSON form saved with the study (key ``rocket:ladder``)."""
        return {
            "min_fraction": float(self.min_fraction),
            "eta": float(self.eta),
            "max_fraction": float(self.max_fraction),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ladder:
        """The ladder saved with a study by :meth:`to_dict`."""
        return cls(float(data["min_fraction"]), float(data["eta"]), float(data["max_fraction"]))

    def same_as(self, other: Ladder) -> bool:
        """True when both ladders have the same rungs (up to rounding)."""
        a, b = self.fractions, other.fractions
        return len(a) == len(b) and all(
            abs(math.log(x / y)) < _SAME_RUNG for x, y in zip(a, b, strict=True)
        )
