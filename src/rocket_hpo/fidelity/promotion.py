"""Promotion by expected gain per unit cost (``SubsetScheduler(promotion="gain")``).

ASHA promotes a fixed share (``1/eta``) of every rung whatever the rungs say about each
other. This rule asks, for each configuration it could promote, how likely it is to beat the
full-data incumbent, given its rank on its rung and how well that rung's ranking has been
shown to carry over to the full data, and spends the next rung's cost on it only when that
chance per unit cost beats what a new configuration would buy.

The model (a Gaussian copula over the rungs). Over the configurations the policy proposes,
a configuration's full-data score, as a normal score, is ``Y ~ N(0, 1)``; its score on rung
``k`` is ``X_k``, also ``N(0, 1)``, and adjacent rungs form a chain, ``X_k = r_k X_{k+1} +
sqrt(1 - r_k^2) e_k``. So the correlation of rung ``k`` with the full data is the product
``c_k = r_k r_{k+1} ... r_{K-1}`` (``c_K = 1`` on the full data, rung ``K``). Each ``r_k``
comes from the measured agreement of rungs ``k`` and ``k + 1`` (:class:`Trust`): the lower
end of the interval of Spearman's rho, as Pearson's for a bivariate normal,
``r = 2 sin(pi rho_low / 6)``, clipped at 0; a pair whose status is not *agrees* (*unknown*
or *poor*) gives ``r_k = 0``. So a rung filters only when every step from it to the full data
has been shown to agree, and a *poor* pair cuts every rung below it off.

- The incumbent: the best of ``M`` full-data results is taken at the normal score
  ``y* = Phi^-1(1 - 1 / (M + 2))`` (about the top of ``M`` draws; the median with none).
  It treats the full-data results as a random sample, which they are not (they were
  promoted), so ``y*`` is low: the chances below are a little high, and so is the bar.
- A configuration at rank ``i`` (0 = best) of rung ``k`` was filtered from the ``N_k``
  configurations that ran on rung ``k`` or below; its normal score is
  ``x = Phi^-1(1 - (i + 1/2) / N_k)``. On the rung below the full data its chance of beating
  the incumbent is ``P(Y > y* | x) = 1 - Phi((y* - r_{K-1} x) / sqrt(1 - r_{K-1}^2))``; a new
  configuration's is the base rate ``p0 = 1 - Phi(y*)``.
- Gain per unit cost, at a price ``lambda`` per unit of cost: the value of a configuration
  with score ``x`` on rung ``k`` is ``W_k(x) = max(0, G_k(x) - lambda f_{k+1})``, where
  ``G_k(x) = E[W_{k+1}(X_{k+1}) | X_k = x]`` is the gain of promoting it (``X_{k+1}`` given
  ``x`` is ``N(r_k x, 1 - r_k^2)``) and ``f_{k+1}`` the next rung's nominal cost (its
  fraction); on the full data ``W_K(y) = 1`` when ``y > y*``, else 0. So ``G_{K-1}`` is the
  chance of beating the incumbent, and below it the chance net of the further promotions it
  would be worth (computed on a grid of scores with Gauss-Hermite quadrature).
- The bar: a new configuration started on rung ``s`` (one whose every step to the full
  data agrees) breaks even at the price ``lambda_s`` where ``E[W_s(X_s)] = lambda_s f_s``: its
  chance of a new incumbent per unit of what it is expected to cost, given that it is
  promoted only while worth it; on the full data ``lambda_K = p0``. New configurations start
  on the rung with the largest ``lambda_s`` (the full data on a tie), and that largest
  ``lambda`` is the bar: the configuration with the largest ``G_k(x) / f_{k+1}`` is promoted
  when that exceeds ``lambda``, i.e. when the next rung's cost buys more on it than on new
  configurations.

When the subsets disagree (a pair is not shown to agree), ``c_k`` is 0 for the rungs below
it: they neither start configurations nor promote them, and the study runs new
configurations on the full data, as a full-data study would.

Measurement. No agreement is shown before configurations have run on two rungs, so until
every pair at or above the highest *poor* one is known (or has used ``max_audits`` audits),
new configurations start on the cheapest rung still in use and audits (a random
configuration of a rung, promoted to the next) carry them up: it costs, once, ``min_pairs``
configurations run on every rung (about 1.5 full-data runs each on a ladder with ``eta =
3``), whose full-data results count like any other. After that, audits go on at ``audit_rate``
of the promotions, as with ASHA.

Checks (``check_share``, the default). The audits above measure the rungs on random
configurations, which a 1/27 subset can rank well while ranking the good ones the policy
comes to propose badly (rbv2_xgboost). A check instead re-runs a configuration the study
already ran on the full data, the most recent not yet on the rung, on one subset; a
configuration promoted to the full data through a rung pairs the same way. So each rung is
measured directly against the full data, on the configurations the study actually runs:
``c_k`` is the lower end of that interval (as above), taken to grow with the rung's data
(``c_k >= c_{k-1}``), and ``r_k = c_k / c_{k+1}``. Rungs are checked cheapest first, each
until it agrees (then the rest need no checks), is *poor*, or has ``max_audits`` pairs, and
the checks cost at most ``check_share`` of the full-data trials' cost. Meanwhile every new
configuration runs on the full data, as the policy proposes it, so nothing waits on the
measurement and a study whose subsets disagree spends only the checks more than a
full-data study.

Everything is computed from the trials (the :class:`LadderView`) and the trial number, so
workers sharing a storage, and a resumed study, make the same decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from optuna.trial import FrozenTrial

from rocket_hpo.fidelity._view import LadderView
from rocket_hpo.fidelity.agreement import Agreement, Trust

__all__ = ["Plan", "audit_draw", "gain_plan", "shown_to_agree"]

_MAX_R = 0.995  # a perfect measured agreement still leaves some doubt, and avoids 1/0
_ITERATIONS = 40


@dataclass(frozen=True)
class Plan:
    """What the gain rule decided for one trial."""

    rung: int
    """The rung the trial runs on."""
    source: FrozenTrial | None = None
    """The configuration it promotes (None: a new configuration)."""
    audit: bool = False
    """True when the promotion is an audit."""
    check: bool = False
    """True when ``source`` is a full-data trial re-run on rung ``rung`` (a check)."""


def audit_draw(view: LadderView, k: int, seed: int, number: int) -> FrozenTrial | None:
    """A complete, unpromoted configuration of rung ``k`` drawn at random (None if none).

    Seeded by ``seed``, the trial ``number`` and ``k``: the same study replays the same draws.
    """
    free = [t for t in view.rungs[k].complete if t.number not in view.claimed]
    if not free:
        return None
    rng = np.random.default_rng([seed, number, k])
    return free[int(rng.integers(len(free)))]


def pair_correlations(view: LadderView, trust: Trust) -> list[float]:
    """``r_k`` for each adjacent pair of rungs (0 unless the pair *agrees*)."""
    out = []
    for a in view.agreements(trust):
        if trust.status(a) != "agrees":
            out.append(0.0)
            continue
        rho = max(0.0, a.low)
        out.append(min(2.0 * math.sin(math.pi * rho / 6.0), _MAX_R))
    return out


def shown_to_agree(trust: Trust, agreement: Agreement) -> bool:
    """Whether a rung's agreement with the full data is shown: enough pairs, and the lower
    end of the interval at ``trust.threshold`` or above (checks stop there, and the policy
    may learn from that rung)."""
    return trust.status(agreement) == "agrees" and agreement.low >= trust.threshold


def direct_correlations(view: LadderView, trust: Trust) -> list[float]:
    """``r_k`` from each rung's measured agreement with the full data (checks, lineages).

    A rung's correlation with the full data, ``c_k``, is the lower end of its interval (0
    unless it *agrees*); a rung with more data is taken to rank at least as well as a
    cheaper one (``c_k >= c_{k-1}``), and the steps are ``r_k = c_k / c_{k+1}``, so that
    :func:`chain` gives the ``c_k`` back.
    """
    c = []
    for a in view.full_agreements(trust):
        agrees = trust.status(a) == "agrees"
        c.append(min(2.0 * math.sin(math.pi * max(0.0, a.low) / 6.0), _MAX_R) if agrees else 0.0)
    for k in range(1, len(c)):
        c[k] = max(c[k], c[k - 1])
    above = [*c[1:], 1.0]
    return [min(ck / up, _MAX_R) if up > 0 else 0.0 for ck, up in zip(c, above, strict=True)]


def check_plan(view: LadderView, trust: Trust, share: float, max_checks: int) -> Plan | None:
    """The next check, if one is due: a full-data configuration re-run on a subset.

    Rungs are measured cheapest first, each until it is shown to agree with the full data
    (then nothing is left to measure: a rung with more data ranks at least as well), shown
    *poor*, or has ``max_checks`` pairs. The most recent full-data configuration not yet on
    the rung is checked, and checks cost at most ``share`` of what the full-data trials did.
    """
    ladder = view.ladder
    top, fractions = ladder.top, ladder.fractions
    full_cost = len(view.rungs[top].complete) + len(view.rungs[top].failed)
    check_cost = sum(fractions[k] for k in range(top)
                     for rung in (view.rungs[k].complete, view.rungs[k].failed,
                                  view.rungs[k].running)
                     for t in rung if t.number in view.checks)
    for k, a in enumerate(view.full_agreements(trust)):
        if shown_to_agree(trust, a):
            return None
        if trust.status(a) == "poor" or a.n >= max_checks:
            continue
        if check_cost + fractions[k] > share * full_cost:
            return None
        done = view.checked(k)
        candidates = [t for t in view.rungs[top].complete if t.number not in done]
        if not candidates:
            return None
        return Plan(k, max(candidates, key=lambda t: t.number), check=True)
    return None


def chain(r: list[float]) -> list[float]:
    """``c_k``: each rung's correlation with the full data (the last is 1)."""
    c = [1.0]
    for rk in reversed(r):
        c.append(c[-1] * rk)
    return c[::-1]


