"""Training tasks for pretraining: synthetic functions over random spaces, YAHPO's ``train``
instances, and surrogates of a team's own finished studies.

A task is a space (as :class:`~rocket_hpo.agent._history.Columns`) and a vectorised
objective over unit-scale rows, oriented so that larger is better, ``-inf`` for a failure.

Example:
    >>> task = SyntheticTask(np.random.default_rng(0))
    >>> rows = task.random_rows(4, np.random.default_rng(1))
    >>> task.score(rows).shape
    (4,)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import optuna
from numpy.typing import NDArray

from rocket_hpo.agent._history import Columns
from rocket_hpo.errors import UsageError
from rocket_hpo.space import Bool, Categorical, Float, Hyperparameter, Int, Space

__all__ = ["StudyTask", "SyntheticTask", "Task", "YahpoTask"]

_Array = NDArray[Any]


class Task:
    """Base: ``columns``, ``name``, and :meth:`score` over (B, D) unit rows."""

    name: str = ""
    columns: Columns

    def score(self, units: _Array) -> _Array:  # pragma: no cover - abstract
        raise NotImplementedError

    def order(self, rng: np.random.Generator) -> list[int]:
        """A random decoding order with every parent before its children (training permutes
        the order so the policy does not learn one)."""
        perm = rng.permutation(len(self.columns.heads))
        depth = [self._depth(j) for j in range(len(perm))]
        return sorted(perm.tolist(), key=lambda j: depth[j])

    def _depth(self, j: int) -> int:
        p = self.columns.parents[j]
        return 0 if p is None else 1 + self._depth(p)

    def random_rows(self, n: int, rng: np.random.Generator) -> _Array:
        """``n`` uniform configurations as unit rows (NaN inactive)."""
        cols = self.columns
        out = np.full((n, len(cols.heads)), np.nan)
        for b in range(n):
            for j in self.order(rng):
                if cols.is_active(j, out[b]):
                    c = int(cols.n_choices[j])
                    out[b, j] = rng.integers(c) if c else cols.snap(j, float(rng.random()))
        return out

    def configs(self, units: _Array) -> list[dict[str, Any]]:
        cols = self.columns
        return [{h.name: cols.value(j, float(u)) for j, (h, u) in enumerate(zip(cols.heads, row,
                 strict=True)) if not math.isnan(u)} for row in units]


def _random_space(rng: np.random.Generator) -> Space:
    """A random mixed space: 1-14 hyperparameters, some conditional on a categorical."""
    n = int(rng.integers(1, 15))
    hps: dict[str, Hyperparameter] = {}
    for i in range(n):
        kind = rng.choice(["float", "float", "int", "cat", "bool"])
        when: Any = None
        cats = [k for k, h in hps.items() if isinstance(h, Categorical)]
        if cats and rng.random() < 0.3:
            parent = str(rng.choice(cats))
            choices = list(hps[parent].choices)  # type: ignore[attr-defined]
            when = (parent, choices[int(rng.integers(len(choices)))])
        if kind == "float":
            log = rng.random() < 0.4
            hp: Hyperparameter = Float(1e-4, 1.0, log=True, when=when) if log \
                else Float(0.0, 1.0, when=when)
        elif kind == "int":
            high = int(rng.choice([3, 8, 20, 100, 1000]))
            hp = Int(1, high, log=high > 20 and rng.random() < 0.5, when=when)
        elif kind == "cat":
            hp = Categorical([f"c{k}" for k in range(int(rng.integers(2, 7)))], when=when)
        else:
            hp = Bool(when=when)
        hps[f"x{i}"] = hp
    return Space(hps)


class SyntheticTask(Task):
    """A random response over a random space: a smooth or rugged random-feature function
    (a draw from a GP-like prior, with irrelevant inputs and categorical effects through
    per-choice embeddings), mixed with a bowl; optional noise and a region that fails."""

    def __init__(self, rng: np.random.Generator, space: Space | None = None) -> None:
        self.space = space or _random_space(rng)
        self.columns = Columns.from_space(self.space)
        self.name = f"synthetic/{len(self.columns.heads)}d"
        n_choices = self.columns.n_choices
        self._embed = [rng.normal(size=(max(int(c), 1), 2)) for c in n_choices]
        width = sum(2 if c else 1 for c in n_choices)
        relevant = rng.random(width) < 0.75
        scale = np.exp(rng.uniform(math.log(0.08), math.log(1.0), width)) / relevant.clip(1e-9)
        m = 64
        self._omega = rng.normal(size=(m, width)) / scale
        self._phase = rng.uniform(0, 2 * math.pi, m)
        self._amp = rng.normal(size=m) / math.sqrt(m)
        self._centre = rng.random(width)
        self._bowl = rng.uniform(0, 1) * relevant
        self._mix = rng.uniform(0.2, 1.0)
        self._fail: tuple[_Array, _Array, float] | None = None
        if rng.random() < 0.3:
            w = rng.normal(size=(16, width)) * 3
            self._fail = (w, rng.uniform(0, 2 * math.pi, 16), 0.0)
            probe = self._fail_value(self._inputs(self.random_rows(256, rng)))
            self._fail = (w, self._fail[1], float(np.quantile(probe, rng.uniform(0.75, 0.9))))
        f = self._clean(self._inputs(self.random_rows(256, rng)))
        self._noise = float(rng.choice([0.0, 0.0, 0.02, 0.1])) * float(f.std() + 1e-9)
        self._rng = rng

    def _inputs(self, units: _Array) -> _Array:
        cols = []
        for j, c in enumerate(self.columns.n_choices):
            u = units[:, j]
            off = np.isnan(u)
            if c:
                e = self._embed[j][np.where(off, 0, u).astype(int)]
                cols.append(np.where(off[:, None], 0.0, e))
            else:
                cols.append(np.where(off, 0.5, u)[:, None])
        return np.concatenate(cols, axis=1)

    def _fail_value(self, z: _Array) -> _Array:
        assert self._fail is not None
        w, phase, _ = self._fail
        return np.asarray(np.cos(z @ w.T + phase).sum(axis=1))

    def _clean(self, z: _Array) -> _Array:
        rough = np.cos(z @ self._omega.T + self._phase) @ self._amp
        bowl = -((z - self._centre) ** 2 * self._bowl).sum(axis=1)
        return np.asarray(self._mix * rough + (1 - self._mix) * bowl)

    def score(self, units: _Array) -> _Array:
        z = self._inputs(units)
        y = self._clean(z) + self._noise * self._rng.normal(size=len(z))
        if self._fail is not None:
            y = np.where(self._fail_value(z) > self._fail[2], -np.inf, y)
        return y


class YahpoTask(Task):
    """A YAHPO surrogate instance at full fidelity (maximising its target)."""

    def __init__(self, scenario: str, instance: str) -> None:
        from rocket_hpo.bench.problems.yahpo import YahpoProblem

        self.problem = YahpoProblem(scenario, instance)
        self.columns = Columns.from_space(self.problem.space)
        self.name = self.problem.name
        self._sign = 1.0 if self.problem.direction == "maximize" else -1.0

    def score(self, units: _Array) -> _Array:
        y = self.problem.scores(self.configs(units))
        return np.where(np.isfinite(y), self._sign * y, -np.inf)


class StudyTask(Task):
    """A finished study as a task: a surrogate fitted to its complete trials (a random
    forest on the unit-scale encoding, as YAHPO's surrogates are fitted to recorded runs)."""

    def __init__(self, study: optuna.Study, space: Space | None = None) -> None:
        from sklearn.ensemble import RandomForestRegressor

        trials = [t for t in study.get_trials(deepcopy=False)
                  if t.state == optuna.trial.TrialState.COMPLETE and t.values is not None
                  and all(math.isfinite(v) for v in t.values)]
        if len(trials) < 10:
            raise ValueError(f"Study {study.study_name!r} has {len(trials)} complete trials; "
                             "a surrogate needs at least 10.")
        if space is None:
            dists: dict[str, Any] = {}
            for t in trials:
                dists.update(t.distributions)
            space = Space.from_optuna(dists)
        self.columns = Columns.from_space(space)
        self.name = f"study/{study.study_name}"
        sign = 1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else -1.0
        x = self._features(np.stack([self.columns.encode(t.params) for t in trials]))
        y = sign * np.array([t.values[0] for t in trials])
        self._model = RandomForestRegressor(n_estimators=64, min_samples_leaf=2, random_state=0)
        self._model.fit(x, y)

    def _features(self, units: _Array) -> _Array:
        return np.where(np.isnan(units), -1.0, units)

    def score(self, units: _Array) -> _Array:
        return np.asarray(self._model.predict(self._features(units)), dtype=np.float64)


def training_tasks(sources: Sequence[str], exclude: Sequence[str] = ()) -> list[Task]:
    """The fixed tasks of ``sources`` (``yahpo-train``, less the scenarios in ``exclude``);
    synthetic tasks are drawn fresh."""
    tasks: list[Task] = []
    if "yahpo-train" in sources:
        from rocket_hpo.bench.suites import split_part

        split = split_part("train")
        unknown = [s for s in exclude if s not in split]
        if unknown:
            raise UsageError(f"No YAHPO scenario {unknown[0]!r} in the train split; it has: "
                             f"{', '.join(sorted(split))}.")
        for scenario, ids in split.items():
            if scenario not in exclude:
                tasks += [YahpoTask(scenario, i) for i in ids]
    return tasks
