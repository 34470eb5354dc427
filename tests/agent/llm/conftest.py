"""Shared fixtures of the language-model policy's tests: a tiny Qwen2 model and a byte-level
BPE tokenizer, both built offline, and a space with every hyperparameter type."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("transformers")
pytest.importorskip("peft")
os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded

from rocket_hpo.space import Bool, Categorical, Float, Int, Space


@pytest.fixture(scope="session")
def tokenizer():
    from rocket_hpo.agent.llm.tiny import tiny_tokenizer

    return tiny_tokenizer()


@pytest.fixture()
def model(tokenizer):
    from rocket_hpo.agent.llm.tiny import tiny_model

    return tiny_model(len(tokenizer), seed=0)


@pytest.fixture()
def full_space() -> Space:
    """Every type, log and linear scales, a wide stepped integer, odd categorical choices,
    and conditions nested three deep (on a categorical, a float's presence, a bool, an int)."""
    return Space(
        lr=Float(1e-5, 1.0, log=True),
        shift=Float(-3.0, 3.0),
        layers=Int(1, 8),
        units=Int(16, 4096, log=True),
        steps=Int(0, 100_000, step=5),
        optimizer=Categorical(["adam", "sgd", None, 3, 'a "quoted", comma}']),
        momentum=Float(0.0, 0.99, when=("optimizer", "sgd")),
        nesterov=Bool(when="momentum"),
        dampening=Float(0.0, 0.5, when=("nesterov", False)),
        first_width=Int(8, 64, when=("layers", [1, 2])),
        fixed=Float(0.5, 0.5),
        scheduler=Bool(),
    )


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The tiny model's tensors are small: on the shared 2-core machine, torch's intra-op
    threads spin and wait on each other, which made these tests several times slower."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def pytest_configure(config):
    # peft calls a transformers method that transformers 5 deprecates; nothing to act on here.
    config.addinivalue_line("filterwarnings", "ignore:.*is_gradient_checkpointing.*:FutureWarning")
