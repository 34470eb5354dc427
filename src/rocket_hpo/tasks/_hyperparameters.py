"""The block of training hyperparameters every task shares, so task modules add only their own.

Ranges are wide on purpose (no priors): the learning rate spans six decades on a log scale,
weight decay seven, and every optimizer and scheduler brings only its own settings, as
conditional hyperparameters that exist when it is chosen.

Example:
    >>> from rocket_hpo.space import Space
    >>> space = Space(training_space(max_epochs=20))
    >>> space["lr"].low, space["lr"].high
    (1e-06, 1.0)
"""

from __future__ import annotations

from rocket_hpo.space import Bool, Categorical, Config, Float, Hyperparameter, Int

__all__ = [
    "OPTIMIZERS",
    "SCHEDULERS",
    "noise_space",
    "reference_training",
    "regression_loss_space",
    "switched",
    "training_space",
]

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULERS = ("constant", "cosine", "step", "exponential", "onecycle")


def training_space(
    *,
    max_epochs: int,
    batch_sizes: tuple[int, int] = (8, 512),
    dropout: bool = True,
    label_smoothing: bool = False,
) -> dict[str, Hyperparameter]:
    """The shared training hyperparameters (17 to 19 of them, 10 conditional).

    Args:
        max_epochs: the largest number of epochs (caps a trial's training time).
        batch_sizes: the smallest and largest batch size (log scale).
        dropout: add the model's ``dropout`` rate (0 to 0.8).
        label_smoothing: add ``label_smoothing`` (0 to 0.3), for classifiers.

    Example:
        >>> sorted(training_space(max_epochs=5))[:3]
        ['batch_size', 'beta1', 'beta2']
    """
    hps: dict[str, Hyperparameter] = {
        "optimizer": Categorical(list(OPTIMIZERS)),
        "lr": Float(1e-6, 1.0, log=True),
        "momentum": Float(0.0, 0.99, when=("optimizer", ["sgd", "rmsprop"])),
        "nesterov": Bool(when=("optimizer", "sgd")),
        "beta1": Float(0.0, 0.999, when=("optimizer", ["adam", "adamw"])),
        "beta2": Float(0.8, 0.99999, when=("optimizer", ["adam", "adamw"])),
        "eps": Float(1e-10, 1e-3, log=True, when=("optimizer", ["adam", "adamw", "rmsprop"])),
        "weight_decay": Float(1e-8, 1e-1, log=True),
        "batch_size": Int(batch_sizes[0], batch_sizes[1], log=True),
        "epochs": Int(1, max_epochs),
        "scheduler": Categorical(list(SCHEDULERS)),
        "step_every": Int(1, max(1, max_epochs // 2), when=("scheduler", "step")),
        "step_gamma": Float(0.01, 0.9, log=True, when=("scheduler", "step")),
        "exp_gamma": Float(0.5, 0.999, when=("scheduler", "exponential")),
        # onecycle brings its own warm-up
        "warmup": Float(0.0, 0.3, when=("scheduler", [s for s in SCHEDULERS if s != "onecycle"])),
        **switched("grad_clip", clip_norm=Float(1e-2, 1e2, log=True)),
    }
    if dropout:
        hps["dropout"] = Float(0.0, 0.8)
    if label_smoothing:
        hps["label_smoothing"] = Float(0.0, 0.3)
    return hps


def reference_training(
    *, epochs: int, batch_size: int, dropout: float | None = 0.1, label_smoothing: bool = False
) -> Config:
    """The practitioner's default for the shared block: Adam at 1e-3 (betas 0.9/0.999, eps 1e-8),
    no weight decay to speak of, a constant learning rate, no clipping.

    Example:
        >>> reference_training(epochs=10, batch_size=64)["lr"]
        0.001
    """
    config: Config = {
        "optimizer": "adam", "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
        "weight_decay": 1e-8, "batch_size": batch_size, "epochs": epochs,
        "scheduler": "constant", "warmup": 0.0, "grad_clip": False,
    }  # fmt: skip
    if dropout is not None:
        config["dropout"] = dropout
    if label_smoothing:
        config["label_smoothing"] = 0.0
    return config


def switched(switch: str, **strengths: Hyperparameter) -> dict[str, Hyperparameter]:
    """An on/off switch (an augmentation, say) and the settings that exist only when it is on.

    Example:
        >>> sorted(switched("aug_shift", shift_pixels=Int(1, 4)))
        ['aug_shift', 'shift_pixels']
    """
    for hp in strengths.values():
        hp.when = (switch, True)
    return {switch: Bool(), **strengths}


def noise_space(high: float = 1.0) -> dict[str, Hyperparameter]:
    """An input-noise augmentation switch and its strength (std, log scale up to ``high``)."""
    return switched("aug_noise", noise_std=Float(1e-3, high, log=True))


def regression_loss_space() -> dict[str, Hyperparameter]:
    """The training loss of a regressor (the metric stays fixed)."""
    return {"loss": Categorical(["mse", "mae", "huber"])}
