"""Character-level language modelling with a GRU on the text data: SST-2's movie-review
sentences and TREC's questions. Scored in bits per character on held-out text (lower is
better); a unigram model of the training characters is the trivial baseline.

Each split's sentences are joined by newlines and cut into chunks of 64 characters; the
model predicts every next character of a chunk (truncated back-propagation over 64 steps).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from rocket_hpo._checks import check_choice
from rocket_hpo.space import Config, Float, Hyperparameter
from rocket_hpo.tasks._augment import token_corruption
from rocket_hpo.tasks._hyperparameters import switched
from rocket_hpo.tasks._torch_task import Splits, TorchTask
from rocket_hpo.tasks._training import Augment, Loss
from rocket_hpo.tasks.text import read_jsonl

__all__ = ["CharGRU", "CharLanguageModel"]

CHUNK = 64
MAX_CHUNKS = 2000  # per split: bounds a full-fidelity trial to about a minute on a CPU


class CharGRU(nn.Module):
    """Embedding (32) -> one GRU layer (128) -> dropout -> logits over the characters."""

    def __init__(self, vocab_size: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 32)
        self.gru = nn.GRU(32, 128, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(128, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h, _ = self.gru(self.embed(ids))  # (B, T, 128)
        logits: torch.Tensor = self.out(self.drop(h))  # (B, T, V)
        return logits


class CharLanguageModel(TorchTask):
    """A :class:`CharGRU` trained on one text dataset's training sentences."""

    metric = "val_bits_per_char"
    direction = "minimize"
    classifier = False
    max_epochs = 12
    max_steps = 800  # a GRU step is slow on a CPU; this bounds any trial to ~1.5 min
    batch_sizes = (4, 256)
    reference_epochs = 4
    reference_batch = 32

    def __init__(self, dataset: str = "sst2") -> None:
        check_choice("dataset", dataset, ("sst2", "trec"))
        self.dataset = dataset
        self.name = f"charlm_{dataset}"
        self.description = f"language modelling: character GRU on {dataset.upper()} text"

    def _load(self) -> Splits:
        rows = read_jsonl(f"text/{self.dataset}.jsonl.gz")
        texts: dict[str, list[str]] = {}
        for row in rows:
            texts.setdefault(row["split"], []).append(row["text"])
        if "dev" not in texts:  # TREC: the last tenth of the training questions
            cut = len(texts["train"]) * 9 // 10
            texts["dev"], texts["train"] = texts["train"][cut:], texts["train"][:cut]
        streams = {k: "\n".join(v) + "\n" for k, v in texts.items()}
        chars = sorted(set(streams["train"]))
        ids = {c: i + 1 for i, c in enumerate(chars)}  # 0 = a character unseen in training
        self.vocab_size = len(chars) + 1

        def chunks(split: str) -> tuple[torch.Tensor, torch.Tensor]:
            s = torch.tensor([ids.get(c, 0) for c in streams[split]], dtype=torch.long)
            n = min((len(s) - 1) // CHUNK, MAX_CHUNKS)
            x = s[: n * CHUNK].reshape(n, CHUNK)
            y = s[1 : n * CHUNK + 1].reshape(n, CHUNK)  # the next character
            return x, y

        return Splits(*chunks("train"), *chunks("dev"), *chunks("test"))

    def _model(self, config: Config) -> nn.Module:
        self._splits  # noqa: B018 - loading the data sets the vocabulary size
        return CharGRU(self.vocab_size, config["dropout"])

    def _loss(self, config: Config) -> Loss:
        ce = nn.CrossEntropyLoss()
        return lambda out, x, y: ce(out.flatten(0, 1), y.flatten())

    def _score(self, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
        nats = nn.functional.cross_entropy(out.flatten(0, 1), y.flatten())
        return float(nats) / math.log(2)

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return switched("aug_char_noise", char_noise=Float(0.01, 0.3))

    def _augment(self, config: Config) -> Augment | None:
        if not config["aug_char_noise"]:
            return None
        # Corrupt input characters at random; the targets stay the true next characters.
        return token_corruption(float(config["char_noise"]), (1, self.vocab_size))

    def baseline(self) -> float:
        """Bits per character on validation of the training characters' unigram frequencies
        (add-one smoothed)."""
        s = self._splits
        freq = torch.ones(self.vocab_size)
        freq += torch.bincount(s.y_train.flatten(), minlength=self.vocab_size)
        logp = (freq / freq.sum()).log2()
        return float(-logp[s.y_val.flatten()].mean())
