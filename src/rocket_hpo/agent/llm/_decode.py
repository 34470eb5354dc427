"""Sampling configurations under the grammar, and scoring their choices for training.

Sampling runs the batch in lockstep, one token per output per step, with the model's
key-value cache: a step either forces the grammar's one allowed token or samples from
the model's distribution renormalised over the allowed tokens. That masked distribution
*is* the policy, so its log-probabilities are what the update's ratio compares.

Example:
    >>> import torch
    >>> from rocket_hpo.agent.llm._grammar import Grammar
    >>> from rocket_hpo.agent.llm.tiny import tiny_model, tiny_tokenizer
    >>> from rocket_hpo.space import Categorical, Space
    >>> tok = tiny_tokenizer(); model = tiny_model(len(tok))
    >>> grammar = Grammar(Space(opt=Categorical(["adam", "sgd"])), tok)
    >>> traces = sample(model, grammar, tok.encode("Go:"), 3, torch.Generator().manual_seed(0))
    >>> sorted({t.config["opt"] for t in traces} | {"adam"})
    ['adam', 'sgd']
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import StaticCache

from rocket_hpo.agent.llm._grammar import Grammar, Trace

__all__ = ["choice_logprobs", "sample"]


def _device(model: Any) -> torch.device:
    device: torch.device = next(model.parameters()).device
    return device


@torch.no_grad()
def sample(
    model: Any,
    grammar: Grammar,
    prompt: list[int],
    n: int,
    generator: torch.Generator,
    batch_size: int = 64,
    temperature: float = 1.0,
) -> list[Trace]:
    """``n`` configurations written after ``prompt``, in batches of ``batch_size``."""
    out: list[Trace] = []
    while len(out) < n:
        out.extend(_sample_batch(model, grammar, prompt, min(batch_size, n - len(out)),
                                 generator, temperature))
    return out


def _sample_batch(
    model: Any,
    grammar: Grammar,
    prompt: list[int],
    b: int,
    generator: torch.Generator,
    temperature: float,
) -> list[Trace]:
    device = _device(model)
    pad = int(grammar.tokenizer.pad_token_id or grammar.tokenizer.eos_token_id or 0)
    # A preallocated cache: a growing one is re-copied at every step, which dominated the
    # sampling time. The longest output the grammar allows bounds its length.
    # The prompt is shared: encode it once, then copy its keys and values for the b outputs.
    cache = StaticCache(config=model.config, max_cache_len=len(prompt) + grammar.max_tokens)
    res = model(input_ids=torch.tensor([prompt], device=device), cache=cache, use_cache=True)
    _repeat_static(cache, b)
    logits = res.logits[:, -1].float().expand(b, -1)  # (b, V)
    cursors = [grammar.cursor() for _ in range(b)]
    traces = [Trace(config={}, prompt=list(prompt)) for _ in range(b)]
    while True:
        live = [i for i, c in enumerate(cursors) if not c.done]
        if not live:
            break
        allowed, bias = {}, {}
        for i in live:
            allowed[i], bias[i] = cursors[i].allowed_bias()
        chosen = torch.full((b,), pad, dtype=torch.long)
        rows = [i for i in live if len(allowed[i]) > 1]
        for i in live:
            if len(allowed[i]) == 1:
                chosen[i] = allowed[i][0]
        if rows:
            r_idx = [k for k, i in enumerate(rows) for _ in allowed[i]]
            t_idx = [t for i in rows for t in allowed[i]]
            mask = torch.full((len(rows), logits.shape[1]), float("-inf"), device=device)
            mask[r_idx, t_idx] = torch.tensor([x for i in rows for x in bias[i]], device=device)
            logp = torch.log_softmax(logits[rows] / temperature + mask, dim=-1)  # (R, V)
            pick = torch.multinomial(logp.exp(), 1, generator=generator)[:, 0]  # (R,)
            lp = logp.gather(1, pick[:, None])[:, 0].cpu().tolist()
            picked = pick.cpu().tolist()  # one transfer, not one per output
            for k, i in enumerate(rows):
                tok = int(picked[k])
                chosen[i] = tok
                traces[i].steps.append(len(traces[i].tokens))
                traces[i].allowed.append(allowed[i])
                traces[i].bias.append(bias[i])
                traces[i].logprobs.append(float(lp[k]))
        for i in live:
            tok = int(chosen[i])
            traces[i].tokens.append(tok)
            cursors[i].advance(tok)
        if all(c.done for c in cursors):
            break
        res = model(input_ids=chosen[:, None].to(device), cache=cache, use_cache=True)
        cache, logits = res.cache, res.logits[:, -1].float()
    for trace, cursor in zip(traces, cursors, strict=True):
        trace.config = cursor.config
    return traces


def _repeat_static(cache: StaticCache, b: int) -> None:
    """Copy a batch-1 static cache b times (transformers offers this for dynamic caches
    only; the sampling/training parity test guards this use of the layers' tensors)."""
    layers: list[Any] = list(cache.layers)
    for layer in layers:
        layer.keys = layer.keys.repeat(b, 1, 1, 1)  # (b, kv_heads, max_len, head_dim)
        layer.values = layer.values.repeat(b, 1, 1, 1)
        layer.batch_size = b


def choice_logprobs(
    model: Any, traces: list[Trace], temperature: float = 1.0
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Log-probability and entropy of each trace's choices under the model, with gradients.

    Traces that share a prompt (a whole group does) share one forward pass over it: its
    cache is copied for their outputs. Only the hidden states at choice positions meet the
    output layer, and only the allowed tokens' rows of it, so a 150 000-token vocabulary
    costs no full logits.

    Returns:
        per trace, a tensor of the chosen tokens' masked log-probabilities ``(C_i,)`` and
        one of the masked distributions' entropies ``(C_i,)``.
    """
    by_prompt: dict[tuple[int, ...], list[int]] = {}
    for b, t in enumerate(traces):
        by_prompt.setdefault(tuple(t.prompt), []).append(b)
    hidden: list[torch.Tensor] = [torch.empty(0)] * len(traces)
    for members in by_prompt.values():
        for b, h in zip(members, _completion_states(model, [traces[b] for b in members]),
                        strict=True):
            hidden[b] = h
    h = torch.cat(hidden).float()  # (N, H): one row per choice, in trace order
    allowed = [a for t in traces for a in t.allowed]
    picked = [a.index(t.tokens[j]) for t in traces for j, a in zip(t.steps, t.allowed,
                                                                    strict=True)]
    device = h.device
    vocab = sorted({tok for a in allowed for tok in a})
    where = {tok: k for k, tok in enumerate(vocab)}
    head = model.get_output_embeddings()
    rows = torch.tensor(vocab, device=device)
    logits_u = h @ head.weight[rows].float().T  # (N, U)
    if getattr(head, "bias", None) is not None:
        logits_u = logits_u + head.bias[rows].float()
    width = max(len(a) for a in allowed)
    biases = [b for t in traces for b in t.bias]
    idx = torch.zeros((len(allowed), width), dtype=torch.long)
    valid = torch.zeros((len(allowed), width), dtype=torch.bool)
    prior = torch.zeros((len(allowed), width))
    for n, a in enumerate(allowed):
        idx[n, : len(a)] = torch.tensor([where[tok] for tok in a])
        valid[n, : len(a)] = True
        prior[n, : len(a)] = torch.tensor(biases[n])
    idx, valid, prior = idx.to(device), valid.to(device), prior.to(device)
    logits = logits_u.gather(1, idx) / temperature + prior  # (N, A), as when sampling
    logits = logits.masked_fill(~valid, float("-inf"))
    logp = torch.log_softmax(logits, dim=-1)
    chosen = logp.gather(1, torch.tensor(picked, device=device)[:, None])[:, 0]  # (N,)
    entropy = -(logp.exp() * logp.masked_fill(~valid, 0.0)).sum(-1)  # (N,)
    counts = [len(t.steps) for t in traces]
    split = torch.split
    return list(split(chosen, counts)), list(split(entropy, counts))


def _completion_states(model: Any, traces: list[Trace]) -> list[torch.Tensor]:
    """Final hidden states ``(C_i, H)`` that predict each trace's choice tokens; all the
    traces share one prompt."""
    device = _device(model)
    prompt = traces[0].prompt
    # The prompt's last token goes with the outputs, so that output position j predicts
    # token j (the first generated token included).
    seqs = [[prompt[-1], *t.tokens] for t in traces]
    T = max(len(q) for q in seqs)
    ids = torch.full((len(seqs), T), prompt[-1], dtype=torch.long)
    att = torch.zeros((len(seqs), len(prompt) - 1 + T), dtype=torch.long)
    att[:, : len(prompt) - 1] = 1
    for b, q in enumerate(seqs):  # right padding
        ids[b, : len(q)] = torch.tensor(q)
        att[b, len(prompt) - 1 : len(prompt) - 1 + len(q)] = 1
    cache = None
    if len(prompt) > 1:
        res = model(input_ids=torch.tensor([prompt[:-1]], device=device), use_cache=True)
        cache = res.cache
        cache.batch_repeat_interleave(len(seqs))
    res = model(
        input_ids=ids.to(device), attention_mask=att.to(device), cache=cache,
        use_cache=cache is not None, output_hidden_states=True, logits_to_keep=1,
    )
    hidden = res.hidden_states[-1]  # (B, T, H), after the final norm
    return [hidden[b, t.steps] for b, t in enumerate(traces)]
