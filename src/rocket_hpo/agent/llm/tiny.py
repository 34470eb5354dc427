"""A tiny, randomly initialised causal language model and tokenizer, built offline.

Tests, benchmarks and a first try of ``policy="llm"`` need a model of the real family
(Qwen2) without downloading weights: this builds one from a configuration (two layers,
width 64) and a byte-level BPE tokenizer trained on a fixed text, both deterministic.

Example:
    >>> tok = tiny_tokenizer()
    >>> tok.decode(tok.encode('{"lr": 0.001}'))
    '{"lr": 0.001}'
    >>> model = tiny_model(len(tok), seed=0)
    >>> model.config.num_hidden_layers
    2
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["save_tiny", "tiny_model", "tiny_tokenizer"]

EOS = "<|endoftext|>"

# Text the tokenizer's merges are learnt from: the words and digits of prompts and outputs.
_CORPUS = [
    'You are tuning the hyperparameters of a machine-learning model. Search space:',
    '- lr: float in [0.00001, 1], log scale',
    '- optimizer: one of ["adam", "sgd", "rmsprop"]; only when "use" is true',
    '- layers: integer in [1, 8]. - dropout: float in [0, 0.5]. - flag: true or false',
    'Best configurations so far (score 1 = best, 0 = worst; failed = the run failed):',
    'Recent configurations: score 0.25 0.5 0.75 1.00. The next configuration, as JSON:',
    '{"lr": 0.001, "optimizer": "adam", "layers": 3, "dropout": 0.25, "flag": true}',
    '{"momentum": 0.9, "nesterov": false, "batch_size": 128, "weight_decay": 0.0001}',
    "0123456789 0.1 0.01 0.001 0.0001 0.00001 10 100 1000 null",
]


def tiny_tokenizer(vocab_size: int = 384) -> Any:
    """A byte-level BPE tokenizer (GPT-2 / Qwen style) trained on a fixed text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer)
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok, eos_token=EOS, pad_token=EOS
    )


def tiny_model(vocab_size: int, seed: int = 0, hidden_size: int = 64, layers: int = 2) -> Any:
    """A randomly initialised Qwen2 causal LM (about 0.1 M parameters), seeded locally."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
    return model.eval()  # type: ignore[no-untyped-call]


def save_tiny(path: str | Path, seed: int = 0) -> Path:
    """Write a tiny model and its tokenizer to ``path`` (a directory ``model_path`` can name)."""
    path = Path(path)
    tok = tiny_tokenizer()
    tiny_model(len(tok), seed).save_pretrained(path)
    tok.save_pretrained(path)
    return path
