"""Typed hyperparameters (Float, Int, Categorical, Bool) and conditions on a parent."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from rocket_hpo.errors import UsageError

Value: TypeAlias = float | int | str | bool | None
Config: TypeAlias = dict[str, Any]


class SpaceError(UsageError):
    """An invalid search space, or a configuration that does not fit one (a
    :class:`~rocket_hpo.errors.UsageError`: its messages name the hyperparameter)."""


def _fmt(value: Any) -> str:
    return repr(value)


@dataclass(frozen=True)
class Condition:
    """``parent`` must be active and, when ``values`` is not None, take one of them."""

    parent: str
    values: tuple[Value, ...] | None = None

    def holds(self, config: Mapping[str, Any]) -> bool:
        if self.parent not in config:
            return False
        return self.values is None or config[self.parent] in self.values

    def to_obj(self) -> Any:
        if self.values is None:
            return self.parent
        return {self.parent: list(self.values)}


def _parse_condition(when: Any) -> Condition | None:
    """Accept ``"parent"``, ``("parent", v)``, ``("parent", [v, w])`` or ``{"parent": v}``."""
    if when is None or isinstance(when, Condition):
        return when
    if isinstance(when, str):
        return Condition(when)
    if isinstance(when, Mapping):
        if len(when) != 1:
            raise SpaceError(
                f"A condition must name exactly one parent. Got {dict(when)!r} instead."
            )
        ((parent, values),) = when.items()
    elif isinstance(when, tuple | list) and len(when) == 2 and isinstance(when[0], str):
        parent, values = when
    else:
        raise SpaceError(
            "A condition must be 'parent', ('parent', value(s)) or {'parent': value(s)}. "
            f"Got {when!r} instead."
        )
    if not isinstance(values, list | tuple):
        values = [values]
    if len(values) == 0:
        raise SpaceError(f"The condition on {parent!r} must list at least one value.")
    return Condition(str(parent), tuple(values))


class Hyperparameter:
    """Base of the typed hyperparameters. Constructors only store their arguments;
    :class:`Space` validates them once, when it knows their names."""

    kind: str = ""

    def __init__(self, when: Any = None) -> None:
        self.when = when
        self.condition: Condition | None = None

    # --- validation -----------------------------------------------------------------
    def _check(self, name: str) -> None:
        self.condition = _parse_condition(self.when)

    def check_value(self, name: str, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- unit-cube mapping ------------------------------------------------------------
    @property
    def n_choices(self) -> int:
        """Number of categories; 0 for numeric hyperparameters."""
        return 0

    def to_unit(self, value: Any) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def from_unit(self, u: float) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.kind}
        d.update(self._fields())
        if self.condition is not None:
            d["when"] = self.condition.to_obj()
        elif self.when is not None:
            d["when"] = _parse_condition(self.when).to_obj()  # type: ignore[union-attr]
        return d

    def _fields(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hyperparameter) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "type")
        return f"{type(self).__name__}({args})"


def _number(name: str, field: str, value: Any) -> float:
    """A real number from user input (YAML reads ``1e-5`` as text, so numeric text is accepted)."""
    if isinstance(value, bool):
        raise SpaceError(
            f"The {field!r} of hyperparameter {name!r} must be a number. Got {value!r}."
        )
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise SpaceError(
                f"The {field!r} of hyperparameter {name!r} must be a number. Got {value!r}."
            ) from None
    if not isinstance(value, int | float | np.integer | np.floating) or not math.isfinite(value):
        raise SpaceError(
            f"The {field!r} of hyperparameter {name!r} must be a finite number. Got {value!r}."
        )
    return float(value)


class _Numeric(Hyperparameter):
    def __init__(self, low: Any, high: Any, log: bool = False, when: Any = None) -> None:
        super().__init__(when)
        self.low = low
        self.high = high
        self.log = log

    def _check(self, name: str) -> None:
        super()._check(name)
        low = _number(name, "low", self.low)
        high = _number(name, "high", self.high)
        if not isinstance(self.log, bool):
            raise SpaceError(
                f"The 'log' of hyperparameter {name!r} must be true or false. Got {self.log!r}."
            )
        if low > high:
            raise SpaceError(
                f"The 'low' of hyperparameter {name!r} must be <= its 'high' ({high!r}). "
                f"Got {low!r} instead."
            )
        if self.log and low <= 0:
            raise SpaceError(
                f"The 'low' of log-scaled hyperparameter {name!r} must be > 0. Got {low!r} instead."
            )
        self.low, self.high = low, high

    def _unit(self, x: float) -> float:
        lo, hi = float(self.low), float(self.high)
        if self.log:
            lo, hi, x = math.log(lo), math.log(hi), math.log(x)
        # A range narrower than the float resolution (e.g. 829 to 829.0000000000003 on a
        # log scale, whose logs are equal) is a single point.
        if hi == lo:
            return 0.0
        return (x - lo) / (hi - lo)

    def _from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        lo, hi = float(self.low), float(self.high)
        if self.log:
            x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        else:
            x = lo + u * (hi - lo)
        return min(max(x, lo), hi)


class Float(_Numeric):
    """A real hyperparameter in ``[low, high]``, on a log scale when ``log=True``."""

    kind = "float"

    def check_value(self, name: str, value: Any) -> None:
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
        if not ok or not math.isfinite(float(value)):
            raise SpaceError(
                f"Hyperparameter {name!r} must be a float in [{self.low}, {self.high}]. "
                f"Got {value!r} instead."
            )
        if not self.low <= float(value) <= self.high:
            raise SpaceError(
                f"Hyperparameter {name!r} must be a float in [{self.low}, {self.high}]. "
                f"Got {value!r} instead."
            )

    def to_unit(self, value: Any) -> float:
        return self._unit(float(value))

    def from_unit(self, u: float) -> float:
        return self._from_unit(u)

    def _fields(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log}


class Int(_Numeric):
    """An integer hyperparameter in ``[low, high]`` on a grid of ``step``, log-scaled if asked."""

    kind = "int"

    def __init__(
        self, low: Any, high: Any, log: bool = False, step: Any = 1, when: Any = None
    ) -> None:
        super().__init__(low, high, log, when)
        self.step = step

    def _check(self, name: str) -> None:
        for field in ("low", "high", "step"):
            v = getattr(self, field)
            if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
                v = int(v)
                setattr(self, field, v)
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise SpaceError(
                    f"The {field!r} of integer hyperparameter {name!r} must be an integer. "
                    f"Got {v!r} instead."
                )
        super()._check(name)
        self.low, self.high, self.step = int(self.low), int(self.high), int(self.step)
        if self.step < 1:
            raise SpaceError(
                f"The 'step' of hyperparameter {name!r} must be an integer >= 1. "
                f"Got {self.step!r} instead."
            )
        if self.log and self.step != 1:
            raise SpaceError(
                f"Hyperparameter {name!r} cannot be log-scaled with 'step' != 1. "
                f"Got step={self.step!r}."
            )
        if (self.high - self.low) % self.step:
            raise SpaceError(
                f"The range of hyperparameter {name!r} ({self.high} - {self.low}) must be a "
                f"multiple of its 'step' {self.step}."
            )

    def check_value(self, name: str, value: Any) -> None:
        is_int = isinstance(value, int | np.integer) and not isinstance(value, bool)
        if isinstance(value, float | np.floating) and float(value).is_integer():
            is_int = True
        allowed = f"an integer in [{self.low}, {self.high}]" + (
            f" on a grid of step {self.step}" if self.step != 1 else ""
        )
        if not is_int:
            raise SpaceError(f"Hyperparameter {name!r} must be {allowed}. Got {value!r} instead.")
        v = int(value)
        if not self.low <= v <= self.high or (v - int(self.low)) % int(self.step):
            raise SpaceError(f"Hyperparameter {name!r} must be {allowed}. Got {value!r} instead.")

    def to_unit(self, value: Any) -> float:
        return self._unit(float(value))

    def from_unit(self, u: float) -> int:
        x = self._from_unit(u)
        lo, step = int(self.low), int(self.step)
        if self.log:
            # Round in log space so that every integer keeps a share of the unit interval.
            v = int(round(x))
        else:
            v = lo + int(round((x - lo) / step)) * step
        return min(max(v, lo), int(self.high))

    def _fields(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


class Categorical(Hyperparameter):
    """One of ``choices`` (strings, numbers, booleans or None), unordered."""

    kind = "categorical"

    def __init__(self, choices: Sequence[Value], when: Any = None) -> None:
        super().__init__(when)
        self.choices = choices

    def _check(self, name: str) -> None:
        super()._check(name)
        if isinstance(self.choices, str) or not isinstance(self.choices, Sequence):
            raise SpaceError(
                f"The 'choices' of hyperparameter {name!r} must be a list. "
                f"Got {self.choices!r} instead."
            )
        choices = tuple(self.choices)
        if not choices:
            raise SpaceError(f"The 'choices' of hyperparameter {name!r} must not be empty.")
        for c in choices:
            if c is not None and not isinstance(c, str | int | float | bool):
                raise SpaceError(
                    f"The choices of hyperparameter {name!r} must be strings, numbers, booleans "
                    f"or null. Got {c!r} instead."
                )
        if len({(type(c), c) for c in choices}) != len(choices):
            raise SpaceError(f"The 'choices' of hyperparameter {name!r} contain duplicates.")
        self.choices = choices

    @property
    def n_choices(self) -> int:
        return len(self.choices)

    def index(self, value: Any) -> int:
        for i, c in enumerate(self.choices):
            # Type-aware: True must not match the choice 1.
            if type(c) is type(value) and c == value:
                return i
        for i, c in enumerate(self.choices):
            if c == value and not isinstance(c, bool) and not isinstance(value, bool):
                return i
        raise KeyError(value)

    def check_value(self, name: str, value: Any) -> None:
        try:
            self.index(value)
        except KeyError:
            raise SpaceError(
                f"Hyperparameter {name!r} must be one of {list(self.choices)!r}. "
                f"Got {value!r} instead."
            ) from None

    def to_unit(self, value: Any) -> float:
        n = len(self.choices)
        return (self.index(value) + 0.5) / n

    def from_unit(self, u: float) -> Value:
        n = len(self.choices)
        return self.choices[min(int(min(max(u, 0.0), 1.0) * n), n - 1)]

    def _fields(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}


class Bool(Categorical):
    """``True`` or ``False``."""

    kind = "bool"

    def __init__(self, when: Any = None) -> None:
        super().__init__((False, True), when)

    def _fields(self) -> dict[str, Any]:
        return {}
