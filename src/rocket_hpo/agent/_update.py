"""The group update: a clipped policy-gradient step with a KL pull to the reference policy,
an entropy floor, and replay of the experience pool.

One stage's batch holds the pool (the best configurations so far, positive advantages that
decrease with rank) and the latest group (signed advantages from self-play ranks). For every
active hyperparameter of every configuration the per-token log-probability is taken against
a *target* distribution: one-hot for categorical heads, a Gaussian over neighbouring bins for
ordered ones (so credit flows to nearby values). The loss, minimised for ``steps`` Adam steps:

    L = -sum_b w_b sum_p min(r_bp A_b, clip(r_bp, 1 - eps, 1 + eps) A_b) / sum_b w_b
        + kl_coef * mean_p KL(reference_p || policy_p)
        + entropy_coef * mean_p relu(floor - H_p / log n_p)

with r_bp = exp(log pi(target_bp) - log pi_ref(target_bp)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from rocket_hpo.agent._policy import Policy

__all__ = ["Batch", "UpdateStats", "group_update", "token_log_probs"]


@dataclass
class Batch:
    tokens: torch.Tensor  # (B, P) long; Policy.inactive where a hyperparameter was absent
    fraction: torch.Tensor  # (B,) fidelity of each configuration
    advantage: torch.Tensor  # (B,)
    weight: torch.Tensor  # (B,) share of each row in the policy-gradient term


@dataclass
class UpdateStats:
    entropy: float  # mean normalised entropy over active positions, after the update
    kl: float  # KL(reference || policy) after the update
    loss: float


def token_log_probs(
    logp: torch.Tensor, tokens: torch.Tensor, smooth: torch.Tensor, active: torch.Tensor
) -> torch.Tensor:
    """(B, P, K) log-probs -> (B, P) log-probability of each token's smoothed target."""
    P = tokens.shape[1]
    safe = torch.where(active, tokens, torch.zeros_like(tokens))
    target = smooth[torch.arange(P), safe]  # (B, P, K)
    return (target * logp).sum(-1)


def _entropy(logp: torch.Tensor, log_n: torch.Tensor) -> torch.Tensor:
    """(B, P, K) -> (B, P) entropy as a fraction of each head's maximum."""
    return -(logp.exp() * logp).sum(-1) / log_n


def group_update(
    policy: Policy,
    reference: Policy,
    optimizer: torch.optim.Optimizer,
    batch: Batch,
    smooth: torch.Tensor,
    *,
    steps: int,
    clip: float,
    kl_coef: float,
    entropy_floor: float,
    entropy_coef: float,
) -> UpdateStats:
    """Run ``steps`` gradient steps on ``batch``; ``smooth`` is (P, K, K) (see module doc)."""
    active = batch.tokens != policy.inactive  # (B, P)
    n_out = torch.tensor(policy.n_outputs, dtype=torch.float32)
    log_n = torch.log(n_out.clamp(min=2.0))  # (P,)
    counted = (n_out > 1).unsqueeze(0) & active  # single-output heads carry no choice
    weight = batch.weight / batch.weight.sum().clamp(min=1e-12)
    adv = batch.advantage.unsqueeze(1)  # (B, 1)
    with torch.no_grad():
        ref_logp = reference.log_probs(batch.tokens, batch.fraction)  # (B, P, K)
        ref_tok = token_log_probs(ref_logp, batch.tokens, smooth, active)
    denom = counted.float().sum().clamp(min=1.0)
    loss = torch.zeros(())
    for _ in range(steps):
        logp = policy.log_probs(batch.tokens, batch.fraction)
        ratio = torch.exp(token_log_probs(logp, batch.tokens, smooth, active) - ref_tok)
        surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv)
        pg = -(surrogate * counted * weight.unsqueeze(1)).sum()
        kl = ((ref_logp.exp() * (ref_logp - logp)).sum(-1) * counted).sum() / denom
        floor = (torch.relu(entropy_floor - _entropy(logp, log_n)) * counted).sum() / denom
        loss = pg + kl_coef * kl + entropy_coef * floor
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    with torch.no_grad():
        logp = policy.log_probs(batch.tokens, batch.fraction)
        ent = float((_entropy(logp, log_n) * counted).sum() / denom)
        kl_val = float(((ref_logp.exp() * (ref_logp - logp)).sum(-1) * counted).sum() / denom)
    final = float(loss.detach())
    return UpdateStats(entropy=ent, kl=kl_val, loss=final if math.isfinite(final) else 0.0)
