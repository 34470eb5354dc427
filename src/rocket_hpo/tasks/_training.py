"""The training loop every task shares: optimizer and scheduler from a configuration,
mini-batch training with divergence checks, and batched prediction.

The configuration keys are those of :func:`rocket_hpo.tasks._hyperparameters.training_space`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

from rocket_hpo._checks import invalid
from rocket_hpo.space import Config
from rocket_hpo.tasks.base import Compute, DivergenceError

__all__ = [
    "FitInfo",
    "build_optimizer",
    "fit",
    "gaussian_noise",
    "lr_multiplier",
    "pick_device",
    "planned_compute",
    "predict",
    "regression_loss",
]

Augment = Callable[[torch.Tensor, torch.Tensor, torch.Generator], tuple[torch.Tensor, torch.Tensor]]
Loss = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]  # (output, x, y)

EXPLODE_FACTOR = 100.0
"""A loss this many times its starting value counts as divergence (the run cannot recover)."""


def pick_device() -> torch.device:
    """The GPU when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def build_optimizer(params: Iterable[nn.Parameter], config: Config) -> torch.optim.Optimizer:
    """The optimizer named by ``config["optimizer"]`` with its own settings.

    Example:
        >>> opt = build_optimizer(nn.Linear(2, 1).parameters(), {"optimizer": "sgd", "lr": 0.1,
        ...     "momentum": 0.9, "nesterov": True, "weight_decay": 0.0})
        >>> type(opt).__name__
        'SGD'
    """
    name, lr, wd = config["optimizer"], config["lr"], config["weight_decay"]
    if name == "sgd":
        momentum = config["momentum"]
        return torch.optim.SGD(
            params, lr=lr, momentum=momentum, weight_decay=wd,
            nesterov=bool(config["nesterov"]) and momentum > 0,  # nesterov needs momentum
        )  # fmt: skip
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        betas = (config["beta1"], config["beta2"])
        return cls(params, lr=lr, betas=betas, eps=config["eps"], weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(
            params, lr=lr, momentum=config["momentum"], eps=config["eps"], weight_decay=wd
        )
    raise invalid("optimizer", "one of 'sgd', 'adam', 'adamw', 'rmsprop'", name,
                  kind="hyperparameter")


def lr_multiplier(config: Config, step: int, total: int, steps_per_epoch: int) -> float:
    """The factor on the base learning rate at optimizer step ``step`` of ``total``.

    ``onecycle`` brings its own warm-up (30 % of the run, from lr/25); the other schedules
    are preceded by a linear warm-up over the ``warmup`` fraction of the steps.

    Example:
        >>> lr_multiplier({"scheduler": "cosine", "warmup": 0.0}, 50, 100, 10)
        0.5
    """
    kind = config["scheduler"]
    t = step / max(total, 1)
    if kind == "onecycle":
        if t < 0.3:  # cosine ramp from 1/25 up to 1
            return 1 / 25 + (1 - 1 / 25) * (1 - math.cos(math.pi * t / 0.3)) / 2
        return 1e-4 + (1 - 1e-4) * (1 + math.cos(math.pi * (t - 0.3) / 0.7)) / 2
    epoch = step / max(steps_per_epoch, 1)
    if kind == "constant":
        factor = 1.0
    elif kind == "cosine":
        factor = (1 + math.cos(math.pi * t)) / 2
    elif kind == "step":
        factor = config["step_gamma"] ** math.floor(epoch / config["step_every"])
    elif kind == "exponential":
        factor = config["exp_gamma"] ** epoch
    else:
        raise invalid("scheduler", "one of 'constant', 'cosine', 'step', 'exponential', "
                      "'onecycle'", kind, kind="hyperparameter")
    warm = config.get("warmup", 0.0) * total
    if warm > 0 and step < warm:
        factor *= (step + 1) / (warm + 1)
    return factor


def planned_compute(n: int, batch_size: int, epochs: int, max_steps: int | None = None,
                    ) -> Compute:
    """What :func:`fit` runs on ``n`` rows: ``epochs`` passes in batches of ``batch_size``
    (at most ``n``; each pass ends on a shorter batch), stopped after ``max_steps`` steps
    (None: no cap, as in the digits task's own loop).

    Computed without training, so a task can say what the full data would cost.

    Example:
        >>> planned_compute(100, 32, epochs=3, max_steps=1000)  # 4 steps a pass: 32, 32, 32, 4
        Compute(steps=12, examples=300)
        >>> planned_compute(100, 32, epochs=3, max_steps=6)  # capped: one pass and two steps
        Compute(steps=6, examples=164)
    """
    batch = min(batch_size, n)
    per_epoch = math.ceil(n / batch)
    steps = epochs * per_epoch if max_steps is None else min(epochs * per_epoch, max_steps)
    passes, rest = divmod(steps, per_epoch)
    return Compute(steps=steps, examples=passes * n + rest * batch)


@dataclass
class FitInfo:
    """What happened in :func:`fit`."""

    steps: int
    epochs: float
    final_loss: float
    examples: int = 0
    """Rows through the forward and backward passes, summed over the steps."""


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: Config,
    loss_fn: Loss,
    *,
    generator: torch.Generator,
    max_steps: int,
    augment: Augment | None = None,
) -> FitInfo:
    """Train ``model`` on ``(x, y)`` for ``config["epochs"]`` epochs, at most ``max_steps`` steps.

    Raises:
        DivergenceError: the loss became NaN/inf, exploded to ``EXPLODE_FACTOR`` times its
            starting value, or the gradient norm became non-finite.
    """
    n = len(x)
    batch = min(int(config["batch_size"]), n)
    steps_per_epoch = math.ceil(n / batch)
    total = planned_compute(n, batch, int(config["epochs"]), max_steps).steps
    optimizer = build_optimizer(model.parameters(), config)
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    clip = config["clip_norm"] if config.get("grad_clip") else None
    start_loss: float | None = None
    step, examples, loss_value = 0, 0, math.nan
    model.train()
    while step < total:
        perm = torch.randperm(n, generator=generator).to(x.device)
        for i in range(0, n, batch):
            if step >= total:
                break
            idx = perm[i : i + batch]
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb, yb = augment(xb, yb, generator)
            factor = lr_multiplier(config, step, total, steps_per_epoch)
            for group, base in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = base * factor
            loss = loss_fn(model(xb), xb, yb)
            loss_value = float(loss.detach())
            where = f"at step {step + 1} (epoch {step // steps_per_epoch + 1})"
            if not math.isfinite(loss_value):
                raise DivergenceError(f"training loss became {loss_value} {where}")
            if start_loss is None:
                start_loss = max(abs(loss_value), 1e-3)
            elif loss_value > EXPLODE_FACTOR * start_loss:
                raise DivergenceError(
                    f"training loss exploded from {start_loss:.3g} to {loss_value:.3g} {where}"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            if clip is not None:
                norm = float(nn.utils.clip_grad_norm_(model.parameters(), clip))
                if not math.isfinite(norm):
                    raise DivergenceError(f"gradient norm became {norm} {where}")
            optimizer.step()
            step += 1
            examples += len(idx)
    return FitInfo(steps=step, epochs=step / steps_per_epoch, final_loss=loss_value,
                   examples=examples)


def regression_loss(name: str) -> Loss:
    """The loss called ``name`` (mse, mae or huber) between output and ``y``."""
    fn = {"mse": nn.MSELoss(), "mae": nn.L1Loss(), "huber": nn.HuberLoss()}[name]
    return lambda out, x, y: fn(out, y)


def gaussian_noise(config: Config) -> Augment | None:
    """Add N(0, noise_std) to the inputs when ``aug_noise`` is on (the targets stay clean)."""
    if not config.get("aug_noise"):
        return None
    std = float(config["noise_std"])

    def augment(
        x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return x + std * torch.randn(x.shape, generator=gen).to(x.device), y

    return augment


def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """The model's outputs on ``x`` in evaluation mode, batched; non-finite ones mean divergence.

    Example:
        >>> predict(nn.Linear(3, 2), torch.zeros(5, 3)).shape
        torch.Size([5, 2])
    """
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
    if not torch.isfinite(out).all():
        raise DivergenceError("the trained model predicts NaN or inf")
    return out
