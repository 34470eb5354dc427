"""A task whose evaluation is: subset the training data, build the fixed model, train it with
the shared loop, score it on validation (and test). Task modules fill in the data, the model,
their own hyperparameters and the metric.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import torch
from numpy.typing import NDArray
from torch import nn

from rocket_hpo.fidelity.subsets import nested_subset
from rocket_hpo.space import Bool, Config, Hyperparameter, Space
from rocket_hpo.tasks._hyperparameters import (
    noise_space,
    reference_training,
    regression_loss_space,
    training_space,
)
from rocket_hpo.tasks._training import (
    Augment,
    FitInfo,
    Loss,
    fit,
    gaussian_noise,
    pick_device,
    planned_compute,
    predict,
    regression_loss,
)
from rocket_hpo.tasks.base import Compute, EvalResult, Task

__all__ = ["RegressionTask", "Splits", "TorchTask", "accuracy"]


@dataclass(frozen=True)
class Splits:
    """A task's fixed train / validation / test tensors (on the CPU)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    strata: NDArray[Any] | None = None
    """Class labels of the training rows for stratified subsets; None = plain random subsets."""

    def to(self, device: torch.device) -> Splits:
        moved = {k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_val")}
        moved |= {k: getattr(self, k).to(device) for k in ("y_val", "x_test", "y_test")}
        return Splits(**moved, strata=self.strata)


def accuracy(out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of rows whose highest logit is the label."""
    return float((out.argmax(1) == y).float().mean())


class TorchTask(Task):
    """Base of the built-in PyTorch tasks.

    Subclasses set ``max_epochs``, ``max_steps`` (a cap on optimizer steps that bounds the
    time of any configuration) and ``reference_epochs`` / ``reference_batch``, and implement
    :meth:`_load` and
    :meth:`_model`. They may add hyperparameters (:meth:`_extra_space`, with their reference
    values in :meth:`_extra_reference`), an augmentation, a loss and a metric.
    """

    max_epochs: int = 20
    max_steps: int = 3000
    batch_sizes: tuple[int, int] = (8, 512)
    reference_epochs: int = 10
    reference_batch: int = 64
    reference_dropout: float | None = 0.1
    classifier: bool = True

    # --- what subclasses provide -------------------------------------------------------
    @abstractmethod
    def _load(self) -> Splits:
        """Read the data and split it (the same split for every trial)."""

    @abstractmethod
    def _model(self, config: Config) -> nn.Module:
        """The fixed architecture (``config`` gives only training settings such as dropout)."""

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {}

    def _extra_reference(self) -> Config:
        """Reference values of :meth:`_extra_space`; by default every on/off switch (the
        augmentations) is off."""
        extra = self._extra_space()
        return {n: False for n, hp in extra.items() if isinstance(hp, Bool) and hp.when is None}

    def _augment(self, config: Config) -> Augment | None:
        return None

    def _loss(self, config: Config) -> Loss:
        """The training loss, called as ``loss(output, x, y)``; cross-entropy by default."""
        ce = nn.CrossEntropyLoss(label_smoothing=config.get("label_smoothing", 0.0))
        return lambda out, x, y: ce(out, y)

    def _score(self, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
        return accuracy(out, x, y)

    def baseline(self) -> float:
        """The validation score of a trivial predictor: for a classifier, always the most
        frequent class; regressors override it (predicting the training mean), and so on."""
        y = self._splits.y_val
        return float(torch.bincount(y).max()) / len(y)

    # --- the Task interface --------------------------------------------------------------
    @cached_property
    def space(self) -> Space:
        common = training_space(
            max_epochs=self.max_epochs,
            batch_sizes=self.batch_sizes,
            dropout=self.reference_dropout is not None,
            label_smoothing=self.classifier,
        )
        return Space({**common, **self._extra_space()})

    @property
    def reference(self) -> Config:
        config = reference_training(
            epochs=self.reference_epochs,
            batch_size=self.reference_batch,
            dropout=self.reference_dropout,
            label_smoothing=self.classifier,
        )
        return {**config, **self._extra_reference()}

    @cached_property
    def _splits(self) -> Splits:
        return self._load()

    @cached_property
    def _on_device(self) -> dict[str, Splits]:
        return {}

    def evaluate(
        self, config: Config, *, fraction: float = 1.0, seed: int = 0, test: bool = False
    ) -> EvalResult:
        """Train ``config`` on a nested ``fraction`` of the training rows and score it.

        The result carries the compute the training used and what the same configuration
        uses on every training row (under the same :attr:`max_steps`), so that a capped
        small rung is charged the steps it ran, not its fraction.

        Raises:
            SpaceError: ``config`` does not fit :attr:`space`.
            DivergenceError: training blew up; the message says how and when.
        """
        self.space.validate(config)
        start = time.perf_counter()
        device = pick_device()
        if str(device) not in self._on_device:  # copy the data to a GPU once, not per trial
            self._on_device[str(device)] = self._splits.to(device)
        data = self._on_device[str(device)]
        strata = self._splits.strata
        idx = nested_subset(len(data.y_train) if strata is None else strata, fraction, seed)
        rows = torch.from_numpy(idx).to(device)
        torch.manual_seed(seed)  # model initialisation
        model = self._model(config).to(device)
        generator = torch.Generator().manual_seed(seed)  # shuffling and augmentation
        info: FitInfo = fit(
            model,
            data.x_train[rows],
            data.y_train[rows],
            config,
            self._loss(config),
            generator=generator,
            max_steps=self.max_steps,
            augment=self._augment(config),
        )
        full = planned_compute(len(data.y_train), int(config["batch_size"]),
                               int(config["epochs"]), self.max_steps)
        score = self._score(predict(model, data.x_val), data.x_val, data.y_val)
        test_score = None
        if test:
            test_score = self._score(predict(model, data.x_test), data.x_test, data.y_test)
        return EvalResult(
            score=score,
            test_score=test_score,
            fraction=fraction,
            seconds=time.perf_counter() - start,
            info={"n_train": len(idx), "steps": info.steps, "epochs": round(info.epochs, 3)},
            compute=Compute(info.steps, info.examples),
            full_compute=full,
        )


class RegressionTask(TorchTask):
    """A :class:`TorchTask` that regresses standardised targets, scored by validation MSE.

    Adds the training loss (mse, mae, huber) and an input-noise augmentation to the space.
    """

    classifier = False
    direction = "minimize"
    metric = "val_mse"

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {**regression_loss_space(), **noise_space(high=0.5)}

    def _extra_reference(self) -> Config:
        return {**super()._extra_reference(), "loss": "mse"}

    def _loss(self, config: Config) -> Loss:
        return regression_loss(config["loss"])

    def _augment(self, config: Config) -> Augment | None:
        return gaussian_noise(config)

    def _score(self, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
        return float(((out - y) ** 2).mean())

    def baseline(self) -> float:
        """Validation MSE of predicting the training mean."""
        s = self._splits
        return float(((s.y_val - s.y_train.mean(0)) ** 2).mean())
