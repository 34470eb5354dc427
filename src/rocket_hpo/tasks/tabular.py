"""Tabular classification and regression with an MLP, on datasets bundled with scikit-learn
(``load_*``, no download) and on ETTh1's load readings.

scikit-learn datasets are split 60 / 20 / 20 (train / validation / test, stratified for
classifiers, split seed 0) and standardised with the training rows' statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split
from torch import nn

from rocket_hpo.space import Config, Float, Hyperparameter
from rocket_hpo.tasks._hyperparameters import noise_space, switched
from rocket_hpo.tasks._models import mlp
from rocket_hpo.tasks._torch_task import RegressionTask, Splits, TorchTask
from rocket_hpo.tasks._training import Augment, gaussian_noise
from rocket_hpo.tasks.base import data_file
from rocket_hpo.tasks.forecasting import TEST_END, ett_hours

__all__ = ["ETTh1Regression", "SklearnClassification", "SklearnRegression", "table_splits"]


def table_splits(x: NDArray[Any], y: NDArray[Any], classify: bool) -> Splits:
    """60 / 20 / 20 split (seed 0), features standardised on the training rows; regression
    targets standardised too."""
    strat = y if classify else None
    rows = np.arange(len(y))
    train, rest = train_test_split(rows, test_size=0.4, stratify=strat, random_state=0)
    val, test = train_test_split(
        rest, test_size=0.5, stratify=None if strat is None else y[rest], random_state=0
    )
    mean, std = x[train].mean(0), x[train].std(0) + 1e-12
    x = ((x - mean) / std).astype(np.float32)
    if classify:
        yt = torch.from_numpy(y.astype(np.int64))
    else:
        yt = torch.from_numpy(((y - y[train].mean()) / y[train].std()).astype(np.float32))[:, None]
    xt = torch.from_numpy(x)
    strata = y[train] if classify else None
    return Splits(xt[train], yt[train], xt[val], yt[val], xt[test], yt[test], strata=strata)


class _TabularMLP(TorchTask):
    """An MLP (inputs -> 64 -> 64 -> outputs); small data, so many short epochs."""

    max_epochs = 200
    max_steps = 4000
    reference_epochs = 100
    reference_batch = 32
    n_out = 1

    def _model(self, config: Config) -> nn.Module:
        return mlp([self._splits.x_train.shape[1], 64, 64, self.n_out], config["dropout"])


class SklearnClassification(_TabularMLP):
    """Classification on a scikit-learn bundled dataset, with input noise and mixup."""

    metric = "val_accuracy"

    def __init__(self, name: str, loader: Callable[..., Any], n_classes: int) -> None:
        self.name, self.loader, self.n_out = name, loader, n_classes
        self.description = f"tabular classification: MLP on scikit-learn's {name} (bundled)"

    def _load(self) -> Splits:
        x, y = self.loader(return_X_y=True)
        return table_splits(np.asarray(x, dtype=np.float64), np.asarray(y), classify=True)

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {
            **noise_space(high=1.0),
            **switched("aug_mixup", mixup_alpha=Float(0.05, 2.0, log=True)),
        }

    def _augment(self, config: Config) -> Augment | None:
        noise = gaussian_noise(config)
        if not config["aug_mixup"]:
            return noise
        alpha, n_classes = float(config["mixup_alpha"]), self.n_out

        def augment(
            x: torch.Tensor, y: torch.Tensor, gen: torch.Generator
        ) -> tuple[torch.Tensor, torch.Tensor]:
            if noise is not None:
                x, y = noise(x, y, gen)
            # mixup (Zhang et al. 2018): convex pairs of rows and of their one-hot labels
            rng = np.random.default_rng(int(torch.randint(2**31, (1,), generator=gen)))
            lam = torch.from_numpy(rng.beta(alpha, alpha, (len(x), 1))).float().to(x.device)
            other = torch.randperm(len(x), generator=gen).to(x.device)
            soft = nn.functional.one_hot(y, n_classes).float()  # (B, C)
            return lam * x + (1 - lam) * x[other], lam * soft + (1 - lam) * soft[other]

        return augment


class SklearnRegression(RegressionTask, _TabularMLP):
    """Regression on a scikit-learn bundled dataset (standardised target, validation MSE)."""

    def __init__(self, name: str, loader: Callable[..., Any]) -> None:
        self.name, self.loader = name, loader
        self.description = f"tabular regression: MLP on scikit-learn's {name} (bundled)"

    def _load(self) -> Splits:
        x, y = self.loader(return_X_y=True)
        return table_splits(np.asarray(x, dtype=np.float64), np.asarray(y), classify=False)


class ETTh1Regression(RegressionTask, _TabularMLP):
    """Oil temperature from the six load readings and the time of day and year (ETTh1 rows
    14,400 first hours, split at random 60 / 20 / 20 like the other tables): a sensor
    read-out regression."""

    name = "etth1_ot"
    description = "tabular regression: MLP, ETTh1 oil temperature from 6 loads + calendar"
    max_epochs = 40
    reference_epochs = 20
    reference_batch = 64

    def _load(self) -> Splits:
        hours = ett_hours()[:TEST_END]
        dates = np.loadtxt(
            data_file("timeseries/ETTh1.csv"), delimiter=",", skiprows=1, usecols=0,
            dtype="datetime64[h]", max_rows=TEST_END,
        )  # fmt: skip
        hour = (dates - dates.astype("datetime64[D]")).astype(np.float64) / 24
        day = (dates - dates.astype("datetime64[Y]")).astype(np.float64) / (24 * 365.25)
        angles = 2 * np.pi * np.stack([hour, day], axis=1)
        x = np.concatenate([hours[:, :6], np.sin(angles), np.cos(angles)], axis=1)
        return table_splits(x, hours[:, 6].astype(np.float64), classify=False)
