"""Named benchmark suites, and which YAHPO instances the project may run at all.

The YAHPO instances come from the shared split file (``shared/benchmarks/yahpo-split.json``,
or ``$ROCKET_YAHPO_SPLIT``):

* ``yahpo-train``: the split's ``train`` instances, for pretraining only (results on them say
  nothing about Rocket's quality).
* ``yahpo-dev``: every ``dev`` instance, 18 problems: where Rocket's settings are chosen and
  the tables the project reports come from.
* ``yahpo-dev8``: a fixed 8-problem subset of ``yahpo-dev`` covering the four scenarios, for
  runs that cannot afford all 18: the first three lcbench, two rbv2_xgboost, two rbv2_rpart
  and the one iaml_glmnet instance of the split's ``dev`` lists, in the file's order.
* ``synthetic``: mf-prior-bench's Hartmann functions mfh3 and mfh6 (benchmark seed 1).
* ``dl-quick``: Rocket's own deep-learning tasks (``dl/<task>``, all registered ones).

Every YAHPO instance in neither list is **reserved** for evaluation by others:
:func:`check_not_reserved` refuses it unless the caller says ``allow_reserved``.

Why the rbv2 plausibility rule: on some rbv2 instances the YAHPO v1.0.2 surrogate (and the
maximum recorded in ``instance_target_statistics.csv``) reaches accuracy 1.0 in a small
artefact region far above what the dataset allows, so a benchmark there measures luck in
hitting the artefact (DESIGN.md section 6). Only rbv2 instances whose recorded maximum
accuracy lies in [0.6, 0.97] enter a suite. It drops none of the dev instances, and 82 of
108 rbv2_xgboost and 26 of 109 rbv2_rpart train instances.
"""

from __future__ import annotations

import csv
import functools
import json
import os
from pathlib import Path

import numpy as np

from rocket_hpo.errors import UsageError
from rocket_hpo.tasks.base import data_dir, data_file

__all__ = [
    "SPLIT_ENV",
    "SUITES",
    "check_not_reserved",
    "plausible_instances",
    "split_instances",
    "split_part",
    "suite_tasks",
]

SPLIT_ENV = "ROCKET_YAHPO_SPLIT"
SCENARIOS = ("lcbench", "rbv2_xgboost", "rbv2_rpart", "iaml_glmnet")
# How many of each scenario's dev instances yahpo-dev8 takes, in the split file's order.
_DEV8 = {"lcbench": 3, "rbv2_xgboost": 2, "rbv2_rpart": 2, "iaml_glmnet": 1}

SUITES: dict[str, tuple[str, ...]] = {"synthetic": ("mfpb/mfh3", "mfpb/mfh6")}
"""Suites with a fixed list; the YAHPO suites are read from the split file."""


def split_path() -> Path:
    """The split file: ``$ROCKET_YAHPO_SPLIT``, else ``benchmarks/yahpo-split.json`` beside
    the data folder (``shared/``)."""
    if os.environ.get(SPLIT_ENV):
        return Path(os.environ[SPLIT_ENV])
    return data_dir().parent / "benchmarks" / "yahpo-split.json"


@functools.cache
def _split(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    if not path.is_file():
        raise UsageError(
            f"The YAHPO instance split {str(path)!r} was not found; it says which instances "
            f"may be run. Set ${SPLIT_ENV} to the file."
        )
    raw = json.loads(path.read_text())
    return {part: {s: tuple(str(i) for i in ids) for s, ids in raw.get(part, {}).items()}
            for part in ("train", "dev")}


def split_part(part: str) -> dict[str, tuple[str, ...]]:
    """Every scenario's instances in ``part`` (``"train"`` or ``"dev"``); a missing split
    file is a :class:`UsageError` naming it and ``$ROCKET_YAHPO_SPLIT``."""
    return _split(split_path())[part]


def split_instances(part: str, scenario: str) -> tuple[str, ...]:
    """The instances of ``scenario`` in ``part`` (``"train"`` or ``"dev"``), in file order.

    Example:
        >>> split_instances("dev", "iaml_glmnet")
        ('1489',)
    """
    return split_part(part).get(scenario, ())


def plausible_instances(
    scenario: str, seed: int = 6, low: float = 0.6, high: float = 0.97
) -> list[str]:
    """rbv2 instances whose recorded maximum accuracy is in ``[low, high]``, in a seeded order.

    Example:
        >>> plausible_instances("rbv2_xgboost")[:3]
        ['40496', '41212', '4134']
    """
    path = data_file("yahpo/global_statistics/instance_target_statistics.csv")
    with open(path, newline="") as f:
        rows = [
            r for r in csv.DictReader(f)
            if r["scenario"] == scenario and r["metric"] == "acc" and r["statistic"] == "max"
        ]
    eligible = sorted((r["instance"] for r in rows if low <= float(r["value"]) <= high), key=int)
    order = np.random.default_rng(seed).permutation(len(eligible))
    return [eligible[i] for i in order]


def _yahpo_suite(part: str, per_scenario: dict[str, int] | None = None) -> list[str]:
    tasks = []
    for scenario in SCENARIOS:
        ids = split_instances(part, scenario)
        if scenario.startswith("rbv2"):
            plausible = set(plausible_instances(scenario))
            ids = tuple(i for i in ids if i in plausible)
        if per_scenario is not None:
            ids = ids[: per_scenario[scenario]]
        tasks += [f"yahpo/{scenario}/{i}" for i in ids]
    return tasks


def suite_tasks(name: str) -> list[str]:
    """The problem names of suite ``name``."""
    if name == "yahpo-train":
        return _yahpo_suite("train")
    if name == "yahpo-dev":
        return _yahpo_suite("dev")
    if name == "yahpo-dev8":
        return _yahpo_suite("dev", _DEV8)
    if name == "dl-quick":
        from rocket_hpo import tasks

        return [f"dl/{t}" for t in tasks.names()]
    if name not in SUITES:
        known = sorted([*SUITES, "dl-quick", "yahpo-dev", "yahpo-dev8", "yahpo-train"])
        raise UsageError(f"The suite must be one of {known}. Got {name!r} instead.")
    return list(SUITES[name])


def check_not_reserved(task: str, allow_reserved: bool = False) -> None:
    """Raise a :class:`UsageError` if ``task`` is a YAHPO instance outside train and dev.

    Example:
        >>> check_not_reserved("yahpo/lcbench/3945")  # a dev instance: allowed
    """
    parts = task.split("/")
    if allow_reserved or len(parts) != 3 or parts[0] != "yahpo":
        return
    _, scenario, instance = parts
    if instance in split_instances("train", scenario) or instance in split_instances(
        "dev", scenario
    ):
        return
    raise UsageError(
        f"The task {task!r} is a reserved YAHPO instance (in neither the 'train' nor the 'dev' "
        f"list of {str(split_path())!r}); reserved instances are kept for evaluation by others. "
        "Pass --allow-reserved (allow_reserved=True) only if you are that evaluation."
    )
