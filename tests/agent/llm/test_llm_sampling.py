"""Constrained decoding with a real (tiny, random) Qwen2 model: every output is valid."""

from __future__ import annotations

import json
import math
from collections import Counter

import torch

from rocket_hpo.agent.llm import Grammar, build_prompt, user_message
from rocket_hpo.agent.llm._decode import choice_logprobs, sample
from rocket_hpo.space import Categorical, Float, Space


def test_500_sampled_configurations_are_all_valid(model, tokenizer, full_space):
    space = full_space
    grammar = Grammar(space, tokenizer)
    history = list(zip(space.sample_many(6, seed=0), [0.1, 0.5, 0.2, -math.inf, 0.9, 0.3],
                       strict=True))
    prompt = build_prompt(tokenizer, user_message(space, history))
    traces = sample(model, grammar, prompt, 500, torch.Generator().manual_seed(0),
                    batch_size=500)
    assert len(traces) == 500
    for t in traces:
        space.validate(t.config)  # types, ranges, choices, keys present exactly when active
        assert json.loads(tokenizer.decode(t.tokens)) == t.config  # the text says the same
        assert len(t.steps) == len(t.allowed) == len(t.logprobs) > 0
        assert all(lp <= 0.0 and math.isfinite(lp) for lp in t.logprobs)
        assert all(t.tokens[j] in a for j, a in zip(t.steps, t.allowed, strict=True))
    # The random model explores: every choice, both sides of every condition, many values.
    assert set(map(repr, (t.config["optimizer"] for t in traces))) == set(
        map(repr, space["optimizer"].choices))
    assert Counter("dampening" in t.config for t in traces).keys() == {True, False}
    assert Counter("first_width" in t.config for t in traces).keys() == {True, False}
    assert len({t.config["lr"] for t in traces}) > 50
    assert all(t.config["fixed"] == 0.5 for t in traces)


def test_sampling_is_reproducible_and_seeded(model, tokenizer):
    space = Space(opt=Categorical(["adam", "sgd", "rmsprop"]), lr=Float(1e-4, 1.0, log=True))
    grammar, prompt = Grammar(space, tokenizer), tokenizer.encode("Go:")

    def draw(seed):
        return [t.config for t in sample(model, grammar, prompt, 20,
                                         torch.Generator().manual_seed(seed), batch_size=7)]

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)


def test_training_log_probs_match_the_sampling_ones(model, tokenizer, full_space):
    """The update's ratio starts at 1: scoring a sampled output again (one shared prompt
    pass, hidden states x allowed rows of the output layer) gives its sampling log-probs."""
    grammar = Grammar(full_space, tokenizer)
    prompt = build_prompt(tokenizer, user_message(full_space, []))
    traces = sample(model, grammar, prompt, 12, torch.Generator().manual_seed(1))
    other = sample(model, grammar, prompt[:-5], 4, torch.Generator().manual_seed(2))
    with torch.no_grad():
        logp, entropy = choice_logprobs(model, traces + other)
    for t, lp, h in zip(traces + other, logp, entropy, strict=True):
        assert torch.allclose(lp, torch.tensor(t.logprobs), atol=1e-4)
        n = torch.tensor([float(len(a)) for a in t.allowed])
        assert bool(((h >= -1e-5) & (h <= torch.log(n) + 1e-5)).all())


def _qwen_style_tokenizer():
    """Byte-level BPE with Qwen2's pre-tokenizer (digits split one by one, punctuation runs
    kept together, so pieces like '",' are single tokens) and a chat template."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from rocket_hpo.agent.llm.tiny import _CORPUS

    pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
               r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=["<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(_CORPUS * 4, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>",
                                 pad_token="<|im_end|>")
    hf.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    return hf


def test_valid_outputs_with_a_qwen_style_tokenizer_and_chat_template(full_space):
    from rocket_hpo.agent.llm.tiny import tiny_model

    tok = _qwen_style_tokenizer()
    assert len(tok.encode('",', add_special_tokens=False)) == 1  # merged in running text
    grammar = Grammar(full_space, tok)
    prompt = build_prompt(tok, user_message(full_space, []))
    assert tok.decode(prompt).endswith("<|im_start|>assistant\n")
    traces = sample(tiny_model(len(tok), seed=3), grammar, prompt, 100,
                    torch.Generator().manual_seed(0), batch_size=100)
    for t in traces:
        full_space.validate(t.config)
        assert json.loads(tok.decode(t.tokens)) == t.config


def test_count_prior_makes_an_indifferent_model_sample_like_random_search(model, tokenizer):
    """Token by token, an untrained model would put half its mass on lr = 1 (spelt with
    one token); with the count prior the values come out log-uniform and uniform."""
    import numpy as np

    from rocket_hpo.space import Int

    space = Space(lr=Float(1e-4, 1.0, log=True), layers=Int(1, 8))
    prompt = tokenizer.encode("Go:")

    def draw(count_prior):
        grammar = Grammar(space, tokenizer, count_prior=count_prior)
        return sample(model, grammar, prompt, 200, torch.Generator().manual_seed(0),
                      batch_size=200)

    flat = draw(True)
    decades = np.histogram([math.log10(t.config["lr"]) for t in flat], bins=4, range=(-4, 0))[0]
    assert decades.min() >= 30  # about 50 per decade
    assert max(Counter(t.config["layers"] for t in flat).values()) <= 45  # about 25 each
    biased = draw(False)
    assert sum(t.config["lr"] == 1.0 for t in biased) > 50 > sum(t.config["lr"] == 1.0 for t in flat)
