"""What the one Optuna objective wrapper, :class:`~rocket_hpo.tasks.base.TrialObjective`,
trains through: a built-in task by name (:class:`TaskEvaluate`, so that worker processes can
rebuild it) or the user's ``module:function`` of a study file (:class:`FileObjective`). Both
are callables ``evaluate(config, *, fraction, seed, trial)`` and pickle for worker processes.

Example:
    >>> from rocket_hpo.tasks import get
    >>> from rocket_hpo.tasks.base import TrialObjective
    >>> objective = TrialObjective(get("digits").space, TaskEvaluate("digits"), seed=0)
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from typing import Any

from rocket_hpo.errors import UsageError
from rocket_hpo.space import Config
from rocket_hpo.tasks.base import EvalResult

__all__ = ["FileObjective", "TaskEvaluate"]


class TaskEvaluate:
    """A built-in task's training as a picklable ``evaluate(config, fraction, seed, trial)``."""

    def __init__(self, task_name: str) -> None:
        self.task_name = task_name

    def __call__(self, config: Config, *, fraction: float, seed: int, trial: Any) -> EvalResult:
        from rocket_hpo import tasks

        # The whole result, so that the trial records the task's training time and compute.
        return tasks.get(self.task_name).evaluate(config, fraction=fraction, seed=seed)


class FileObjective:
    """The user's ``module:function`` as a picklable ``evaluate`` (workers re-import it).

    The function is called with the configuration and whichever of ``fraction``, ``seed`` and
    ``trial`` it declares.

    Args:
        target: ``"module:function"``.
        search_path: a folder put on ``sys.path`` first (the study file's folder).
    """

    def __init__(self, target: str, search_path: str = "") -> None:
        self.target = target
        self.search_path = search_path
        self._fn: Callable[..., Any] | None = None
        self._accepts: set[str] = set()

    def __getstate__(self) -> dict[str, Any]:
        return {"target": self.target, "search_path": self.search_path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["target"], state["search_path"])  # type: ignore[misc]

    def load(self) -> Callable[..., Any]:
        """Import the function; a :class:`UsageError` saying what is wrong otherwise."""
        if self._fn is not None:
            return self._fn
        module_name, _, func_name = self.target.partition(":")
        if not module_name or not func_name:
            raise UsageError(f"must look like 'module:function'. Got {self.target!r}.")
        if self.search_path and self.search_path not in sys.path:
            sys.path.insert(0, self.search_path)
        try:
            module = importlib.import_module(module_name)
        except ImportError as e:
            raise UsageError(f"cannot import module {module_name!r} ({e}).") from None
        fn: Callable[..., Any] | None = getattr(module, func_name, None)
        if not callable(fn):
            raise UsageError(f"module {module_name!r} has no function {func_name!r}.")
        params = inspect.signature(fn).parameters
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        self._accepts = {"fraction", "seed", "trial"} if var_kw else set(params)
        self._fn = fn
        return fn

    def accepts(self, name: str) -> bool:
        """Whether the function declares the keyword ``name`` (or takes ``**kwargs``)."""
        self.load()
        return name in self._accepts

    def __call__(self, config: Config, *, fraction: float, seed: int, trial: Any) -> Any:
        fn = self.load()
        offered = {"fraction": fraction, "seed": seed, "trial": trial}
        # The value goes back as it came: the runner fails a non-number with its type.
        return fn(config, **{k: v for k, v in offered.items() if k in self._accepts})
