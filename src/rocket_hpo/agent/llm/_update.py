"""The group update of the language model's adapters: the compact policy's objective, per
token of the configurations the model wrote.

For every *choice* token c of output b (a token the grammar left open; forced tokens have
probability one and no gradient):

    L = -sum_b w_b mean_c min(r_bc A_b, clip(r_bc, 1 - eps, 1 + eps) A_b) / sum_b w_b
        + kl_coef * mean_c k3(ref_bc, new_bc)
        + entropy_coef * mean_c relu(floor - H_bc / log n_bc)

with r_bc = exp(new_bc - old_bc), ``old`` the log-probability under the policy that sampled
the output (the reference itself for pool replays and for outputs sampled elsewhere),
``ref`` the log-probability under the reference (this stage's starting policy, i.e. the
previous stage's), and k3(ref, new) = exp(ref - new) - (ref - new) - 1 the usual unbiased,
non-negative estimate of KL(new || ref) from samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from rocket_hpo.agent.llm._decode import choice_logprobs
from rocket_hpo.agent.llm._grammar import Trace

__all__ = ["lm_group_update"]



@dataclass
class UpdateStats:
    entropy: float  # mean normalised entropy over the decisions, after the update
    kl: float  # KL(reference || policy) after the update
    loss: float

def _k3(ref: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
    d = ref - new
    return torch.exp(d) - d - 1.0


def lm_group_update(
    model: Any,
    optimizer: torch.optim.Optimizer,
    traces: list[Trace],
    old: list[torch.Tensor | None],
    advantage: torch.Tensor,
    weight: torch.Tensor,
    *,
    steps: int,
    clip: float,
    kl_coef: float,
    entropy_floor: float,
    entropy_coef: float,
    temperature: float = 1.0,
) -> UpdateStats:
    """``steps`` AdamW steps on the adapters (see the module docstring).

    ``old[b]`` is None when output b was not sampled by this process's policy (replays):
    the reference's log-probabilities stand in for it.
    """
    keep = [b for b, t in enumerate(traces) if t.steps]
    traces = [traces[b] for b in keep]
    if not traces:
        return UpdateStats(entropy=1.0, kl=0.0, loss=0.0)
    old = [old[b] for b in keep]
    adv, w = advantage[keep], weight[keep] / weight[keep].sum().clamp(min=1e-12)
    log_n = [torch.log(torch.tensor([float(len(a)) for a in t.allowed])) for t in traces]
    # The model stays in eval mode: dropout would make the ratios noisy (and differ from the
    # sampling policy's); gradients flow all the same.
    new, ent = choice_logprobs(model, traces, temperature)
    # The reference is the policy this update starts from, so its log-probabilities are the
    # first pass's, detached: no separate forward pass over the long prompt.
    ref = [x.detach() for x in new]
    device = ref[0].device
    old_t = [(o if o is not None else r).to(device) for o, r in zip(old, ref, strict=True)]
    log_n = [x.to(device) for x in log_n]
    adv, w = adv.to(device), w.to(device)
    loss = torch.zeros(())
    for step in range(steps):
        if step > 0:
            new, ent = choice_logprobs(model, traces, temperature)
        pg, kl, floor = [], [], []
        for b in range(len(traces)):
            ratio = torch.exp(new[b] - old_t[b])
            surr = torch.minimum(ratio * adv[b], ratio.clamp(1 - clip, 1 + clip) * adv[b])
            pg.append(-w[b] * surr.mean())
            kl.append(_k3(ref[b], new[b]))
            floor.append(torch.relu(entropy_floor - ent[b] / log_n[b]))
        loss = (torch.stack(pg).sum() + kl_coef * torch.cat(kl).mean()
                + entropy_coef * torch.cat(floor).mean())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    with torch.no_grad():
        new, ent = choice_logprobs(model, traces, temperature)
        kl_val = float(torch.cat([_k3(r, n) for r, n in zip(ref, new, strict=True)]).mean())
        ent_val = float(torch.cat([e / n for e, n in zip(ent, log_n, strict=True)]).mean())
    final = float(loss.detach())
    return UpdateStats(entropy=ent_val, kl=kl_val, loss=final if math.isfinite(final) else 0.0)
