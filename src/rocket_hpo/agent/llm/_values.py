"""The finite set of values the language model may write for each hyperparameter.

Numbers are decoded as one of a bounded set of *quantised candidates* (rather than
free digits checked by a finite-state machine), so that every output is in range by
construction and a configuration has exactly one spelling:

- log-scaled floats: every value with ``log_digits`` significant digits in ``[low, high]``
  (1.0, 1.1, ... 9.9 times each power of ten for 2 digits), plus both ends;
- linear floats: a grid whose step is the smallest power of ten that leaves at most
  ``linear_values`` intervals on the range, plus both ends;
- integers: every value when there are at most ``int_values``, otherwise the log or
  linear grid above snapped to the integer step;
- categorical and bool: each choice, written as JSON (``"adam"``, ``true``, ``null``, ``3``).

Numbers are written in positional notation (``0.00012``, never ``1.2e-04``), so that for
small values the leading zeros, i.e. the order of magnitude, are decided first.

Example:
    >>> from rocket_hpo.space import Float
    >>> hp = Float(0.001, 0.01, log=True); hp._check("lr")
    >>> c = candidates("lr", hp, log_digits=1)
    >>> c.texts
    ('0.001', '0.002', '0.003', '0.004', '0.005', '0.006', '0.007', '0.008', '0.009', '0.01')
    >>> c.nearest(0.0042), c.values[c.nearest(0.0042)]
    (3, 0.004)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rocket_hpo.space import Categorical, Float, Hyperparameter, Int, Value

__all__ = ["Candidates", "candidates", "format_number"]


def format_number(x: float) -> str:
    """The shortest positional spelling of ``x`` that reads back as ``x`` (valid JSON)."""
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return str(np.format_float_positional(float(x), trim="-"))


@dataclass(frozen=True)
class Candidates:
    """The values one hyperparameter may take in an output, with their JSON spellings."""

    name: str
    values: tuple[Value, ...]
    texts: tuple[str, ...]
    # Position of each value in [0, 1] (log position where log-scaled); None if unordered.
    units: tuple[float, ...] | None
    log: bool = False

    def nearest(self, value: Any) -> int:
        """Index of the candidate equal to ``value``, or (numbers) closest on the unit scale."""
        if self.units is None:
            for i, v in enumerate(self.values):
                if type(v) is type(value) and v == value:
                    return i
            for i, v in enumerate(self.values):
                if v == value and not isinstance(v, bool) and not isinstance(value, bool):
                    return i
            raise KeyError(f"{value!r} is not a choice of {self.name!r}")
        return int(np.argmin(np.abs(np.asarray(self.units) - self._unit_of(float(value)))))

    def _unit_of(self, x: float) -> float:
        lo, hi = float(self.values[0]), float(self.values[-1])  # type: ignore[arg-type]
        if hi == lo:
            return 0.0
        if self.log:
            return (math.log(max(x, lo)) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return (x - lo) / (hi - lo)


def _numeric(name: str, values: list[float], log: bool, as_int: bool) -> Candidates:
    values = sorted(set(values))
    lo, hi = values[0], values[-1]
    if hi == lo:
        units = [0.0]
    elif log:
        units = [(math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) for v in values]
    else:
        units = [(v - lo) / (hi - lo) for v in values]
    out_values: tuple[Value, ...] = tuple(int(v) if as_int else float(v) for v in values)
    texts = tuple(str(int(v)) if as_int else format_number(v) for v in values)
    return Candidates(name, out_values, texts, tuple(units), log)


def _log_grid(lo: float, hi: float, digits: int) -> list[float]:
    """Every number with ``digits`` significant digits in [lo, hi], plus both ends."""
    out = [lo, hi]
    top = 10 ** (digits - 1)
    for e in range(math.floor(math.log10(lo)) - digits, math.ceil(math.log10(hi)) + 1):
        for m in range(top, 10 * top):
            # Parsing the text makes the value exactly what its spelling reads back as.
            v = float(f"{m}e{e - digits + 1}")
            if lo <= v <= hi:
                out.append(v)
    return out


def _linear_grid(lo: float, hi: float, max_intervals: int) -> list[float]:
    """Multiples of the smallest power of ten leaving <= ``max_intervals`` steps, plus ends."""
    if hi == lo:
        return [lo]
    e = math.ceil(math.log10((hi - lo) / max_intervals))
    out = [lo, hi]
    k = math.ceil(lo / 10.0**e - 1e-9)
    while True:
        v = float(f"{k}e{e}")
        if v > hi:
            break
        if v >= lo:
            out.append(v)
        k += 1
    return out


def candidates(
    name: str,
    hp: Hyperparameter,
    log_digits: int = 2,
    linear_values: int = 100,
    int_values: int = 256,
) -> Candidates:
    """The candidate values of hyperparameter ``name`` (see the module docstring)."""
    if isinstance(hp, Categorical):  # Bool included
        texts = tuple(json.dumps(c) for c in hp.choices)
        return Candidates(name, tuple(hp.choices), texts, None)
    if isinstance(hp, Int):
        lo, hi, step = int(hp.low), int(hp.high), int(hp.step)
        n = (hi - lo) // step + 1
        if n <= int_values:
            return _numeric(name, [float(lo + k * step) for k in range(n)], hp.log, True)
        if hp.log:
            grid = [float(round(v)) for v in _log_grid(float(lo), float(hi), log_digits)]
        else:
            # A round stride (a power of ten times the step) keeps the spellings short.
            stride = step * 10 ** math.ceil(math.log10(n / int_values))
            grid = [float(v) for v in range(lo, hi + 1, stride)] + [float(hi)]
        return _numeric(name, grid, hp.log, True)
    assert isinstance(hp, Float)
    flo, fhi = float(hp.low), float(hp.high)
    if hp.log and fhi > flo:
        return _numeric(name, _log_grid(flo, fhi, log_digits), True, False)
    return _numeric(name, _linear_grid(flo, fhi, linear_values), False, False)