def _sf(z: NDArray[np.float64] | float) -> NDArray[np.float64]:
    from scipy.special import ndtr

    return np.asarray(ndtr(-np.asarray(z, dtype=float)))


# Normal scores on which the values W_k are tabulated, and Gauss-Hermite nodes for
# expectations over a normal (probabilists' form: weights sum to 1).
_GRID = np.linspace(-8.0, 8.0, 321)
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(48)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _expected_next(
    x: NDArray[np.float64], k: int, r: list[float], values: dict[int, NDArray[np.float64]],
    y_star: float, top: int,
) -> NDArray[np.float64]:
    """``E[W_{k+1}(X_{k+1}) | X_k = x]``, with ``W_K`` = 1 when the result beats ``y*``."""
    sd = math.sqrt(1.0 - r[k] ** 2)
    if k + 1 == top:
        return _sf((y_star - r[k] * x) / sd)
    nxt = r[k] * x[:, None] + sd * _NODES[None, :]  # (points, nodes)
    return np.asarray(np.interp(nxt, _GRID, values[k + 1]) @ _WEIGHTS)


def _values(
    lam: float, low: int, r: list[float], fractions: tuple[float, ...], y_star: float,
) -> dict[int, NDArray[np.float64]]:
    """``W_k`` on :data:`_GRID` for ``k = low .. K - 1`` at price ``lam`` per unit cost."""
    top = len(fractions) - 1
    values: dict[int, NDArray[np.float64]] = {}
    for k in range(top - 1, low - 1, -1):
        values[k] = np.maximum(
            0.0, _expected_next(_GRID, k, r, values, y_star, top) - lam * fractions[k + 1])
    return values


