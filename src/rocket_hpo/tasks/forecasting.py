"""Time-series forecasting on ETTh1: from the last week (168 hours) of the oil temperature
(OT), forecast it for the next day (24 h) or the next week (168 h), the univariate setting;
and ``etth1_multi``, all seven series 96 h ahead from the last 96 h, channel-independent
(each window of each series is one training example, as in DLinear and PatchTST).

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

from rocket_hpo.space import Config, Hyperparameter, Int
from rocket_hpo.tasks._models import mlp
from rocket_hpo.tasks._torch_task import RegressionTask, Splits
from rocket_hpo.tasks.base import WEIGHT_DECAY_BY_DATA, data_file

__all__ = ["ETTh1Forecast", "ETTh1Multivariate", "LastValueMLP", "ett_hours"]

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
    series: NDArray[Any], start: int, end: int, horizon: int, *, lookback: int = LOOKBACK,
    channel: int = -1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (N, lookback) and targets (N, horizon) of one column (OT by default), every
    window whose targets lie in [start, end)."""
    first = max(start, lookback)
    origins = np.arange(first, end - horizon + 1)  # first forecast hour of each window
    x = np.stack([series[o - lookback : o, channel] for o in origins])
    y = np.stack([series[o : o + horizon, channel] for o in origins])
    return torch.from_numpy(x), torch.from_numpy(y)


class LastValueMLP(nn.Module):
    """An MLP on the window minus its last value, adding the last value back to the forecast
    (NLinear's normalisation, Zeng et al. 2023): robust to ETT's level shifts."""

    def __init__(self, horizon: int, dropout: float, lookback: int = LOOKBACK,
                 width: int = 128) -> None:  # fmt: skip
        super().__init__()
        self.net = mlp([lookback, width, horizon], dropout)

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


class ETTh1Multivariate(ETTh1Forecast):
    """:class:`LastValueMLP` (96 -> ``width`` -> 96) shared by the seven ETTh1 series, each
    window of each series one example: 59,143 training windows (8,449 per series), 19,495
    validation and 19,495 test windows, scored by the MSE over all seven standardised series
    (the usual multivariate ETTh1 96-96 metric).

    Built for the data-subset benchmarks (issue 15): subsets are stratified by series, so
    the ladder 1/9, 1/3, 1 keeps the seven series in proportion (6,573, 19,719 and 59,143
    windows). Neighbouring windows overlap (they start an hour apart), so a subset's windows
    still cover the whole training period. The space (at most 6 epochs, 256 hidden units and
    1,500 optimizer steps) keeps one full-data training under 10 CPU seconds on one torch
    thread of this project's shared 2-core machine. Measured, with training and validation
    scoring: the reference 3.6 s (median of 3 seeds, 3.5-4.0; ``benchmarks/tasks/README.md``);
    200 uniform configurations 2.4 s median, 7.3 s at most; the costliest corner (6 epochs,
    256 units, clipping, input noise) 8.2 s at batch 256
    (``benchmarks/fidelity/rank_agreement_rich.md``, which also gives each rung's rank
    agreement with full data).
    """

    min_fraction = 1 / 9
    transfer = WEIGHT_DECAY_BY_DATA
    max_epochs = 6
    max_steps = 1500
    batch_sizes = (32, 1024)
    reference_epochs = 3
    reference_batch = 128
    lookback = 96

    def __init__(self) -> None:
        super().__init__(horizon=96)
        self.name = "etth1_multi"
        self.description = (
            "time-series forecasting: MLP, all 7 ETTh1 series 96 h ahead from 96 h, "
            "channel-independent (59k train windows)"
        )

    def _load(self) -> Splits:
        series = ett_hours()
        channels = range(series.shape[1])

        def split(start: int, end: int) -> tuple[torch.Tensor, torch.Tensor]:
            parts = [_windows(series, start, end, self.horizon, lookback=self.lookback,
                              channel=c) for c in channels]  # fmt: skip
            return torch.cat([x for x, _ in parts]), torch.cat([y for _, y in parts])

        train = split(0, TRAIN_END)
        strata = np.repeat(np.arange(len(channels)), len(train[0]) // len(channels))
        return Splits(*train, *split(TRAIN_END, VAL_END), *split(VAL_END, TEST_END),
                      strata=strata)  # fmt: skip

    def _model(self, config: Config) -> nn.Module:
        return LastValueMLP(self.horizon, config["dropout"], self.lookback, int(config["width"]))

    def _extra_space(self) -> dict[str, Hyperparameter]:
        return {**super()._extra_space(), "width": Int(16, 256, log=True)}

    def _extra_reference(self) -> Config:
        return {**super()._extra_reference(), "width": 128}
