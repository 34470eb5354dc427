"""mf-prior-bench's synthetic multi-fidelity Hartmann functions (``mfpb/mfh3``, ``mfpb/mfh6``).

Needs the ``bench`` extra (``mf-prior-bench``). The functions are minimised over the unit
cube; their fidelity ``z`` runs from 1 to 100 and adds a bias and noise that shrink as
``z`` grows (at ``z = 100`` the function is the exact, noise-free Hartmann function).

``fraction`` maps to ``z = round(100 * fraction)`` (at least 1) and the cost is ``z / 100``
full-fidelity equivalents: the harness treats every fidelity as a data fraction with a cost
linear in it, the same model as for the other suites (mf-prior-bench's own ``fid_cost``
is quadratic in ``z`` and is not used).

The benchmark's own seed is fixed at 1 for every optimizer and seed, so all of them face
the same function: with seed 0 the low-fidelity noise of ``mfh6`` degenerates into a
constant offset (measured here, see DESIGN.md section 6). Reference values: ``best`` is the
known global minimum (-3.32237 for mfh6, -3.86278 for mfh3), ``worst`` is 0, the
supremum of the Hartmann functions.
"""

from __future__ import annotations

from typing import Any

from rocket_hpo.errors import UsageError
from rocket_hpo.space import Config, Float, Space

from .base import Problem

__all__ = ["BENCHMARK_SEED", "MfpbProblem"]

BENCHMARK_SEED = 1
_OPTIMA = {"mfh3": -3.86278, "mfh6": -3.32237}
_DIMS = {"mfh3": 3, "mfh6": 6}
_MAX_Z = 100


class MfpbProblem(Problem):
    """An mf-prior-bench Hartmann function.

    Example:
        >>> p = MfpbProblem("mfh6")
        >>> p.evaluate(p.space.sample(seed=0), fraction=0.1)[1]
        0.1
    """

    def __init__(self, function: str) -> None:
        if function not in _OPTIMA:
            raise UsageError(
                f"The mf-prior-bench function must be one of {sorted(_OPTIMA)}. "
                f"Got {function!r} instead."
            )
        try:
            import mfpbench
        except ImportError:
            raise UsageError(
                "mf-prior-bench problems need the 'bench' extra: pip install 'rocket-hpo[bench]'."
            ) from None
        self.function = function
        self.name = f"mfpb/{function}"
        self.direction = "minimize"
        self.best, self.worst = _OPTIMA[function], 0.0
        self.min_fraction = 1.0 / _MAX_Z
        self._bench: Any = mfpbench.get(function, seed=BENCHMARK_SEED)
        self._space = Space({f"X_{i}": Float(0.0, 1.0) for i in range(_DIMS[function])})

    @property
    def space(self) -> Space:
        return self._space

    def _evaluate(self, config: Config, fraction: float) -> tuple[float, float]:
        z = min(max(round(fraction * _MAX_Z), 1), _MAX_Z)
        result = self._bench.query({k: float(v) for k, v in config.items()}, at=z)
        return float(result.value.value), z / _MAX_Z
