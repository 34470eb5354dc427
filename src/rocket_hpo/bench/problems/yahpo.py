"""YAHPO Gym v1.0.2 surrogates, evaluated directly with onnxruntime.

The surrogate files in ``<data>/yahpo/<scenario>/`` (``model.onnx``, ``config_space.json``,
``encoding.json``) are read here without the ``yahpo-gym`` package: yahpo-gym 1.0.2 pins
``ConfigSpace<=0.6.1``, which conflicts with SMAC and DEHB's ConfigSpace 1.x. The
encoding follows yahpo-gym's rules (checked value for value against yahpo-gym 1.0.2 by
``benchmarks/harness/check_yahpo_parity.py``): continuous inputs are the raw values in the
scenario's ``cont_names`` order (an inactive one is 0), categorical inputs are the integer
codes of ``encoding.json`` in ``cat_names`` order (an inactive one is ``"#na#"``); the
network applies its own transformations.

Fidelity: ``lcbench`` maps ``fraction`` to ``epoch = round(52 * fraction)`` (at least 1),
the ``rbv2_*`` and ``iaml_*`` scenarios to ``trainsize = fraction`` (at least 0.03, YAHPO's
lower bound), with ``repl`` fixed at 10 (all resampling folds). Cost is the fidelity
actually used, as a share of its maximum (``epoch / 52`` or ``trainsize``).

Reference values for normalised regret are YAHPO's own
``global_statistics/instance_target_statistics.csv`` (minimum and maximum of the target
over 500,000 random points per instance, as ``BenchmarkSet.target_stats`` reports).
"""

from __future__ import annotations

import csv
import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from rocket_hpo.errors import UsageError
from rocket_hpo.space import Categorical, Config, Float, Hyperparameter, Int, Space
from rocket_hpo.tasks.base import data_file

from .base import Problem

_Array = np.ndarray[Any, Any]

__all__ = ["SCENARIOS", "Scenario", "YahpoProblem", "instances"]


@dataclass(frozen=True)
class Scenario:
    """What the surrogate network of one YAHPO scenario expects and returns."""

    cont_names: tuple[str, ...]
    cat_names: tuple[str, ...]
    y_names: tuple[str, ...]
    instance_param: str
    fidelity_param: str
    fidelity_max: float
    fidelity_min: float
    target: str
    direction: Literal["maximize", "minimize"]
    constants: tuple[tuple[str, float], ...] = ()


_RBV2_Y = ("acc", "bac", "auc", "brier", "f1", "logloss", "timetrain", "timepredict", "memory")
_IAML_Y = (
    "mmce", "f1", "auc", "logloss", "ramtrain", "rammodel", "rampredict",
    "timetrain", "timepredict", "mec", "ias", "nf",
)  # fmt: skip

# Input and output layouts of the four scenarios in shared/data (yahpo-gym 1.0.2's
# configuration dictionaries); the target is the one YAHPO's single-objective suite uses.
SCENARIOS: dict[str, Scenario] = {
    "lcbench": Scenario(
        cont_names=(
            "epoch", "batch_size", "learning_rate", "momentum",
            "weight_decay", "num_layers", "max_units", "max_dropout",
        ),
        cat_names=("OpenML_task_id",),
        y_names=(
            "time", "val_accuracy", "val_cross_entropy", "val_balanced_accuracy",
            "test_cross_entropy", "test_balanced_accuracy",
        ),
        instance_param="OpenML_task_id",
        fidelity_param="epoch",
        fidelity_max=52,
        fidelity_min=1,
        target="val_accuracy",
        direction="maximize",
    ),
    "rbv2_xgboost": Scenario(
        cont_names=(
            "nrounds", "eta", "gamma", "lambda", "alpha", "subsample", "max_depth",
            "min_child_weight", "colsample_bytree", "colsample_bylevel", "rate_drop",
            "skip_drop", "trainsize", "repl",
        ),
        cat_names=("task_id", "booster", "num.impute.selected.cpo"),
        y_names=_RBV2_Y,
        instance_param="task_id",
        fidelity_param="trainsize",
        fidelity_max=1.0,
        fidelity_min=0.03,
        target="acc",
        direction="maximize",
        constants=(("repl", 10),),
    ),
    "rbv2_rpart": Scenario(
        cont_names=("cp", "maxdepth", "minbucket", "minsplit", "trainsize", "repl"),
        cat_names=("task_id", "num.impute.selected.cpo"),
        y_names=_RBV2_Y,
        instance_param="task_id",
        fidelity_param="trainsize",
        fidelity_max=1.0,
        fidelity_min=0.03,
        target="acc",
        direction="maximize",
        constants=(("repl", 10),),
    ),
    "iaml_glmnet": Scenario(
        cont_names=("alpha", "s", "trainsize"),
        cat_names=("task_id",),
        y_names=_IAML_Y,
        instance_param="task_id",
        fidelity_param="trainsize",
        fidelity_max=1.0,
        fidelity_min=0.03,
        target="mmce",
        direction="minimize",
    ),
}


