"""Audio classification on the Free Spoken Digit Dataset: which digit was spoken (10 classes)
or who spoke it (6 speakers), from log-mel spectrograms computed with ``torch.stft``.

Split by recording index, the dataset's own convention: 0-4 test (300 clips), 5-9
validation (300), 10-49 training (2,400).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rocket_hpo._checks import check_choice
from rocket_hpo.space import Config, Hyperparameter, Int
from rocket_hpo.tasks._augment import stripe_mask
from rocket_hpo.tasks._hyperparameters import noise_space, switched
from rocket_hpo.tasks._models import small_cnn
from rocket_hpo.tasks._torch_task import Splits, TorchTask
from rocket_hpo.tasks._training import Augment, gaussian_noise
from rocket_hpo.tasks.base import data_file

__all__ = ["SpokenDigits", "log_mel", "mel_filterbank"]

SAMPLE_RATE, N_FFT, HOP, N_MELS = 8000, 256, 128, 40


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: int) -> torch.Tensor:
    """Triangular filters evenly spaced on the mel scale (HTK formula), (n_mels, n_fft//2+1).

    Example:
        >>> mel_filterbank(40, 256, 8000).shape
        torch.Size([40, 129])
    """

    def to_mel(f: float) -> float:
        return 2595 * math.log10(1 + f / 700)

    mels = torch.linspace(0, to_mel(sample_rate / 2), n_mels + 2)
    hz = 700 * (10 ** (mels / 2595) - 1)  # band edges
    freqs = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    lo, mid, hi = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    rising = (freqs - lo) / (mid - lo)
    falling = (hi - freqs) / (hi - mid)
    return torch.clamp(torch.minimum(rising, falling), min=0.0)


def log_mel(waves: torch.Tensor) -> torch.Tensor:
    """Log-mel spectrograms (N, 1, N_MELS, frames) of (N, samples) waveforms in [-1, 1]."""
    bank = mel_filterbank(N_MELS, N_FFT, SAMPLE_RATE)
    window = torch.hann_window(N_FFT)
    out = []
    for chunk in torch.split(waves, 500):  # bounds the memory of the complex spectra
        spec = torch.stft(chunk, N_FFT, HOP, window=window, return_complex=True)  # (B, F, T)
        out.append(torch.log(bank @ spec.abs().pow(2) + 1e-6))  # (B, N_MELS, T)
    return torch.cat(out)[:, None]


def _features() -> dict[str, torch.Tensor]:
    return _read_features(data_file("audio/fsdd_8k_1s.npz").resolve())


@lru_cache(maxsize=1)  # keyed by the file, so another data folder is read afresh
def _read_features(path: Path) -> dict[str, torch.Tensor]:
    with np.load(path) as d:
        waves = torch.from_numpy(d["x"].astype(np.float32) / 32768)
        meta = {k: torch.from_numpy(d[k].astype(np.int64)) for k in ("y", "speaker")}
        index = torch.from_numpy(d["recording_index"].astype(np.int64))
    return {"x": log_mel(waves), "index": index, **meta}


class SpokenDigits(TorchTask):
    """A small CNN (8, 16 channels) on 40-band log-mel spectrograms of 1 s clips, with
    SpecAugment masks and feature noise as optional augmentations."""

    metric = "val_accuracy"
    max_epochs = 20
    max_steps = 3000
    reference_epochs = 8
    reference_batch = 32

    def __init__(self, target: str = "digit") -> None:
        check_choice("target", target, ("digit", "speaker"))
        self.target = target
        self.name = "fsdd" if target == "digit" else "fsdd_speaker"
        what = "spoken digit (10 classes)" if target == "digit" else "speaker (6 classes)"
        self.description = f"audio classification: CNN on log-mel, FSDD {what}"

    def _load(self) -> Splits:
        f = _features()
        y = f["y"] if self.target == "digit" else f["speaker"]
        parts = [f["index"] >= 10, (f["index"] >= 5) & (f["index"] < 10), f["index"] < 5]
        mean, std = f["x"][parts[0]].mean((0, 3), keepdim=True), f["x"][parts[0]].std()
        x = (f["x"] - mean) / std  # per-band mean, one scale: keeps the spectral shape
        (xt, yt), (xv, yv), (xs, ys) = ((x[p], y[p]) for p in parts)
        return Splits(xt, yt, xv, yv, xs, ys, strata=yt.numpy())

    def _model(self, config: Config) -> nn.Module:
        n_classes = 10 if self.target == "digit" else 6
        shape = self._splits.x_train.shape[2:]
        return small_cnn(1, (8, 16), (shape[0], shape[1]), n_classes, config["dropout"])

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {
            **switched("aug_specaugment", freq_mask=Int(1, 16), time_mask=Int(1, 30)),
            **noise_space(high=1.0),
        }

    def _augment(self, config: Config) -> Augment | None:
        noise = gaussian_noise(config)
        if not config["aug_specaugment"]:
            return noise
        freq, time = int(config["freq_mask"]), int(config["time_mask"])

        def augment(
            x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
        ) -> tuple[torch.Tensor, torch.Tensor]:
            x = stripe_mask(stripe_mask(x, freq, 2, gen), time, 3, gen)
            return noise(x, y, gen) if noise is not None else (x, y)

        return augment
