"""The group update through LoRA adapters: it learns a toy objective, and its state round-trips."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocket_hpo.agent.llm import LLMAgent, LLMSettings, load_pretrained, pick_device
from rocket_hpo.agent.llm.tiny import save_tiny, tiny_model
from rocket_hpo.space import Categorical, Float, Int, Space

SPACE = Space(opt=Categorical(["adam", "sgd", "rmsprop"]), lr=Float(1e-4, 1.0, log=True),
              layers=Int(1, 8))


def toy_score(c):
    """Best at sgd, lr = 0.01, 6 layers; every part matters."""
    return ((1.0 if c["opt"] == "sgd" else 0.0) - abs(math.log10(c["lr"]) + 2.0) / 2.0
            - abs(c["layers"] - 6) / 7.0)


FAST = LLMSettings(prompt_best=4, prompt_recent=2, learning_rate=5e-3)


def test_a_few_group_updates_raise_the_mean_score(tokenizer):
    """Fixed seed; benchmarks/llm/learning.py gives the 3-seed figure."""
    agent = LLMAgent(SPACE, tiny_model(len(tokenizer), seed=0), tokenizer, FAST, seed=0)
    before = np.mean([toy_score(t.config) for t in agent.propose(48, [])])
    history = []
    for _ in range(6):
        group = agent.propose(8, history)
        scores = [toy_score(t.config) for t in group]
        history += [(t.config, s) for t, s in zip(group, scores, strict=True)]
        stats, adv = agent.update(group, scores, history)
        assert adv.min() >= -1.0 and adv.max() <= 1.0
        assert 0.0 < stats.entropy <= 1.0 and stats.kl >= 0.0
    after = np.mean([toy_score(t.config) for t in agent.propose(48, history)])
    assert agent.stage == 6
    assert after - before > 0.3, (before, after)


def test_update_learns_from_configurations_sampled_elsewhere_and_failures(tokenizer):
    agent = LLMAgent(SPACE, tiny_model(len(tokenizer), seed=1), tokenizer, FAST, seed=1)
    configs = SPACE.sample_many(6, seed=0)
    configs[0]["lr"] = 0.0123456  # off the candidate grid: snapped when re-encoded
    scores = [0.3, -math.inf, 0.9, float("nan"), 0.1, 0.5]
    stats, adv = agent.update(configs, scores, list(zip(configs, scores, strict=True)))
    assert adv[1] == adv[3] == adv.min()  # failures rank last
    assert agent.stage == 1 and math.isfinite(stats.loss)


def test_state_round_trip_continues_the_same_study(tokenizer):
    a = LLMAgent(SPACE, tiny_model(len(tokenizer), seed=0), tokenizer, FAST, seed=0)
    group = a.propose(6, [])
    scores = [toy_score(t.config) for t in group]
    a.update(group, scores, [(t.config, s) for t, s in zip(group, scores, strict=True)])
    data = a.state_bytes()
    b = LLMAgent(SPACE, tiny_model(len(tokenizer), seed=0), tokenizer, FAST, seed=5)
    b.load_state_bytes(data)
    assert b.stage == 1
    assert [t.config for t in a.propose(6, [])] == [t.config for t in b.propose(6, [])]
    other = LLMAgent(SPACE, tiny_model(len(tokenizer), seed=0, hidden_size=32), tokenizer, FAST)
    with pytest.raises(ValueError, match="adapters were trained on a model"):
        other.load_state_bytes(data)


def test_load_pretrained_reads_a_local_directory_only(tmp_path):
    with pytest.raises(ValueError, match="'model_path' must be a local directory"):
        load_pretrained(tmp_path / "nowhere")
    model, tok = load_pretrained(save_tiny(tmp_path / "tiny"))
    assert model.config.model_type == "qwen2" and tok.decode(tok.encode("{}")) == "{}"
    assert next(model.parameters()).device.type == pick_device().type