def _start_value(s: int, lam: float, r: list[float], fractions: tuple[float, ...],
                 y_star: float) -> float:
    """``E[W_s(X_s)] - lam f_s``: a new configuration on rung ``s``, net of its cost."""
    w = _values(lam, s, r, fractions, y_star)[s]
    return float(np.interp(_NODES, _GRID, w) @ _WEIGHTS) - lam * fractions[s]


def _start_rate(s: int, r: list[float], fractions: tuple[float, ...], y_star: float) -> float:
    """``lambda_s``: the price at which starting on rung ``s`` breaks even (bisection)."""
    lo, hi = 0.0, 1.0 / fractions[s]  # a start cannot win more than once per f_s
    for _ in range(_ITERATIONS):
        mid = 0.5 * (lo + hi)
        if _start_value(s, mid, r, fractions, y_star) > 0:
            lo = mid
        else:
            hi = mid
    return lo


@dataclass(frozen=True)
class Bar:
    """The rate new configurations earn, and where they start."""

    rate: float
    """``lambda``: wins per unit cost that a promotion must beat."""
    start: int
    """The rung new configurations start on."""


def bar(c: list[float], r: list[float], fractions: tuple[float, ...], y_star: float,
        base: int) -> Bar:
    """The best start rung and its rate ``lambda`` (see the module docstring)."""
    top = len(fractions) - 1
    best = Bar(float(_sf(y_star)) / fractions[top], top)
    for s in range(base, top):
        if c[s] > 0:
            rate = _start_rate(s, r, fractions, y_star)
            if rate > best.rate * (1 + 1e-6):  # a tie goes to the full data
                best = Bar(rate, s)
    return best


