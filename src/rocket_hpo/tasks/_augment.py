"""Batch augmentations on (B, C, H, W) tensors, drawn from an explicit generator.

Random numbers come from a CPU generator (seeded per trial) and are moved to the batch's
device, so a trial is reproducible on either.
"""

from __future__ import annotations

import torch
from torch.nn.functional import pad

from rocket_hpo.tasks._training import Augment

__all__ = ["cutout", "random_flip", "random_shift", "stripe_mask", "token_corruption"]


def _randint(high: int, n: int, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.randint(0, high, (n,), generator=gen).to(device)


def random_shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Translate each image by up to ``max_shift`` pixels each way, filling with zeros
    (= the mean after normalisation); the "pad and random crop" of CIFAR training.

    Example:
        >>> x = torch.ones(2, 1, 4, 4)
        >>> random_shift(x, 1, torch.Generator().manual_seed(0)).shape
        torch.Size([2, 1, 4, 4])
    """
    b, _, h, w = x.shape
    padded = pad(x, (max_shift, max_shift, max_shift, max_shift))
    dy = _randint(2 * max_shift + 1, b, gen, x.device)
    dx = _randint(2 * max_shift + 1, b, gen, x.device)
    rows = (torch.arange(h, device=x.device)[None, :] + dy[:, None])[:, :, None]  # (B, H, 1)
    cols = (torch.arange(w, device=x.device)[None, :] + dx[:, None])[:, None, :]  # (B, 1, W)
    batch = torch.arange(b, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)  # (B, C, H, W)


def random_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Mirror half of the images left to right."""
    flip = (torch.rand(len(x), generator=gen) < 0.5).to(x.device)
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def cutout(x: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Zero a ``size`` x ``size`` square at a random place in each image (DeVries & Taylor)."""
    b, _, h, w = x.shape
    # The square's centre is anywhere in the image, so part of it may fall outside.
    top = _randint(h, b, gen, x.device)[:, None, None] - size // 2
    left = _randint(w, b, gen, x.device)[:, None, None] - size // 2
    i = torch.arange(h, device=x.device)[None, :, None]
    j = torch.arange(w, device=x.device)[None, None, :]
    inside = (i >= top) & (i < top + size) & (j >= left) & (j < left + size)  # (B, H, W)
    return x * (~inside)[:, None].to(x.dtype)


def stripe_mask(x: torch.Tensor, width: int, axis: int, gen: torch.Generator) -> torch.Tensor:
    """Zero a band of up to ``width`` rows (``axis=2``) or columns (``axis=3``) per example:
    SpecAugment's frequency and time masks.
    """
    b, size = x.shape[0], x.shape[axis]
    widths = _randint(width + 1, b, gen, x.device)
    starts = (torch.rand(b, generator=gen).to(x.device) * (size - widths + 1)).long()
    pos = torch.arange(size, device=x.device)[None, :]
    band = (pos >= starts[:, None]) & (pos < (starts + widths)[:, None])  # (B, size)
    shape = [b, 1, 1, 1]
    shape[axis] = size
    return x * (~band).reshape(shape).to(x.dtype)


def token_corruption(
    rate: float, replace_with: tuple[int, int], protect: int | None = None
) -> Augment:
    """An augmentation of (B, T) token ids: each token becomes, with probability ``rate``, a
    random id in ``[replace_with[0], replace_with[1])`` (word dropout to the unknown token,
    character noise); ``protect`` (padding, say) is never replaced. Targets stay as they are.

    Example:
        >>> aug = token_corruption(1.0, (1, 2), protect=0)
        >>> aug(torch.tensor([[5, 6, 0]]), torch.tensor([1]), torch.Generator())[0].tolist()
        [[1, 1, 0]]
    """
    low, high = replace_with

    def augment(
        x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        swap = (torch.rand(x.shape, generator=gen) < rate).to(x.device)
        if protect is not None:
            swap &= x != protect
        new = torch.randint(low, high, x.shape, generator=gen).to(x.device)
        return torch.where(swap, new, x), y

    return augment
