"""The compact Rocket policy, top to bottom: what it reads, the network, decoding, the update.

**What it reads.** A study's history as rows (one finished trial each: every
hyperparameter on the unit scale, or its choice index, NaN where inactive; its score; its
data fraction) and, per hyperparameter, a descriptor of the user's declaration only (type,
log scale, number of values or choices, conditional, depth of its condition). No names,
no hand-made priors.

**What it writes.** The next configuration, one hyperparameter after another: each
decision is a distribution over that hyperparameter given the history and the values
already decoded for this configuration. A conditional hyperparameter is decoded only when
its parent makes it active (the caller asks for it or not).

**Why this architecture.** Each decision is a small transformer over the history rows,
whose features are *relative to the decision*: the row's own value of this hyperparameter,
its rank and standardised score, its data fraction against the target's, and how far the
row lies from the part of the configuration decoded so far. A leading token carries the
hyperparameter's descriptor and the study's size. The output is a *pointer mixture*: a
uniform component, plus one kernel per active row (a Gaussian truncated to [0, 1] for
numbers, the row's choice with some smoothing for categories), weighted by attention-like
pointer logits, with a learned bandwidth per row. So:

- any space works (1-40 hyperparameters, any mix of types, nested conditions,
  define-by-run): the network never sees the number or order of hyperparameters as a
  shape, only as features, and training permutes the decoding order;
- precision is not capped by bins, and the rows the policy points at can be in any
  region, so the same weights can explore (uniform, wide kernels) or refine (narrow
  kernels on the best rows) as the history calls for it;
- the cost of a proposal depends on the bounded context (best and most recent rows), not
  on the study's length. One token per row (not per row and hyperparameter) keeps it
  cheap on a CPU, as measured in POLICY-NOTES.md.
The initial weights already point at better rows (``rank_gain``) so an untrained policy
is an evolutionary search, not noise; pretraining and the in-study updates shape the rest.

**Update.** Recurrent group policy optimisation: advantages relative to the group,
a clipped probability ratio to the policy that sampled the group, and a KL term to a
reference policy (the previous stage's). See :func:`group_loss`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import torch
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri
from torch import Tensor, nn

__all__ = [
    "N_DESC",
    "Decisions",
    "HistoryPolicy",
    "Mixture",
    "group_loss",
    "log_prob",
    "sample",
]

N_DESC = 8  # descriptor: float, int, categorical, log, levels, choices, conditional, depth
N_ROW = 10  # row features per decision (see Decisions.features)
N_GLOBAL = N_DESC + 4
MIN_UNIFORM = 0.02  # the uniform share never goes below this: exploration cannot collapse
LOG_SIGMA = (math.log(1e-3), 0.0)  # bounds of a kernel's width on the unit scale
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_NEG = -1e9


@dataclass
class Decisions:
    """B decisions, each over up to N history rows and D hyperparameters (columns).

    ``units``: (B, N, D) unit values or choice indices (0 where inactive);
    ``active``: (B, N, D); ``rows``: (B, N) which rows exist; ``rank``: (B, N) in [0, 1],
    1 = best, 0 for failures; ``z``: (B, N) standardised score, clipped to [-3, 3];
    ``failed``: (B, N); ``log_fraction``: (B, N); ``recency``: (B, N) in [0, 1];
    ``desc``: (B, D, N_DESC); ``n_choices``: (B, D), 0 for numbers; ``column``: (B,) the
    hyperparameter decided; ``partial``: (B, D) values decoded so far; ``decided``: (B, D)
    which of them are active and decoded; ``target_log_fraction``: (B,).
    """

    units: Tensor
    active: Tensor
    rows: Tensor
    rank: Tensor
    z: Tensor
    failed: Tensor
    log_fraction: Tensor
    recency: Tensor
    desc: Tensor
    n_choices: Tensor
    column: Tensor
    partial: Tensor
    decided: Tensor
    target_log_fraction: Tensor

    def column_values(self) -> tuple[Tensor, Tensor]:
        """(B, N) each row's value of the decided column, and whether it is active there."""
        idx = self.column.view(-1, 1, 1).expand(-1, self.units.shape[1], 1)
        u = self.units.gather(2, idx).squeeze(2)
        a = self.active.gather(2, idx).squeeze(2) & self.rows
        return u, a

    def is_categorical(self) -> Tensor:
        return self.n_choices.gather(1, self.column.view(-1, 1)).squeeze(1) > 0

    def features(self) -> tuple[Tensor, Tensor]:
        """(B, N, N_ROW) row features and (B, N_GLOBAL) decision features."""
        u_j, a_j = self.column_values()
        cat_cols = (self.n_choices > 0).unsqueeze(1)  # (B, 1, D)
        diff = (self.units - self.partial.unsqueeze(1)).abs()
        diff = torch.where(cat_cols, (diff > 0.5).float(), diff)
        both = self.active & self.decided.unsqueeze(1)
        n_both = both.float().sum(-1)
        n_decided = self.decided.float().sum(-1, keepdim=True)
        dist = (diff * both).sum(-1) / n_both.clamp(min=1)
        cover = n_both / n_decided.clamp(min=1)
        numeric_u = torch.where(self.is_categorical().unsqueeze(1), 0.0, u_j)
        far = (self.log_fraction - self.target_log_fraction.unsqueeze(1)).abs()
        rows = torch.stack([
            a_j.float(), numeric_u * a_j, self.rank, self.z / 3, self.failed.float(),
            self.log_fraction / 4, far / 4, dist, cover, self.recency,
        ], dim=-1) * self.rows.unsqueeze(-1)
        desc_j = self.desc.gather(1, self.column.view(-1, 1, 1).expand(-1, 1, N_DESC))
        n_cols = (self.desc[..., :3].sum(-1) > 0).float().sum(-1)
        glob = torch.cat([
            desc_j.squeeze(1),
            torch.stack([
                torch.log1p(self.rows.float().sum(-1)) / 4, n_decided.squeeze(1) / n_cols.clamp(1),
                self.target_log_fraction / 4, torch.log(n_cols.clamp(1)) / 3,
            ], dim=-1),
        ], dim=-1)
        return rows, glob


