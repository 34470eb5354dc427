"""Text classification: a small CNN over word embeddings learned from scratch (no pretrained
vectors exist offline), on SST-2 (sentiment, 2 classes) and TREC (question type, 6 classes).

Tokens are lower-cased words and punctuation; the vocabulary is the training split's words
seen at least twice, plus padding (id 0) and unknown (id 1).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn

from rocket_hpo.space import Config, Float, Hyperparameter
from rocket_hpo.tasks._augment import token_corruption
from rocket_hpo.tasks._hyperparameters import switched
from rocket_hpo.tasks._torch_task import Splits, TorchTask
from rocket_hpo.tasks._training import Augment
from rocket_hpo.tasks.base import data_file

__all__ = ["SST2", "TREC", "TextCNN", "Vocabulary", "read_jsonl", "tokenize"]

PAD, UNK = 0, 1
_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words and punctuation marks.

    Example:
        >>> tokenize("What's the capital of France?")
        ["what's", 'the', 'capital', 'of', 'france', '?']
    """
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Word ids for the words seen at least ``min_count`` times in ``texts``.

    Example:
        >>> vocab = Vocabulary([["a", "b"], ["a"]], min_count=2)
        >>> vocab.encode(["a", "b", "c"], length=4).tolist()
        [2, 1, 1, 0]
    """

    def __init__(self, texts: list[list[str]], min_count: int = 2) -> None:
        counts = Counter(t for text in texts for t in text)
        words = sorted(w for w, c in counts.items() if c >= min_count)
        self.ids = {w: i + 2 for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.ids) + 2

    def encode(self, tokens: list[str], length: int) -> torch.Tensor:
        """Ids of ``tokens``, cut or padded to ``length``."""
        ids = [self.ids.get(t, UNK) for t in tokens[:length]]
        return torch.tensor(ids + [PAD] * (length - len(ids)), dtype=torch.long)


def read_jsonl(relative: str) -> tuple[dict[str, Any], ...]:
    """The rows of a gzipped JSON-lines file in the data folder."""
    return _read_jsonl(data_file(relative).resolve())


@lru_cache(maxsize=4)  # keyed by the file, so another data folder is read afresh
def _read_jsonl(path: Path) -> tuple[dict[str, Any], ...]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f)


class TextCNN(nn.Module):
    """Embedding (32) -> 1-D convolutions of widths 3, 4, 5 (32 filters each) -> max over
    time -> dropout -> linear (Kim 2014's CNN-rand, made smaller to train in seconds on a CPU)."""

    def __init__(self, vocab_size: int, n_classes: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 32, padding_idx=PAD)
        self.convs = nn.ModuleList(nn.Conv1d(32, 32, k, padding=k - 1) for k in (3, 4, 5))
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(3 * 32, n_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        e = self.embed(ids).transpose(1, 2)  # (B, 32, T)
        pooled = [conv(e).relu().amax(dim=2) for conv in self.convs]  # 3 x (B, 32)
        logits: torch.Tensor = self.out(self.drop(torch.cat(pooled, dim=1)))  # (B, classes)
        return logits


class _TextTask(TorchTask):
    """Shared by SST-2 and TREC: tokenise, build the vocabulary, train :class:`TextCNN`."""

    file = ""
    length = 0
    n_classes = 0
    max_epochs = 20
    max_steps = 3000
    reference_epochs = 8
    reference_batch = 50  # Kim (2014)
    reference_dropout = 0.5  # Kim (2014)

    def _rows(self) -> dict[str, tuple[list[list[str]], list[int]]]:
        """Tokenised texts and labels per split."""
        out: dict[str, tuple[list[list[str]], list[int]]] = {}
        for row in read_jsonl(self.file):
            texts, labels = out.setdefault(row["split"], ([], []))
            texts.append(tokenize(row["text"]))
            labels.append(int(row["label"]))
        return out

    def _load(self) -> Splits:
        rows = self._rows()
        if "dev" not in rows:  # TREC has no dev split: hold out a stratified tenth of train
            texts, labels = rows["train"]
            tr, va = train_test_split(
                np.arange(len(labels)), test_size=0.1, stratify=labels, random_state=0
            )
            rows["train"] = ([texts[i] for i in tr], [labels[i] for i in tr])
            rows["dev"] = ([texts[i] for i in va], [labels[i] for i in va])
        self.vocab = Vocabulary(rows["train"][0])

        def tensors(split: str) -> tuple[torch.Tensor, torch.Tensor]:
            texts, labels = rows[split]
            x = torch.stack([self.vocab.encode(t, self.length) for t in texts])  # (N, T)
            return x, torch.tensor(labels, dtype=torch.long)

        (xt, yt), (xv, yv), (xs, ys) = tensors("train"), tensors("dev"), tensors("test")
        return Splits(xt, yt, xv, yv, xs, ys, strata=yt.numpy())

    def _model(self, config: Config) -> nn.Module:
        return TextCNN(len(self.vocab), self.n_classes, config["dropout"])

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return switched("aug_word_dropout", word_dropout=Float(0.01, 0.5))

    def _augment(self, config: Config) -> Augment | None:
        if not config["aug_word_dropout"]:
            return None
        # Word dropout: replace words (not padding) by the unknown token.
        return token_corruption(float(config["word_dropout"]), (UNK, UNK + 1), protect=PAD)


class SST2(_TextTask):
    name = "sst2"
    metric = "val_accuracy"
    description = "text classification: CNN on SST-2 sentences (6,920 train / 872 dev / 1,821 test)"
    file = "text/sst2.jsonl.gz"
    length = 48
    n_classes = 2


class TREC(_TextTask):
    name = "trec"
    metric = "val_accuracy"
    description = "text classification: CNN on TREC-6 questions (4,906 train / 546 val / 500 test)"
    file = "text/trec.jsonl.gz"
    length = 24
    n_classes = 6
