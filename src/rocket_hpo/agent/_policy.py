"""The compact policy: a GRU that emits one token per hyperparameter, autoregressively.

Position ``p`` (hyperparameter ``p`` of the space) sees the sum of three embeddings:
a learned vector for the position, the token chosen at position ``p - 1`` (or "inactive"
when that hyperparameter did not exist in the configuration, or a start vector at p = 0)
and the fidelity the configuration will be evaluated at. A GRU carries the context; a
typed linear head per position gives the logits over that hyperparameter's outputs.

Shapes: B configurations, P hyperparameters, K = the largest head (heads with fewer
outputs are masked), H hidden, E embedding.

Example:
    >>> import torch
    >>> policy = Policy([3, 16], hidden_size=8, embed_size=4, seed=0)
    >>> tokens = torch.tensor([[0, 5], [2, 16]])       # 16 = inactive for P=2 (K = 16)
    >>> fraction = torch.ones(2)
    >>> policy.log_probs(tokens, fraction).shape      # (B, P, K)
    torch.Size([2, 2, 16])
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

__all__ = ["Policy", "fidelity_features", "one_thread"]


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, restoring the caller's setting after.

    The policy's tensors are tiny; on a busy machine, torch's intra-op threads spin and
    wait on each other and make an update 10-50x slower than on a single thread.
    """
    n = torch.get_num_threads()
    if n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)

_NEG = -1e9  # masks outputs a head does not have (finite, so 0 * logit stays 0)


def fidelity_features(fraction: torch.Tensor) -> torch.Tensor:
    """(B,) fractions in (0, 1] -> (B, 2): the fraction and its log on a 1/81..1 scale."""
    f = fraction.clamp(1e-6, 1.0)
    return torch.stack([f, 1.0 + torch.log(f) / math.log(81.0)], dim=-1)


class Policy(nn.Module):
    def __init__(self, n_outputs: list[int], hidden_size: int, embed_size: int, seed: int) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        P, K, H, E = len(n_outputs), max(n_outputs), hidden_size, embed_size
        self.n_outputs = list(n_outputs)
        self.inactive = K  # token id meaning "this hyperparameter was not in the configuration"
        self.position = nn.Parameter(0.1 * torch.randn(P, E, generator=gen))
        self.start = nn.Parameter(0.1 * torch.randn(E, generator=gen))
        # Token embedding of position p's choice, read at position p + 1: (P, K + 1, E).
        self.token = nn.Parameter(0.1 * torch.randn(P, K + 1, E, generator=gen))
        self.fidelity = nn.Linear(2, E)
        self.gru = nn.GRU(E, H, batch_first=True)
        # Small output weights so the untrained policy is close to uniform.
        self.head_w = nn.Parameter(0.01 * torch.randn(P, H, K, generator=gen))
        self.head_b = nn.Parameter(torch.zeros(P, K))
        with torch.no_grad():
            for param in (*self.fidelity.parameters(), *self.gru.parameters()):
                bound = 1.0 / math.sqrt(H)
                param.copy_(torch.empty_like(param).uniform_(-bound, bound, generator=gen))
        mask = torch.zeros(P, K)
        for p, n in enumerate(n_outputs):
            mask[p, n:] = _NEG
        self.mask: torch.Tensor
        self.register_buffer("mask", mask)

    # --- training: all positions at once (teacher forcing) -----------------------------
    def inputs(self, tokens: torch.Tensor, fraction: torch.Tensor) -> torch.Tensor:
        """(B, P) tokens, (B,) fractions -> (B, P, E) GRU inputs."""
        B, P = tokens.shape
        prev = self.token[torch.arange(P - 1), tokens[:, :-1]]  # (B, P-1, E)
        prev = torch.cat([self.start.expand(B, 1, -1), prev], dim=1)  # (B, P, E)
        fid = self.fidelity(fidelity_features(fraction)).unsqueeze(1)  # (B, 1, E)
        out: torch.Tensor = prev + self.position.unsqueeze(0) + fid
        return out

    def log_probs(self, tokens: torch.Tensor, fraction: torch.Tensor) -> torch.Tensor:
        """(B, P) tokens, (B,) fractions -> (B, P, K) log-probabilities of every output."""
        h, _ = self.gru(self.inputs(tokens, fraction))  # (B, P, H)
        logits = torch.einsum("bph,phk->bpk", h, self.head_w) + self.head_b + self.mask
        return torch.log_softmax(logits, dim=-1)

    # --- sampling: one position at a time ----------------------------------------------
    def begin(self, fraction: float, n: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """Start decoding ``n`` configurations: (hidden state (1, n, H), fidelity embedding
        (E,))."""
        fid = self.fidelity(fidelity_features(torch.tensor([fraction])))[0]
        return torch.zeros(1, n, self.gru.hidden_size), fid

    def step_many(
        self, hidden: torch.Tensor, fid: torch.Tensor, position: int, prev_tokens: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`step` for ``n`` configurations at once: hidden (1, n, H), ``prev_tokens``
        (n,). Returns (probabilities (n, outputs of the head), new hidden state)."""
        n = hidden.shape[1]
        if position == 0:
            x = self.start.expand(n, -1)
        else:
            x = self.token[position - 1, prev_tokens]  # (n, E)
        x = (x + self.position[position] + fid).unsqueeze(1)  # (n, 1, E)
        out, hidden = self.gru(x, hidden)  # out: (n, 1, H)
        logits = out[:, 0] @ self.head_w[position] + self.head_b[position]  # (n, K)
        k = self.n_outputs[position]
        return torch.softmax(logits[:, :k], dim=-1), hidden

    def step(
        self, hidden: torch.Tensor, fid: torch.Tensor, position: int, prev_token: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Feed position ``position`` (after ``prev_token`` at position - 1, ignored at 0).

        Returns (probabilities over the head's outputs (n,), new hidden state).
        """
        probs, hidden = self.step_many(hidden, fid, position, torch.tensor([prev_token]))
        return probs[0], hidden