def _population(view: LadderView, k: int) -> int:
    """Configurations that ran on rung ``k`` or below (what rung ``k`` was filtered from)."""
    return len({view.root.get(t.number, t.number)
                for rung in view.rungs[: k + 1] for t in (*rung.complete, *rung.failed)})


def _measuring(view: LadderView, trust: Trust, base: int, max_audits: int) -> list[bool]:
    """Per rung ``k``: whether a pair at ``k`` or above is unknown and can still be audited."""
    unknown = [
        k >= base and trust.status(a) == "unknown" and view.audit_counts(k)[0] < max_audits
        for k, a in enumerate(view.agreements(trust))
    ]
    return [any(unknown[k:]) for k in range(len(unknown))]


def gain_plan(
    view: LadderView, trust: Trust, number: int, *, seed: int, audit_rate: float,
    max_audits: int, check_share: float | None = None,
) -> Plan:
    """The gain rule's decision for trial ``number`` (see the module docstring).

    ``check_share``: measure each rung's agreement with the full data by checks (at most
    this share of the full-data cost) instead of by audits; None: by audits.
    """
    ladder = view.ladder
    fractions, top = ladder.fractions, ladder.top
    base = view.base_rung(trust)
    if check_share is None:
        measuring = _measuring(view, trust, base, max_audits)
        # 1. Audits: while agreement is being measured, then at `audit_rate` of the promotions.
        for k in range(top - 1, base - 1, -1):
            audits, promotions = view.audit_counts(k)
            if audits < max_audits and (measuring[k] or audits < audit_rate * promotions):
                source = audit_draw(view, k, seed, number)
                if source is not None:
                    return Plan(k + 1, source, audit=True)
        r = pair_correlations(view, trust)
    else:
        # Checks measure alongside the full-data trials: no rung waits on a measurement.
        measuring = []
        check = check_plan(view, trust, check_share, max_audits)
        if check is not None:
            return check
        r = direct_correlations(view, trust)
    # 2. The best promotion by chance per unit cost, if it reaches the bar.
    c = chain(r)
    y_star = _incumbent(len(view.rungs[top].complete))
    limit = bar(c, r, fractions, y_star, base)
    low = min((k for k in range(base, top) if c[k] > 0), default=top)
    values = _values(limit.rate, low, r, fractions, y_star)
    best: tuple[float, int, FrozenTrial] | None = None
    for k in range(low, top):
        n = _population(view, k)
        for i, t in enumerate(view.ranked(k)):
            if t.number in view.claimed:
                continue
            x = np.array([_normal_score((i + 0.5) / n)])
            gain = float(_expected_next(x, k, r, values, y_star, top)[0]) / fractions[k + 1]
            if best is None or (gain, k, -t.number) > (best[0], best[1], -best[2].number):
                best = (gain, k, t)
            break  # the rest of the rung ranks lower, so gains less
    if best is not None and best[0] > limit.rate:
        return Plan(best[1] + 1, best[2])
    # 3. A new configuration: on the cheapest rung in use while measuring, else the bar's.
    if limit.start == top and any(measuring):
        return Plan(base)
    return Plan(limit.start)


def _incumbent(m: int) -> float:
    """``y*``: the normal score of the best of ``m`` full-data results."""
    return _normal_score(1.0 / (m + 2))


def _normal_score(upper: float) -> float:
    """The normal score with ``upper`` of the distribution above it."""
    from scipy.special import ndtri

    return float(-ndtri(upper))