def _scenario(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise UsageError(
            f"The YAHPO scenario must be one of {sorted(SCENARIOS)}. Got {name!r} instead."
        )
    return SCENARIOS[name]


@functools.cache
def _read_json(path: str) -> Any:
    return json.loads(Path(path).read_text())


def instances(scenario: str) -> list[str]:
    """The instance ids of ``scenario`` that its surrogate knows."""
    sc = _scenario(scenario)
    enc = _read_json(str(data_file(f"yahpo/{scenario}/encoding.json")))
    return sorted((k for k in enc[sc.instance_param] if k != "#na#"), key=int)


def _convert_space(cs: dict[str, Any], drop: set[str]) -> Space:
    """A rocket Space from ConfigSpace JSON, keeping log scales and conditions."""
    hps = {h["name"]: h for h in cs["hyperparameters"] if h["name"] not in drop}
    parents: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for c in cs.get("conditions", []):
        if c["type"] not in {"EQ", "IN"}:
            raise UsageError(f"Unsupported condition type {c['type']!r} in a YAHPO space.")
        values = tuple(c["values"]) if c["type"] == "IN" else (c["value"],)
        parents[c["child"]] = (c["parent"], values)
    order: list[str] = []  # parents before children, otherwise the file's order

    def visit(name: str) -> None:
        if name in order:
            return
        if name in parents:
            visit(parents[name][0])
        order.append(name)

    for name in hps:
        visit(name)
    out: dict[str, Hyperparameter] = {}
    for name in order:
        h = hps[name]
        when = parents.get(name)
        if h["type"] == "uniform_float":
            out[name] = Float(h["lower"], h["upper"], log=bool(h["log"]), when=when)
        elif h["type"] == "uniform_int":
            out[name] = Int(int(h["lower"]), int(h["upper"]), log=bool(h["log"]), when=when)
        elif h["type"] == "categorical":
            out[name] = Categorical(list(h["choices"]), when=when)
        else:
            raise UsageError(f"Unsupported hyperparameter type {h['type']!r} in a YAHPO space.")
    return Space(out)


@functools.cache
def _target_stats(path: str) -> dict[tuple[str, str, str, str], float]:
    with open(path, newline="") as f:
        return {
            (r["scenario"], r["instance"], r["metric"], r["statistic"]): float(r["value"])
            for r in csv.DictReader(f)
        }


class YahpoProblem(Problem):
    """One instance of a YAHPO Gym scenario, as ``yahpo/<scenario>/<instance>``.

    Example:
        >>> p = YahpoProblem("lcbench", "3945")
        >>> p.evaluate(p.space.sample(seed=1), fraction=1.0)[1]
        1.0
    """

    def __init__(self, scenario: str, instance: str) -> None:
        self.scenario = scenario
        self.sc = _scenario(scenario)
        self.instance = str(instance)
        known = instances(scenario)
        if self.instance not in known:
            raise UsageError(
                f"The instance of YAHPO scenario {scenario!r} must be one of its "
                f"{len(known)} instances ({', '.join(known[:8])}, ...). Got {instance!r} instead."
            )
        self.name = f"yahpo/{scenario}/{self.instance}"
        self.direction = self.sc.direction
        self.min_fraction = self.sc.fidelity_min / self.sc.fidelity_max
        folder = f"yahpo/{scenario}"
        self._encoding = _read_json(str(data_file(f"{folder}/encoding.json")))
        cs = _read_json(str(data_file(f"{folder}/config_space.json")))
        drop = {self.sc.instance_param, self.sc.fidelity_param, *dict(self.sc.constants)}
        self._space = _convert_space(cs, drop)
        self._model_path = str(data_file(f"{folder}/model.onnx"))
        self._session: Any = None
        stats_file = data_file("yahpo/global_statistics/instance_target_statistics.csv")
        stats = _target_stats(str(stats_file))
        lo = stats.get((scenario, self.instance, self.sc.target, "min"))
        hi = stats.get((scenario, self.instance, self.sc.target, "max"))
        if lo is not None and hi is not None:
            self.best, self.worst = (hi, lo) if self.direction == "maximize" else (lo, hi)

    @property
    def space(self) -> Space:
        return self._space

    def _run(self, x_cat: _Array, x_cont: _Array) -> _Array:
        if self._session is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            # The harness runs one process per seed; threads inside each would only contend.
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            self._session = ort.InferenceSession(
                self._model_path, sess_options=opts, providers=["CPUExecutionProvider"]
            )
        out = self._session.run(None, {"x_cat": x_cat, "x_cont": x_cont})[0]
        return np.asarray(out)

    def fidelity_value(self, fraction: float) -> float:
        """The value of the scenario's fidelity parameter that ``fraction`` maps onto."""
        sc = self.sc
        value = fraction * sc.fidelity_max
        if sc.fidelity_param == "epoch":
            value = round(value)
        return float(min(max(value, sc.fidelity_min), sc.fidelity_max))

    def raw(self, config: Config, fraction: float = 1.0) -> dict[str, float]:
        """All of the surrogate's outputs (targets, simulated runtime) for one configuration."""
        values: dict[str, Any] = dict(config)
        values[self.sc.instance_param] = self.instance
        values[self.sc.fidelity_param] = self.fidelity_value(fraction)
        values.update(dict(self.sc.constants))
        cat = [
            self._encoding[n][str(values[n]) if n in values else "#na#"] for n in self.sc.cat_names
        ]
        cont = [float(values.get(n, 0.0)) for n in self.sc.cont_names]
        out = self._run(
            np.asarray([cat], dtype=np.int32), np.asarray([cont], dtype=np.float32)
        )[0]
        return {k: float(v) for k, v in zip(self.sc.y_names, out, strict=True)}

    def scores(self, configs: list[Config], fraction: float = 1.0) -> _Array:
        """The target of many configurations in one call of the surrogate (pretraining
        rolls out groups of episodes side by side)."""
        fixed = {self.sc.instance_param: self.instance,
                 self.sc.fidelity_param: self.fidelity_value(fraction), **dict(self.sc.constants)}
        rows = [{**c, **fixed} for c in configs]
        cat = [[self._encoding[n][str(r[n]) if n in r else "#na#"] for n in self.sc.cat_names]
               for r in rows]
        cont = [[float(r.get(n, 0.0)) for n in self.sc.cont_names] for r in rows]
        out = self._run(np.asarray(cat, dtype=np.int32), np.asarray(cont, dtype=np.float32))
        return np.asarray(out[:, self.sc.y_names.index(self.sc.target)], dtype=np.float64)

    def _evaluate(self, config: Config, fraction: float) -> tuple[float, float]:
        score = self.raw(config, fraction)[self.sc.target]
        if not math.isfinite(score):
            raise RuntimeError(f"The surrogate of {self.name} returned {score!r}.")
        return score, self.fidelity_value(fraction) / self.sc.fidelity_max