@dataclass
class Mixture:
    """One decision's distribution: ``uniform`` (B,) share, pointer ``logits`` (B, N) (-inf
    where a row is not a component), kernel centres ``centres`` (B, N), widths ``sigma``
    (B, N), categorical smoothing ``smooth`` (B,), and ``n_choices`` (B,), 0 for numbers."""

    uniform: Tensor
    logits: Tensor
    centres: Tensor
    sigma: Tensor
    smooth: Tensor
    n_choices: Tensor

    def take(self, index: Tensor) -> Mixture:
        """The decisions at ``index`` (B',), repeats allowed."""
        return Mixture(*(getattr(self, f.name)[index] for f in dataclasses.fields(self)))


class _SetBlock(nn.Module):
    """Rows and the decision token exchange information through pooled summaries of the
    rows (mean and max over existing rows): each row sees the set, the token sees the set."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.rows = nn.Sequential(nn.Linear(4 * width, 2 * width), nn.GELU(),
                                  nn.Linear(2 * width, width))
        self.token = nn.Sequential(nn.Linear(3 * width, 2 * width), nn.GELU(),
                                   nn.Linear(2 * width, width))

    def forward(self, h: Tensor, g: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """``mask`` (B, N, 1) marks the rows that exist; None when all do (a proposal's
        draws share one context), which skips the masked pooling and products."""
        x = self.norm(h)
        if mask is None:
            mean, top = x.mean(1), x.amax(1)
        else:
            count = mask.sum(1).clamp(min=1)
            mean = (x * mask).sum(1) / count
            top = torch.where(mask, x, -1e4).amax(1) * (mask.any(1))
        pooled = torch.cat([mean, top], dim=-1)
        # rows([x, pooled, g]) with the first layer split by its inputs: the pooled and
        # token parts are the same for every row, so they are computed once per decision
        # (a quarter of the first layer's work; the screen decodes 64 configurations a trial)
        first, act, second = cast(tuple[nn.Linear, nn.Module, nn.Module], tuple(self.rows))
        w = x.shape[-1]
        linear = nn.functional.linear
        shared = linear(torch.cat([pooled, g], dim=-1), first.weight[:, w:], first.bias)
        inner = linear(x, first.weight[:, :w]) + shared.unsqueeze(1)
        out = second(act(inner))
        h = h + (out if mask is None else out * mask)
        return h, g + self.token(torch.cat([g, pooled], dim=-1))


class HistoryPolicy(nn.Module):
    """The network: decision token + row tokens -> set blocks -> pointer mixture."""

    def __init__(self, width: int = 32, layers: int = 2) -> None:
        super().__init__()
        self.config = {"width": width, "layers": layers}
        self.row_in = nn.Sequential(nn.Linear(N_ROW, width), nn.GELU(), nn.Linear(width, width))
        self.global_in = nn.Sequential(
            nn.Linear(N_GLOBAL, width), nn.GELU(), nn.Linear(width, width))
        self.blocks = nn.ModuleList(_SetBlock(width) for _ in range(layers))
        self.row_out = nn.Linear(width, 2)  # pointer logit, log-width adjustment
        self.global_out = nn.Linear(width, 3)  # uniform logit, log width, smoothing logit
        for head in (self.row_out, self.global_out):
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)
        # The starting point, all of it learned further: point at better rows; draw
        # uniformly most of the time while the history is short (about 60 % after 5
        # results, 10 % after 50) with kernels that narrow as it grows (0.15 wide after 5
        # results, 0.08 after 50).
        self.rank_gain = nn.Parameter(torch.tensor(6.0))
        self.size_gain = nn.Parameter(torch.tensor([-1.2, -0.3]))  # per log(1 + rows)
        self.register_buffer("bias", torch.tensor([2.5, math.log(0.25), -2.0]))

    def forward(self, d: Decisions) -> Mixture:
        rows, glob = d.features()
        g = self.global_in(glob)
        h = self.row_in(rows) + g.unsqueeze(1)
        mask = None if bool(d.rows.all()) else d.rows.unsqueeze(-1)
        for block in self.blocks:
            h, g = block(h, g, mask)
        size = torch.log1p(d.rows.float().sum(-1, keepdim=True))
        out_g = self.global_out(g) + self.bias
        out_g = torch.cat([out_g[:, :2] + self.size_gain * size, out_g[:, 2:]], dim=-1)
        out_r = self.row_out(h)
        u_j, a_j = d.column_values()
        logits = torch.where(a_j, out_r[..., 0] + self.rank_gain * d.rank, -math.inf)
        uniform = MIN_UNIFORM + (1 - MIN_UNIFORM) * torch.sigmoid(out_g[:, 0])
        uniform = torch.where(a_j.any(-1), uniform, torch.ones_like(uniform))
        log_sigma = (out_g[:, 1:2] + out_r[..., 1]).clamp(*LOG_SIGMA)
        n_choices = d.n_choices.gather(1, d.column.view(-1, 1)).squeeze(1)
        return Mixture(uniform, logits, u_j, log_sigma.exp(), torch.sigmoid(out_g[:, 2]),
                       n_choices)


def log_prob(m: Mixture, action: Tensor) -> Tensor:
    """(B,) log density (numbers, on the unit scale) or log probability (choices)."""
    # Masked rows get a large finite negative weight, not -inf, so that no gradient is NaN.
    valid = torch.isfinite(m.logits)
    weights = torch.log_softmax(torch.where(valid, m.logits, _NEG), dim=-1)
    weights = torch.where(valid, weights, _NEG)
    log_u, log_rest = torch.log(m.uniform), torch.log1p(-m.uniform.clamp(max=1 - 1e-6))
    # numbers: uniform density 1 on [0, 1], plus Gaussians truncated to [0, 1]
    x = action.unsqueeze(1)
    s, c = m.sigma, m.centres
    mass = (torch.special.ndtr((1 - c) / s) - torch.special.ndtr(-c / s)).clamp(min=1e-12)
    kernel = -0.5 * ((x - c) / s) ** 2 - torch.log(s) - _LOG_SQRT_2PI - torch.log(mass)
    numeric = torch.logaddexp(log_u, log_rest + torch.logsumexp(weights + kernel, dim=-1))
    # choices: uniform over C, plus each row's choice smoothed by ``smooth``
    C = m.n_choices.clamp(min=1).float()
    same = (c - x).abs() < 0.5
    pointed = torch.where(same, weights, _NEG).logsumexp(-1).exp()
    p = m.uniform / C + (1 - m.uniform) * ((1 - m.smooth) * pointed + m.smooth / C)
    choice = torch.log(p.clamp(min=1e-12))
    return torch.where(m.n_choices > 0, choice, numeric)


def sample(m: Mixture, rng: np.random.Generator) -> NDArray[np.float64]:
    """(B,) one draw per decision: a unit value, or a choice index (as a float).

    Vectorised over the B decisions with four uniforms each (uniform or pointed; which row;
    smoothing, or where in the kernel; the value drawn anywhere): the screen draws 64
    configurations per trial, and a Python loop over them cost as much as the network."""
    # One copy to the CPU for the per-decision parts, one for the per-row parts.
    per_decision = torch.stack([m.uniform, m.smooth, m.n_choices.to(m.uniform.dtype)])
    uniform, smooth, n_choices = per_decision.detach().cpu().numpy().astype(np.float64)
    logits, centres, sigma = torch.stack([m.logits, m.centres, m.sigma]).detach().cpu().numpy(
        ).astype(np.float64)
    B = len(uniform)
    u = rng.random((4, B))
    C = n_choices.astype(np.int64)
    finite = np.isfinite(logits)
    anywhere = np.where(C > 0, np.minimum((u[3] * C).astype(np.int64), C - 1), u[3])
    flat = (u[0] < uniform) | ~finite.any(1)
    # the row pointed at, by the inverse CDF of the pointer weights
    top = np.where(finite, logits, -np.inf).max(1, keepdims=True).clip(min=-1e300)
    cdf = np.cumsum(np.where(finite, np.exp(logits - top), 0.0), axis=1)
    row = np.minimum((cdf < u[1][:, None] * cdf[:, -1:]).sum(1), logits.shape[1] - 1)
    mu, s = centres[np.arange(B), row], sigma[np.arange(B), row]
    # a choice: smoothing sends it anywhere, else it is the row's choice
    choice = np.where(u[2] < smooth, anywhere, mu)
    # a number: a Gaussian truncated to [0, 1], by its CDF
    lo, hi = ndtr(-mu / s), ndtr((1 - mu) / s)
    q = np.clip(lo + u[2] * (hi - lo), 1e-12, 1 - 1e-12)
    number = np.clip(mu + s * ndtri(q), 0.0, 1.0)
    out: NDArray[np.float64] = np.where(flat, anywhere, np.where(C > 0, choice, number))
    return out.astype(np.float64)


def group_loss(
    policy: HistoryPolicy,
    d: Decisions,
    action: Tensor,
    advantage: Tensor,
    old_log_prob: Tensor,
    reference_log_prob: Tensor,
    *,
    clip: float,
    kl_coef: float,
) -> tuple[Tensor, dict[str, float]]:
    """The clipped group objective with a KL pull to the reference, as a loss to minimise.

    ``advantage`` is relative to the group (self-play: no absolute scale). The ratio is
    taken to the policy that sampled the actions; the KL term uses the unbiased
    ``exp(r) - r - 1`` estimator on the sampled actions, ``r`` the log ratio reference/policy.
    """
    lp = log_prob(policy(d), action)
    ratio = torch.exp(lp - old_log_prob)
    surrogate = torch.minimum(ratio * advantage, ratio.clamp(1 - clip, 1 + clip) * advantage)
    r = (reference_log_prob - lp).clamp(-20, 20)
    kl = torch.exp(r) - r - 1
    loss = -surrogate.mean() + kl_coef * kl.mean()
    stats = {"loss": loss.item(), "kl": kl.mean().item(), "ratio": ratio.mean().item()}
    return loss, stats


def no_grad_log_prob(policy: HistoryPolicy, d: Decisions, action: Tensor) -> Tensor:
    """Log probabilities of ``action`` under ``policy``, without gradients."""
    with torch.no_grad():
        return log_prob(policy(d), action)


def state_of(policy: HistoryPolicy) -> dict[str, Any]:
    """The network's configuration and weights, as saved in weight files and study states."""
    return {"config": dict(policy.config),
            "weights": {k: v.detach().cpu() for k, v in policy.state_dict().items()}}


def from_state(state: dict[str, Any]) -> HistoryPolicy:
    policy = HistoryPolicy(**state["config"])
    policy.load_state_dict(state["weights"])
    return policy
