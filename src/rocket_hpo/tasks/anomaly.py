"""Anomaly detection with autoencoders: train on normal rows only, flag the rows the model
reconstructs badly. Scored by the area under the ROC curve of the reconstruction error
(anomaly = positive), so 0.5 is chance.

* ``mnist_anomaly``: the digit 0 is normal, every other digit an anomaly (the one-class
  MNIST protocol); an MLP autoencoder on the 784 pixels.
* ``cancer_anomaly``: benign tumours are normal, malignant ones anomalies (scikit-learn's
  bundled breast-cancer table).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rocket_hpo.space import Config, Hyperparameter
from rocket_hpo.tasks._hyperparameters import noise_space, regression_loss_space
from rocket_hpo.tasks._models import mlp
from rocket_hpo.tasks._torch_task import Splits, TorchTask
from rocket_hpo.tasks._training import Augment, Loss, gaussian_noise, regression_loss
from rocket_hpo.tasks.image import mnist_arrays
from rocket_hpo.tasks.tabular import table_splits

__all__ = ["AutoencoderAnomaly", "CancerAnomaly", "MnistAnomaly"]


def auroc(errors: torch.Tensor, is_anomaly: torch.Tensor) -> float:
    """Area under the ROC curve of ``errors`` as a score for ``is_anomaly`` (ties count half).

    Example:
        >>> auroc(torch.tensor([0.1, 0.9, 0.5]), torch.tensor([0, 1, 0]))
        1.0
    """
    from scipy.stats import rankdata

    ranks = rankdata(errors.cpu().numpy())
    pos = is_anomaly.cpu().numpy().astype(bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


class AutoencoderAnomaly(TorchTask):
    """Base of the autoencoder tasks: the loss reconstructs the input; the metric is AUROC."""

    metric = "val_auroc"
    direction = "maximize"
    classifier = False
    widths: tuple[int, ...] = ()

    def _model(self, config: Config) -> nn.Module:
        d = self._splits.x_train.shape[1]
        return mlp([d, *self.widths, d], config["dropout"])

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {**regression_loss_space(), **noise_space(high=1.0)}  # noise: denoising AE

    def _extra_reference(self) -> Config:
        return {**super()._extra_reference(), "loss": "mse"}

    def _loss(self, config: Config) -> Loss:
        return regression_loss(config["loss"])  # against y, the clean input (see _augment)

    def _augment(self, config: Config) -> Augment | None:
        noise = gaussian_noise(config)

        def augment(
            x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
        ) -> tuple[torch.Tensor, torch.Tensor]:
            # Train to reconstruct the clean rows (y) from the possibly noisy ones.
            return (noise(x, x, gen)[0] if noise is not None else x), x

        return augment

    def _score(self, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
        return auroc(((out - x) ** 2).mean(1), y)

    def baseline(self) -> float:
        """A score unrelated to the data ranks anomalies at random."""
        return 0.5


class MnistAnomaly(AutoencoderAnomaly):
    """MLP autoencoder 784 -> 128 -> 32 -> 128 -> 784 on MNIST zeros."""

    name = "mnist_anomaly"
    description = "anomaly detection: MLP autoencoder on MNIST, 0 normal, other digits anomalies"
    widths = (128, 32, 128)
    max_epochs = 40
    max_steps = 4000
    reference_epochs = 20
    reference_batch = 64

    def _load(self) -> Splits:
        images_train, y_train, images_test, y_test = mnist_arrays()
        x_train = torch.from_numpy(images_train.reshape(len(y_train), -1)).float() / 255
        x_test = torch.from_numpy(images_test.reshape(len(y_test), -1)).float() / 255
        normal = np.flatnonzero(y_train[:50_000] == 0)
        anomalous = torch.from_numpy((y_train != 0).astype(np.int64))
        test_anomalous = torch.from_numpy((y_test != 0).astype(np.int64))
        return Splits(
            x_train[normal], anomalous[normal],
            x_train[50_000:52_000], anomalous[50_000:52_000],
            x_test, test_anomalous,
        )  # fmt: skip


class CancerAnomaly(AutoencoderAnomaly):
    """MLP autoencoder 30 -> 16 -> 4 -> 16 -> 30 on benign breast-cancer rows."""

    name = "cancer_anomaly"
    description = "anomaly detection: MLP autoencoder, breast_cancer, benign normal"
    widths = (16, 4, 16)
    max_epochs = 300
    max_steps = 4000
    reference_epochs = 150
    reference_batch = 32

    def _load(self) -> Splits:
        from sklearn.datasets import load_breast_cancer

        x, y = load_breast_cancer(return_X_y=True)
        s = table_splits(x, 1 - y, classify=True)  # sklearn: 1 = benign; here 1 = anomaly
        normal = s.y_train == 0
        return Splits(s.x_train[normal], s.y_train[normal], s.x_val, s.y_val, s.x_test, s.y_test)
