"""One set of input checks, one message format, one exception.

Every check names the argument or setting, says what is allowed and shows what was given,
in one line::

    The 'group_size' setting must be an integer >= 1. Got 0 instead.

and raises :class:`~rocket_hpo.errors.UsageError` (a ``ValueError`` and a ``TypeError``),
which the command line turns into that line on stderr and exit code 2. ``kind`` says what
``name`` is: ``"parameter"`` (a function's or constructor's, ``"parameter of Ladder"``),
``"setting"`` (a settings dataclass field), ``"fidelity setting"`` (a study file's).

Example:
    >>> try:
    ...     check_int("group_size", 0, 1, kind="setting")
    ... except ValueError as e:
    ...     print(e)
    The 'group_size' setting must be an integer >= 1. Got 0 instead.
    >>> check_number("rate", 0.5, 0, 1, open_high=True)
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from rocket_hpo.errors import UsageError

__all__ = ["check_bool", "check_callable", "check_choice", "check_instance", "check_int",
           "check_known", "check_number", "check_text", "invalid"]


def invalid(name: str, allowed: str, value: Any, *, kind: str = "parameter") -> UsageError:
    """The one message format, as an exception to raise: ``raise invalid(...)``."""
    return UsageError(f"The {name!r} {kind} must be {allowed}. Got {value!r} instead.")


def _or_none(allowed: str, none: bool) -> str:
    return f"{allowed} or None" if none else allowed


def check_int(name: str, value: Any, low: int | None = None, *, kind: str = "parameter",
              none: bool = False) -> Any:
    """``value`` if it is an ``int`` (not a bool) >= ``low`` (or None, with ``none``)."""
    if none and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low):
        allowed = "an integer" if low is None else f"an integer >= {low}"
        raise invalid(name, _or_none(allowed, none), value, kind=kind)
    return value


def _interval(low: float | None, high: float | None, open_low: bool, open_high: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
    if low is not None:
        return f"{'>' if open_low else '>='} {low:g}"
    if high is not None:
        return f"{'<' if open_high else '<='} {high:g}"
    return ""


def check_number(name: str, value: Any, low: float | None = None, high: float | None = None, *,
                 open_low: bool = False, open_high: bool = False, kind: str = "parameter",
                 unit: str = "", none: bool = False) -> Any:
    """``value`` if it is a finite int or float (not a bool) in the interval from ``low`` to
    ``high`` (either end open with ``open_low``/``open_high``; None: unbounded), or None with
    ``none``. ``unit`` is said after "number" (``" of seconds"``)."""
    if none and value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if open_low else value >= low
    if ok and high is not None:
        ok = value < high if open_high else value <= high
    if not ok:
        finite = "finite " if low is None or high is None else ""
        where = _interval(low, high, open_low, open_high)
        allowed = f"a {finite}number{unit}{' ' + where if where else ''}"
        raise invalid(name, _or_none(allowed, none), value, kind=kind)
    return value


def check_bool(name: str, value: Any, *, kind: str = "parameter") -> bool:
    """``value`` if it is True or False."""
    if not isinstance(value, bool):
        raise invalid(name, "True or False", value, kind=kind)
    return value


def _listed(choices: Sequence[Any]) -> str:
    names = [repr(c) for c in choices]
    if len(names) == 2:
        return f"{names[0]} or {names[1]}"
    return "one of " + ", ".join(names)


def check_choice(name: str, value: Any, choices: Sequence[Any], *,
                 kind: str = "parameter") -> Any:
    """``value`` if it is one of ``choices``."""
    if not any(value == c and type(value) is type(c) for c in choices):
        raise invalid(name, _listed(choices), value, kind=kind)
    return value


def check_instance(name: str, value: Any, types: type | tuple[type, ...], described: str, *,
                   kind: str = "parameter", none: bool = False) -> Any:
    """``value`` if it is an instance of ``types`` (or None, with ``none``); ``described``
    says what is allowed in words (``"a Ladder"``)."""
    if (none and value is None) or isinstance(value, types):
        return value
    raise invalid(name, _or_none(described, none), value, kind=kind)


def check_callable(name: str, value: Any, described: str = "a callable", *,
                   kind: str = "parameter", none: bool = False) -> Any:
    """``value`` if it is callable (or None, with ``none``)."""
    if (none and value is None) or callable(value):
        return value
    raise invalid(name, _or_none(described, none), value, kind=kind)


def check_text(name: str, value: Any, described: str = "a non-empty string", *,
               kind: str = "parameter") -> str:
    """``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise invalid(name, described, value, kind=kind)
    return value


def check_known(given: Iterable[str], known: Iterable[str], *, what: str = "setting") -> None:
    """Every name in ``given`` is one of ``known``; the error lists the known names."""
    known = list(known)
    for key in given:
        if key not in known:
            raise UsageError(f"Unknown {what} {key!r}; the {what}s are: {', '.join(known)}.")
