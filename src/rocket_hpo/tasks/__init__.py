"""Ready-made deep-learning tuning tasks, by name.

Example:
    >>> from rocket_hpo import tasks
    >>> "digits" in tasks.names()
    True
    >>> task = tasks.get("digits")
"""

from __future__ import annotations

from collections.abc import Callable

from rocket_hpo.tasks.base import DataMissingError, DivergenceError, EvalResult, Task, data_dir

__all__ = ["DataMissingError", "DivergenceError", "EvalResult", "Task", "data_dir", "get", "names"]


def _digits() -> Task:
    from rocket_hpo.tasks.digits import DigitsMLP

    return DigitsMLP()


# name -> factory; factories import lazily so listing tasks stays cheap.
_REGISTRY: dict[str, Callable[[], Task]] = {
    "digits": _digits,
}


def names() -> list[str]:
    """Names of the registered tasks."""
    return sorted(_REGISTRY)


def get(name: str) -> Task:
    """The task called ``name``; a ``KeyError`` listing the known ones otherwise."""
    if name not in _REGISTRY:
        raise KeyError(f"Unknown task {name!r}. Known tasks: {', '.join(names())}.")
    return _REGISTRY[name]()
