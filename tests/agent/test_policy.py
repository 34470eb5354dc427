"""The policy computes what it claims: step-by-step decoding, one configuration or many side
by side, equals teacher forcing."""

from __future__ import annotations

import torch

from rocket_hpo.agent._policy import Policy


def test_stepwise_decoding_matches_teacher_forcing() -> None:
    sizes = [3, 16, 5, 2]
    policy = Policy(sizes, hidden_size=8, embed_size=4, seed=1)
    with torch.no_grad():  # give the heads some shape so the check is not trivial
        policy.head_w.normal_(0, 1.0, generator=torch.Generator().manual_seed(0))
    inactive = policy.inactive
    tokens = torch.tensor([[2, 7, inactive, 1], [0, inactive, 4, 0]])
    fraction = torch.tensor([1.0, 1 / 9])
    with torch.no_grad():
        forced = policy.log_probs(tokens, fraction).exp()  # (B, P, K)
        for b in range(2):
            hidden, fid = policy.begin(float(fraction[b]))
            prev = 0
            for p, n in enumerate(sizes):
                probs, hidden = policy.step(hidden, fid, p, prev)
                torch.testing.assert_close(probs, forced[b, p, :n], rtol=1e-5, atol=1e-6)
                assert forced[b, p, n:].sum() < 1e-6  # masked outputs carry no mass
                prev = int(tokens[b, p])


def test_batched_decoding_matches_teacher_forcing() -> None:
    sizes = [3, 16, 5, 2]
    policy = Policy(sizes, hidden_size=8, embed_size=4, seed=1)
    with torch.no_grad():
        policy.head_w.normal_(0, 1.0, generator=torch.Generator().manual_seed(0))
    inactive = policy.inactive
    tokens = torch.tensor([[2, 7, inactive, 1], [0, inactive, 4, 0], [1, 15, 0, 1]])
    with torch.no_grad():
        forced = policy.log_probs(tokens, torch.full((3,), 1 / 3)).exp()
        hidden, fid = policy.begin(1 / 3, n=3)
        prev = torch.zeros(3, dtype=torch.long)
        for p, n in enumerate(sizes):
            probs, hidden = policy.step_many(hidden, fid, p, prev)
            torch.testing.assert_close(probs, forced[:, p, :n], rtol=1e-5, atol=1e-6)
            prev = tokens[:, p]


def test_untrained_policy_is_near_uniform_and_seeded() -> None:
    a = Policy([4, 16], 16, 8, seed=3)
    b = Policy([4, 16], 16, 8, seed=3)
    tokens = torch.tensor([[1, 3]])
    with torch.no_grad():
        pa = a.log_probs(tokens, torch.ones(1)).exp()
        pb = b.log_probs(tokens, torch.ones(1)).exp()
    torch.testing.assert_close(pa, pb)
    assert (pa[0, 0, :4] - 0.25).abs().max() < 0.05
