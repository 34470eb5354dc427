"""An MLP on scikit-learn's bundled digits (8x8 images, 10 classes): the default task.

The data ships with scikit-learn, so this task runs anywhere with no data folder.
"""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from rocket_hpo.fidelity.subsets import nested_subset
from rocket_hpo.space import Bool, Categorical, Config, Float, Int, Space
from rocket_hpo.tasks._training import planned_compute
from rocket_hpo.tasks.base import DivergenceError, EvalResult, Task


def _split(seed: int) -> tuple[NDArray[Any], ...]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    # Fixed split (seed 0) so every trial is judged on the same validation and test data.
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, random_state=0)
    x_tr, x_va, y_tr, y_va = train_test_split(
        x_tr, y_tr, test_size=0.25, stratify=y_tr, random_state=0
    )
    return x_tr, y_tr, x_va, y_va, x_te, y_te


class DigitsMLP(Task):
    name = "digits"
    metric = "val_accuracy"
    direction = "maximize"
    description = "MLP on scikit-learn's digits (1,797 8x8 images); data bundled with scikit-learn"

    @cached_property
    def space(self) -> Space:
        return Space(
            lr=Float(1e-5, 1.0, log=True),
            batch_size=Int(8, 256, log=True),
            epochs=Int(2, 40),
            n_layers=Int(1, 4),
            width=Int(16, 512, log=True),
            activation=Categorical(["relu", "tanh", "gelu"]),
            dropout=Float(0.0, 0.7),
            weight_decay=Float(1e-8, 1e-1, log=True),
            optimizer=Categorical(["adam", "sgd"]),
            momentum=Float(0.0, 0.99, when=("optimizer", "sgd")),
            nesterov=Bool(when="momentum"),
            label_smoothing=Float(0.0, 0.3),
        )

    @property
    def reference(self) -> Config:
        return {
            "lr": 1e-3, "batch_size": 64, "epochs": 20, "n_layers": 2, "width": 128,
            "activation": "relu", "dropout": 0.0, "weight_decay": 1e-8, "optimizer": "adam",
            "label_smoothing": 0.0,
        }  # fmt: skip

    @cached_property
    def _data(self) -> tuple[NDArray[Any], ...]:
        return _split(0)

    def evaluate(
        self, config: Config, *, fraction: float = 1.0, seed: int = 0, test: bool = False
    ) -> EvalResult:
        self.space.validate(config)
        start = time.perf_counter()
        x_tr, y_tr, x_va, y_va, x_te, y_te = self._data
        idx = nested_subset(y_tr, fraction, seed)
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)

        act = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}[config["activation"]]
        layers: list[nn.Module] = []
        width_in = x_tr.shape[1]
        for _ in range(config["n_layers"]):
            layers += [nn.Linear(width_in, config["width"]), act(), nn.Dropout(config["dropout"])]
            width_in = config["width"]
        layers.append(nn.Linear(width_in, 10))
        model = nn.Sequential(*layers).to(device)

        if config["optimizer"] == "adam":
            opt: torch.optim.Optimizer = torch.optim.AdamW(
                model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"]
            )
        else:
            opt = torch.optim.SGD(
                model.parameters(), lr=config["lr"], weight_decay=config["weight_decay"],
                momentum=config["momentum"], nesterov=config["nesterov"] and config["momentum"] > 0,
            )  # fmt: skip
        loss_fn = nn.CrossEntropyLoss(label_smoothing=config["label_smoothing"])

        xt = torch.from_numpy(x_tr[idx]).to(device)
        yt = torch.from_numpy(y_tr[idx]).long().to(device)
        n = len(idx)
        for epoch in range(config["epochs"]):
            model.train()
            perm = torch.randperm(n, generator=gen).to(device)
            for i in range(0, n, config["batch_size"]):
                b = perm[i : i + config["batch_size"]]
                loss = loss_fn(model(xt[b]), yt[b])
                if not torch.isfinite(loss) or loss.item() > 1e4:
                    raise DivergenceError(f"loss became {loss.item():.3g} in epoch {epoch + 1}")
                opt.zero_grad()
                loss.backward()
                opt.step()

        def accuracy(x: NDArray[Any], y: NDArray[Any]) -> float:
            model.eval()
            with torch.no_grad():
                pred = model(torch.from_numpy(x).to(device)).argmax(1).cpu().numpy()
            return float((pred == y).mean())

        return EvalResult(
            score=accuracy(x_va, y_va),
            test_score=accuracy(x_te, y_te) if test else None,
            fraction=fraction,
            seconds=time.perf_counter() - start,
            info={"n_train": n},
            compute=planned_compute(n, config["batch_size"], config["epochs"]),
            full_compute=planned_compute(len(y_tr), config["batch_size"], config["epochs"]),
        )
