"""Time-series forecasting on ETTh1: from the last week (168 hours) of the oil temperature
(OT), forecast it for the next day (24 h) or the next week (168 h), the univariate setting.

The split is Informer's (train hours [0, 8640), validation [8640, 11520), test
[11520, 14400)); every series is standardised with the training part's mean and std, and the
metric is the MSE of the standardised OT forecast (the usual ETT convention).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from rocket_hpo.space import Config
from rocket_hpo.tasks._models import mlp
from rocket_hpo.tasks._torch_task import RegressionTask, Splits
from rocket_hpo.tasks.base import data_file

__all__ = ["ETTh1Forecast", "LastValueMLP", "ett_hours"]

TRAIN_END, VAL_END, TEST_END = 8640, 11520, 14400
LOOKBACK = 168


def ett_hours() -> NDArray[Any]:
    """ETTh1's seven columns (HUFL, HULL, MUFL, MULL, LUFL, LULL, OT), standardised with the
    training hours' statistics, as a (17420, 7) float32 array."""
    return _read_ett(data_file("timeseries/ETTh1.csv").resolve())


@lru_cache(maxsize=1)  # keyed by the file, so another data folder is read afresh
def _read_ett(path: Path) -> NDArray[Any]:
    values = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, 8), dtype=np.float32)
    train = values[:TRAIN_END]
    standardised: NDArray[Any] = ((values - train.mean(0)) / train.std(0)).astype(np.float32)
    return standardised


def _windows(
    series: NDArray[Any], start: int, end: int, horizon: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """OT inputs (N, LOOKBACK) and OT targets (N, horizon) whose targets lie in [start, end)."""
    first = max(start, LOOKBACK)
    origins = np.arange(first, end - horizon + 1)  # first forecast hour of each window
    x = np.stack([series[o - LOOKBACK : o, -1] for o in origins])
    y = np.stack([series[o : o + horizon, -1] for o in origins])
    return torch.from_numpy(x), torch.from_numpy(y)


class LastValueMLP(nn.Module):
    """An MLP on the window minus its last value, adding the last value back to the forecast
    (NLinear's normalisation, Zeng et al. 2023): robust to ETT's level shifts."""

    def __init__(self, horizon: int, dropout: float) -> None:
        super().__init__()
        self.net = mlp([LOOKBACK, 128, horizon], dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = x[:, -1:]  # (B, 1)
        forecast: torch.Tensor = self.net(x - last) + last  # (B, horizon)
        return forecast


class ETTh1Forecast(RegressionTask):
    """:class:`LastValueMLP` (168 -> 128 -> horizon) on the last week of OT."""

    max_epochs = 30
    max_steps = 4000
    reference_epochs = 10
    reference_batch = 32

    def __init__(self, horizon: int = 24) -> None:
        self.horizon = horizon
        self.name = f"etth1_h{horizon}"
        self.description = (
            f"time-series forecasting: MLP, ETTh1 oil temperature {horizon} h ahead from 168 h"
        )

    def _load(self) -> Splits:
        series = ett_hours()
        train = _windows(series, 0, TRAIN_END, self.horizon)
        val = _windows(series, TRAIN_END, VAL_END, self.horizon)
        test = _windows(series, VAL_END, TEST_END, self.horizon)
        return Splits(*train, *val, *test)

    def _model(self, config: Config) -> nn.Module:
        return LastValueMLP(self.horizon, config["dropout"])

    def baseline(self) -> float:
        """Validation MSE of the persistence forecast (repeat the last observed value)."""
        s = self._splits
        return float(((s.y_val - s.x_val[:, -1:]) ** 2).mean())
