"""A Gaussian process over the policy's context that screens the policy's own draws.

The policy proposes K configurations; this model, fitted to the same bounded context
(so its cost stays flat as a study grows), moves the four with the largest log expected
improvement a short way uphill in that quantity and keeps the highest (:func:`climb`:
their numbers only, with steps from a tenth of the unit scale down; choices, and which
hyperparameters are active, stay as the policy drew them). Why: the policy points at good
rows and explores around them, but it reads each decision through one token per row, so
it cannot weigh a smooth global trend the way a Gaussian process does (on the smooth
lcbench problems Optuna's GPSampler was far ahead of it); the two together keep the
policy's proposals and add the model's sense of where improvement is likely. The climb
was added because 64 draws leave the best of them short of the model's optimum nearby
(every round of it raised the expected improvement in almost every trial) and it won
more development cells than it lost (``benchmarks/agent/results/policy/tried/
climb-README.md``).

The kernel is Matern 5/2 with one length scale per hyperparameter (ARD) on the unit scale.
A categorical hyperparameter contributes a mismatch (0 or 1) instead of a squared
difference, as do two rows of which only one has a conditional hyperparameter active.
The data fraction is one more input (its log, scaled), so cheaper results inform the
model without being mistaken for full-data ones. Hyperparameters are fitted by L-BFGS on
the marginal likelihood with log-normal priors, once per stage of the agent (every
``group_size`` results); in between, each trial only updates the posterior with the new
results, which keeps a screened proposal a few times the cost of a single draw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor

__all__ = ["GaussianProcess", "climb", "log_expected_improvement"]

_Array = NDArray[Any]
_SQRT5 = math.sqrt(5.0)
_LOG_FRACTION_SCALE = 8.0  # log(1/27) / 8 ~ -0.4: fractions span part of the unit scale
_FIT_ITERATIONS = 40  # L-BFGS iterations per fit, from the same start every time
_CLIMB_TRIES = 32  # steps tried per round of the climb
_CLIMB_STEP = 0.1  # the first round's step on the unit scale; each round halves it
CLIMB_STARTS = 4  # the screen climbs from its four best draws and keeps the highest


def _features(units: _Array, log_fraction: _Array) -> tuple[Tensor, Tensor]:
    """(N, D + 1) values (inactive -> 0) and (N, D + 1) active flags; last column fraction."""
    active = ~np.isnan(units)
    x = np.where(active, units, 0.0)
    f = 1.0 + np.asarray(log_fraction, dtype=float)[:, None] / _LOG_FRACTION_SCALE
    x = np.concatenate([x, f], axis=1)
    active = np.concatenate([active, np.ones((len(units), 1), dtype=bool)], axis=1)
    return torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(active)


def _sq_distance(a: Tensor, a_on: Tensor, b: Tensor, b_on: Tensor, categorical: Tensor,
                 inv_len2: Tensor) -> Tensor:
    """(Na, Nb) scaled squared distance (see the module docstring)."""
    diff = a.unsqueeze(1) - b.unsqueeze(0)  # (Na, Nb, D)
    per = torch.where(categorical, (diff.abs() > 0.5).to(diff.dtype), diff ** 2)
    both = a_on.unsqueeze(1) & b_on.unsqueeze(0)
    one = a_on.unsqueeze(1) ^ b_on.unsqueeze(0)
    per = torch.where(both, per, one.to(per.dtype))
    return (per * inv_len2).sum(-1)


def _matern(d2: Tensor) -> Tensor:
    r = torch.sqrt(d2 + 1e-12)
    return (1 + _SQRT5 * r + 5.0 / 3.0 * d2) * torch.exp(-_SQRT5 * r)


def log_expected_improvement(mean: Tensor, std: Tensor, best: float) -> Tensor:
    """log E[max(f - best, 0)] for f ~ N(mean, std^2), stable far below the incumbent."""
    z = (mean - best) / std
    log_phi = -0.5 * z ** 2 - 0.5 * math.log(2 * math.pi)
    direct = torch.log((torch.exp(log_phi) + z * torch.special.ndtr(z)).clamp(min=1e-300))
    # far below: phi(z) + z Phi(z) ~ phi(z) / z^2 (1 - 3 / z^2)
    tail = log_phi - 2 * torch.log(-z.clamp(max=-1.0)) + torch.log1p(-3 / z.clamp(max=-2.0) ** 2)
    return torch.log(std) + torch.where(z > -6, direct, tail)


@dataclass
class GaussianProcess:
    """Fitted to ``units`` (N, D; NaN inactive), ``log_fraction`` (N,) and ``y`` (N,),
    larger is better; ``n_choices`` (D,) is 0 for numbers."""

    x: Tensor
    on: Tensor
    categorical: Tensor
    log_params: Tensor  # D + 1 inverse squared length scales, signal, noise (all logs)
    chol: Tensor
    alpha: Tensor

    @classmethod
    def fit(cls, units: _Array, log_fraction: _Array, y: _Array, n_choices: _Array,
            log_params: Tensor | None = None) -> GaussianProcess:
        """Hyperparameters by L-BFGS from a fixed start; with ``log_params`` (an earlier
        fit's, same columns) only the posterior is updated, which costs a hundredth."""
        x, on = _features(units, log_fraction)
        categorical = torch.as_tensor(np.append(np.asarray(n_choices) > 0, False))
        yt = torch.as_tensor(y, dtype=torch.float64)
        if log_params is not None and len(log_params) == x.shape[1] + 2:
            chol, alpha = cls._solve(log_params, x, on, categorical, yt)
            return cls(x, on, categorical, log_params, chol, alpha)
        D = x.shape[1]
        start = torch.cat([torch.zeros(D), torch.tensor([0.0, math.log(1e-2)])]).double()
        params = start.clone().requires_grad_(True)
        opt = torch.optim.LBFGS([params], lr=0.5, max_iter=_FIT_ITERATIONS,
                                line_search_fn="strong_wolfe")

        def closure() -> Tensor:
            opt.zero_grad()
            loss = cls._neg_log_posterior(params, x, on, categorical, yt)
            loss.backward()  # type: ignore[no-untyped-call]
            return loss

        try:
            opt.step(closure)  # type: ignore[no-untyped-call]
        except RuntimeError:  # a failed Cholesky inside the line search: keep the start
            params = start.clone()
        p = params.detach()
        if not torch.isfinite(p).all():
            p = start.clone()
        chol, alpha = cls._solve(p, x, on, categorical, yt)
        return cls(x, on, categorical, p, chol, alpha)

    @staticmethod
    def _kernel(p: Tensor, a: Tensor, a_on: Tensor, b: Tensor, b_on: Tensor,
                categorical: Tensor) -> Tensor:
        D = a.shape[1]
        inv_len2 = torch.exp(p[:D].clamp(-8, 8))
        return torch.exp(p[D]) * _matern(_sq_distance(a, a_on, b, b_on, categorical, inv_len2))

    @classmethod
    def _solve(cls, p: Tensor, x: Tensor, on: Tensor, categorical: Tensor, y: Tensor,
               ) -> tuple[Tensor, Tensor]:
        D = x.shape[1]
        noise = torch.exp(p[D + 1]).clamp(min=1e-6) + 1e-8
        K = cls._kernel(p, x, on, x, on, categorical) + noise * torch.eye(len(y), dtype=x.dtype)
        chol = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve(y.unsqueeze(1), chol).squeeze(1)
        return chol, alpha

    @classmethod
    def _neg_log_posterior(cls, p: Tensor, x: Tensor, on: Tensor, categorical: Tensor,
                           y: Tensor) -> Tensor:
        chol, alpha = cls._solve(p, x, on, categorical, y)
        nll = 0.5 * (y * alpha).sum() + torch.log(torch.diagonal(chol)).sum()
        D = x.shape[1]
        # priors: length scales near the unit scale, signal near the data's, noise small.
        # (Before commit fcad21a the signal and noise terms were broadcast over the D length
        # scales and weighed D times; counting them once was level at budget 20 and better
        # at 50 on development seeds: benchmarks/agent/results/policy/tried/speed-README.md.)
        prior = 0.5 * ((p[:D] / 2.0) ** 2).sum() + 0.5 * (p[D] / 1.5) ** 2 \
            + 0.5 * ((p[D + 1] - math.log(1e-2)) / 3.0) ** 2
        return nll + prior

    def predict(self, units: _Array, log_fraction: _Array) -> tuple[Tensor, Tensor]:
        """(K,) posterior mean and standard deviation at K configurations."""
        x, on = _features(units, log_fraction)
        with torch.no_grad():
            k = self._kernel(self.log_params, x, on, self.x, self.on, self.categorical)
            mean = k @ self.alpha
            v = torch.cholesky_solve(k.T, self.chol)
            var = torch.exp(self.log_params[x.shape[1]]) - (k * v.T).sum(-1)
        return mean, var.clamp(min=1e-10).sqrt()


def climb(gp: GaussianProcess, starts: _Array, log_ei: _Array, best: float,
          log_fraction: float, snap: Callable[[int, _Array], _Array], rounds: int,
          rng: np.random.Generator) -> tuple[int, _Array, float, int]:
    """Each of the S ``starts`` (S, D), whose log expected improvements over ``best`` are
    ``log_ei`` (S,), moved uphill in it; (the start that ends highest, where it ends, its
    log EI, how many rounds moved it).

    Each round tries 32 Gaussian steps of every start's active numbers from where it is,
    the step half the last round's (a tenth of the unit scale first), stored as ``snap(j,
    values)`` stores column j's (grids and integers), and keeps a start's best step if it
    beats where the start is. Choices, and which hyperparameters are active, do not move.
    The S x 32 steps of a round go through the model at once."""
    x, value = np.array(starts, dtype=float), np.array(log_ei, dtype=float)
    moved = np.zeros(len(x), dtype=int)
    numeric = np.flatnonzero(~gp.categorical[: x.shape[1]].numpy())
    rows = np.arange(len(x))
    for r in range(rounds if len(numeric) else 0):
        tries = np.repeat(x[:, None], _CLIMB_TRIES, axis=1)  # (S, T, D)
        step = rng.normal(0.0, _CLIMB_STEP * 0.5 ** r, (*tries.shape[:2], len(numeric)))
        for n, j in enumerate(numeric):
            on = ~np.isnan(tries[:, :, j])
            tries[:, :, j][on] = snap(int(j), np.clip(tries[:, :, j][on] + step[:, :, n][on],
                                                      0.0, 1.0))
        mean, std = gp.predict(tries.reshape(-1, x.shape[1]),
                               np.full(tries.shape[0] * tries.shape[1], log_fraction))
        ei = log_expected_improvement(mean, std, best).numpy().reshape(tries.shape[:2])
        k = ei.argmax(1)
        up = ei[rows, k] > value
        x[up], value[up], moved[up] = tries[rows, k][up], ei[rows, k][up], moved[up] + 1
    i = int(value.argmax())
    return i, x[i], float(value[i]), int(moved[i])
