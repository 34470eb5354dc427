"""Ready-made deep-learning tuning tasks, by name.

Eight task types on real data, two datasets or variants each, plus the default ``digits``
and two data-rich tasks for the data-subset benchmarks (:data:`DATA_RICH`):

========================  ==============================================================
type                      tasks
========================  ==============================================================
image classification      ``mnist``, ``cifar10``
text classification       ``sst2``, ``trec``
time-series forecasting   ``etth1_h24``, ``etth1_h168``
audio classification      ``fsdd`` (digit), ``fsdd_speaker``
tabular classification    ``breast_cancer``, ``wine``
tabular regression        ``diabetes``, ``etth1_ot``
anomaly detection         ``mnist_anomaly``, ``cancer_anomaly``
language modelling        ``charlm_sst2``, ``charlm_trec``
data-rich (50k+ rows)     ``mnist_full`` (MLP, 55k images), ``etth1_multi`` (MLP, 59k windows)
========================  ==============================================================

Example:
    >>> from rocket_hpo import tasks
    >>> "digits" in tasks.names() and "mnist" in tasks.names()
    True
    >>> task = tasks.get("digits")
"""

from __future__ import annotations

from collections.abc import Callable

from rocket_hpo.tasks.base import (
    DataMissingError,
    DivergenceError,
    EvalResult,
    Task,
    data_dir,
    data_file,
)

__all__ = [
    "DATA_RICH",
    "TYPES",
    "DataMissingError",
    "DivergenceError",
    "EvalResult",
    "Task",
    "data_dir",
    "data_file",
    "get",
    "names",
]


def _digits() -> Task:
    from rocket_hpo.tasks.digits import DigitsMLP

    return DigitsMLP()


def _image(name: str) -> Task:
    from rocket_hpo.tasks.image import Cifar10CNN, MnistCNN, MnistMLP

    if name == "mnist_full":
        return MnistMLP()
    return MnistCNN() if name == "mnist" else Cifar10CNN()


def _text(name: str) -> Task:
    from rocket_hpo.tasks.text import SST2, TREC

    return SST2() if name == "sst2" else TREC()


def _forecast(horizon: int | None) -> Task:
    from rocket_hpo.tasks.forecasting import ETTh1Forecast, ETTh1Multivariate

    return ETTh1Multivariate() if horizon is None else ETTh1Forecast(horizon)


def _audio(target: str) -> Task:
    from rocket_hpo.tasks.audio import SpokenDigits

    return SpokenDigits(target)


def _tabular(name: str) -> Task:
    from sklearn import datasets

    from rocket_hpo.tasks import tabular

    if name == "breast_cancer":
        return tabular.SklearnClassification(name, datasets.load_breast_cancer, 2)
    if name == "wine":
        return tabular.SklearnClassification(name, datasets.load_wine, 3)
    if name == "diabetes":
        return tabular.SklearnRegression(name, datasets.load_diabetes)
    return tabular.ETTh1Regression()


def _anomaly(name: str) -> Task:
    from rocket_hpo.tasks.anomaly import CancerAnomaly, MnistAnomaly

    return MnistAnomaly() if name == "mnist_anomaly" else CancerAnomaly()


def _charlm(dataset: str) -> Task:
    from rocket_hpo.tasks.language_model import CharLanguageModel

    return CharLanguageModel(dataset)


# name -> factory; factories import lazily so listing names stays cheap.
_REGISTRY: dict[str, Callable[[], Task]] = {
    "digits": _digits,
    "mnist": lambda: _image("mnist"),
    "cifar10": lambda: _image("cifar10"),
    "sst2": lambda: _text("sst2"),
    "trec": lambda: _text("trec"),
    "etth1_h24": lambda: _forecast(24),
    "etth1_h168": lambda: _forecast(168),
    "fsdd": lambda: _audio("digit"),
    "fsdd_speaker": lambda: _audio("speaker"),
    "breast_cancer": lambda: _tabular("breast_cancer"),
    "wine": lambda: _tabular("wine"),
    "diabetes": lambda: _tabular("diabetes"),
    "etth1_ot": lambda: _tabular("etth1_ot"),
    "mnist_anomaly": lambda: _anomaly("mnist_anomaly"),
    "cancer_anomaly": lambda: _anomaly("cancer_anomaly"),
    "charlm_sst2": lambda: _charlm("sst2"),
    "charlm_trec": lambda: _charlm("trec"),
    "mnist_full": lambda: _image("mnist_full"),
    "etth1_multi": lambda: _forecast(None),
}

TYPES: dict[str, tuple[str, ...]] = {
    "image classification": ("mnist", "cifar10"),
    "text classification": ("sst2", "trec"),
    "time-series forecasting": ("etth1_h24", "etth1_h168"),
    "audio classification": ("fsdd", "fsdd_speaker"),
    "tabular classification": ("breast_cancer", "wine"),
    "tabular regression": ("diabetes", "etth1_ot"),
    "anomaly detection": ("mnist_anomaly", "cancer_anomaly"),
    "language modelling": ("charlm_sst2", "charlm_trec"),
}
"""The eight task types and their tasks (``digits``, the default, and :data:`DATA_RICH` are
outside them)."""

DATA_RICH: tuple[str, ...] = ("mnist_full", "etth1_multi")
"""Tasks with 50,000 or more training rows and a model cheap per row, for the data-subset
benchmarks: a full-data training takes seconds, and a 1/9 subset still holds thousands of rows."""


def names() -> list[str]:
    """Names of the registered tasks."""
    return sorted(_REGISTRY)


def get(name: str) -> Task:
    """The task called ``name``; a ``KeyError`` listing the known ones otherwise."""
    if name not in _REGISTRY:
        raise KeyError(f"Unknown task {name!r}. Known tasks: {', '.join(names())}.")
    return _REGISTRY[name]()
