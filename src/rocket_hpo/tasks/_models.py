"""The fixed architectures the tasks share: a small CNN and an MLP."""

from __future__ import annotations

import itertools

from torch import nn

__all__ = ["mlp", "small_cnn"]


def small_cnn(
    channels: int, widths: tuple[int, int], size: tuple[int, int], n_out: int, dropout: float
) -> nn.Module:
    """Two 3x3 conv + ReLU + 2x2 max-pool blocks, then a 128-unit dense layer.

    Example:
        >>> import torch
        >>> small_cnn(1, (8, 16), (28, 28), 10, 0.1)(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
    """
    c1, c2 = widths
    h, w = size
    return nn.Sequential(
        nn.Conv2d(channels, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, c1, H/2, W/2)
        nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, c2, H/4, W/4)
        nn.Flatten(), nn.Dropout(dropout),
        nn.Linear(c2 * (h // 4) * (w // 4), 128), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(128, n_out),
    )  # fmt: skip


def mlp(sizes: list[int], dropout: float, out_activation: nn.Module | None = None) -> nn.Module:
    """Dense layers of ``sizes`` (input first, output last) with ReLU and dropout between.

    Example:
        >>> mlp([4, 8, 2], 0.0)
        Sequential(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): ReLU()
          (2): Dropout(p=0.0, inplace=False)
          (3): Linear(in_features=8, out_features=2, bias=True)
        )
    """
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers += [nn.ReLU(), nn.Dropout(dropout)]
    if out_activation is not None:
        layers.append(out_activation)
    return nn.Sequential(*layers)
