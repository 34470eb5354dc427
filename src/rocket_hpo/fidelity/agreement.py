"""How far one rung's ranking of configurations can be trusted: rank agreement with the next.

The agreement between rungs ``k`` and ``k + 1`` is Spearman's rho between the scores of
the configurations evaluated on both, with a confidence interval from Fisher's z
transform (Bonett and Wright's standard error for Spearman, sqrt((1 + rho^2 / 2) / (n - 3)));
Kendall's tau is reported beside it. Configurations reach rung ``k + 1`` because they were
among the best of rung ``k``, so the sample is truncated to the top of rung ``k``: the
measured agreement is that among *good* configurations, which is what matters when a rung
is used to rank (and is lower than over random configurations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from rocket_hpo._checks import check_bool, check_int, check_number
from rocket_hpo.errors import UsageError

__all__ = ["Agreement", "Trust", "rank_agreement"]

Status = Literal["unknown", "agrees", "poor"]


@dataclass(frozen=True)
class Agreement:
    """Rank agreement of two score lists over the same configurations."""

    n: int
    """Configurations scored on both."""
    spearman: float
    """Spearman's rho (nan when fewer than 3 pairs or a list is constant)."""
    low: float
    """Lower end of the confidence interval of rho (-1 when unknown)."""
    high: float
    """Upper end of the confidence interval of rho (1 when unknown)."""
    kendall: float
    """Kendall's tau-b (nan when undefined)."""
    confidence: float
    """Coverage of [low, high]."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (nan becomes None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def _z_quantile(confidence: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _spearman_kendall(x: NDArray[Any], y: NDArray[Any]) -> tuple[float, float]:
    """Spearman's rho (Pearson on average ranks) and Kendall's tau-b; O(n^2), n is small."""
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    rho = float((rx * ry).sum() / math.sqrt((rx * rx).sum() * (ry * ry).sum()))
    sx = np.sign(x[:, None] - x[None, :])  # (n, n)
    sy = np.sign(y[:, None] - y[None, :])
    tau = float((sx * sy).sum() / math.sqrt((sx * sx).sum() * (sy * sy).sum()))
    return rho, tau


def rank_agreement(
    x: Sequence[float] | NDArray[Any], y: Sequence[float] | NDArray[Any], confidence: float = 0.9
) -> Agreement:
    """Spearman's rho between ``x`` and ``y`` with a Fisher-z interval, and Kendall's tau.

    Args:
        x: scores of some configurations on one rung.
        y: scores of the same configurations, in the same order, on another rung.
        confidence: coverage of the interval, in [0, 1).

    Example:
        >>> a = rank_agreement([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
        >>> round(a.spearman, 3), a.n, a.low < a.spearman < a.high
        (0.829, 6, True)
    """
    check_number("confidence", confidence, 0, 1, open_high=True)
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise UsageError(
            f"'x' and 'y' must be 1-d and of the same length. Got shapes {xa.shape} and {ya.shape}."
        )
    n = len(xa)
    nan = float("nan")
    if n < 3 or np.ptp(xa) == 0 or np.ptp(ya) == 0:
        return Agreement(n, nan, -1.0, 1.0, nan, float(confidence))
    rho, tau = _spearman_kendall(xa, ya)
    if n < 4 or math.isnan(rho):
        return Agreement(n, rho, -1.0, 1.0, tau, float(confidence))
    # Fisher z with Bonett-Wright's variance for Spearman; clip so |rho| = 1 stays finite.
    r = min(max(rho, -0.9999), 0.9999)
    se = math.sqrt((1.0 + r * r / 2.0) / (n - 3))
    z, half = math.atanh(r), _z_quantile(float(confidence)) * se
    low, high = min(math.tanh(z - half), rho), max(math.tanh(z + half), rho)
    return Agreement(n, rho, low, high, tau, float(confidence))


@dataclass(frozen=True)
class Trust:
    """When a rung's ranking is trusted as a stand-in for the next rung's.

    A pair of rungs is *poor* when at least ``min_pairs`` configurations were scored on both
    and the upper end of the ``confidence`` interval of Spearman's rho is below
    ``threshold`` (the data say, beyond their noise, that the rankings differ); it *agrees*
    when enough pairs exist and it is not poor; and it is *unknown* with fewer pairs.
    ``confidence = 0`` decides on the point estimate alone.

    Sceptical (the default): the lower rung stands in for the upper one only when the lower
    end of the interval reaches ``threshold``, so learning starts on the full data and moves
    down as agreement is shown. Not sceptical: every pair that is not poor is trusted, so
    learning starts on the cheapest rung and moves up when disagreement is shown. On the
    rbv2_xgboost dev instances (benchmarks/fidelity/dev_trust.py) sceptical trust gave the
    lower regret: there a 1/27 subset agrees with 1/9 on random configurations but not on
    the good ones the policy learns to propose.

    Args:
        threshold: the rho a rung must plausibly reach, in (-1, 1).
        min_pairs: configurations on both rungs before a verdict, >= 4.
        confidence: coverage of the interval, in [0, 1).
        sceptical: trust a pair only with evidence (see :meth:`trusted`); the learning rung
            then starts at the full data and moves down as agreement is shown, while the
            cheaper rungs keep filtering.

    Example:
        >>> Trust().status(rank_agreement(range(8), range(8)[::-1]))
        'poor'
    """

    threshold: float = 0.3
    min_pairs: int = 6
    confidence: float = 0.8
    sceptical: bool = True

    def trusted(self, agreement: Agreement) -> bool:
        """Whether the lower rung may stand in for the upper one.

        By default unless the pair is *poor*; when ``sceptical``, only with evidence: enough
        pairs and the lower end of the interval at or above ``threshold``.
        """
        if not self.sceptical:
            return self.status(agreement) != "poor"
        return self.status(agreement) == "agrees" and agreement.low >= self.threshold

    def __post_init__(self) -> None:
        of = "parameter of Trust"
        check_number("threshold", self.threshold, -1, 1, open_low=True, open_high=True, kind=of)
        check_int("min_pairs", self.min_pairs, 4, kind=of)
        check_bool("sceptical", self.sceptical, kind=of)
        check_number("confidence", self.confidence, 0, 1, open_high=True, kind=of)

    def measure(
        self, x: Sequence[float] | NDArray[Any], y: Sequence[float] | NDArray[Any]
    ) -> Agreement:
        """:func:`rank_agreement` at this trust's confidence."""
        return rank_agreement(x, y, self.confidence)

    def status(self, agreement: Agreement) -> Status:
        """'unknown', 'agrees' or 'poor' (see the class docstring)."""
        if agreement.n < self.min_pairs or math.isnan(agreement.spearman):
            return "unknown"
        return "poor" if agreement.high < self.threshold else "agrees"
