"""Typed hyperparameters, conditions, and the search space that holds them.

A :class:`Space` is an ordered set of named hyperparameters. A hyperparameter may
carry a condition (``when=``) on an earlier one: it exists only when its parent
is active and, if values are given, takes one of them. Conditions nest.

Example:
    >>> space = Space(
    ...     lr=Float(1e-5, 1.0, log=True),
    ...     optimizer=Categorical(["adam", "sgd"]),
    ...     momentum=Float(0.0, 0.99, when=("optimizer", "sgd")),
    ...     nesterov=Bool(when="momentum"),
    ... )
    >>> config = space.sample(seed=0)
    >>> space.validate(config)
    >>> ("momentum" in config) == (config["optimizer"] == "sgd")
    True

The dictionary / YAML form (``Space.from_dict``, ``Space.from_yaml``, ``to_dict``) is
one mapping per hyperparameter, in order::

    lr:        {type: float, low: 1.0e-5, high: 1.0, log: true}
    batch:     {type: int, low: 16, high: 512, log: true}
    layers:    {type: int, low: 1, high: 8, step: 1}
    optimizer: {type: categorical, choices: [adam, sgd]}
    momentum:  {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
    nesterov:  {type: bool, when: momentum}      # exists whenever momentum exists

Numbers written as ``1e-5`` (which YAML reads as text) are accepted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rocket_hpo.space._forms import (
    distributions_of,
    hyperparameters_from_dict,
    hyperparameters_from_optuna,
)
from rocket_hpo.space._hyperparameters import (
    Categorical,
    Config,
    Float,
    Hyperparameter,
    Int,
    SpaceError,
)


class Space:
    """An ordered, validated set of named hyperparameters.

    Args:
        hyperparameters: a mapping of name to hyperparameter, in order (or keywords).

    Raises:
        SpaceError: naming the offending hyperparameter, if the space is invalid.
    """

    def __init__(
        self, hyperparameters: Mapping[str, Hyperparameter] | None = None, **kwargs: Hyperparameter
    ) -> None:
        items: dict[str, Hyperparameter] = {}
        for source in (hyperparameters or {}, kwargs):
            for name, hp in source.items():
                if name in items:
                    raise SpaceError(f"Hyperparameter {name!r} is defined twice.")
                items[name] = hp
        self._hps = items
        self._validate()

    # --- construction ---------------------------------------------------------------
    def _validate(self) -> None:
        seen: list[str] = []
        for name, hp in self._hps.items():
            if not isinstance(name, str) or not name:
                raise SpaceError(f"Hyperparameter names must be non-empty strings. Got {name!r}.")
            if not isinstance(hp, Hyperparameter):
                raise SpaceError(
                    f"Hyperparameter {name!r} must be a Float, Int, Categorical or Bool. "
                    f"Got {hp!r} instead."
                )
            try:
                hp._check(name)
            except SpaceError as e:
                if name in str(e):
                    raise
                raise SpaceError(f"Hyperparameter {name!r}: {e}") from None
            cond = hp.condition
            if cond is not None:
                if cond.parent == name:
                    raise SpaceError(
                        f"Hyperparameter {name!r} has a condition on itself (a cycle)."
                    )
                if cond.parent not in self._hps:
                    raise SpaceError(
                        f"Hyperparameter {name!r} has a condition on {cond.parent!r}, "
                        "which is not in the space."
                    )
                if cond.parent not in seen:
                    raise SpaceError(
                        f"Hyperparameter {name!r} has a condition on {cond.parent!r}, which must "
                        "come before it (conditions may only refer to earlier hyperparameters, "
                        "so they cannot form a cycle)."
                    )
                parent = self._hps[cond.parent]
                if cond.values is not None:
                    for v in cond.values:
                        try:
                            parent.check_value(cond.parent, v)
                        except SpaceError:
                            raise SpaceError(
                                f"The condition of hyperparameter {name!r} on {cond.parent!r} "
                                f"names the value {v!r}, which {cond.parent!r} cannot take."
                            ) from None
            seen.append(name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Space:
        """Build a space from its dictionary form (see the module docstring)."""
        return cls(hyperparameters_from_dict(data))

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> Space:
        """Read a space from a YAML (or JSON) file path, or from YAML text."""
        import yaml

        text = str(path_or_text)
        path = Path(text)
        if "\n" not in text and path.suffix in {".yaml", ".yml", ".json"}:
            if not path.exists():
                raise SpaceError(f"Space file {text!r} does not exist.")
            text = path.read_text()
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise SpaceError(f"Cannot parse the space as YAML: {str(e).splitlines()[0]}") from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: hp.to_dict() for name, hp in self._hps.items()}

    def to_yaml(self) -> str:
        import yaml

        return str(yaml.safe_dump(self.to_dict(), sort_keys=False))

    # --- container protocol ------------------------------------------------------------
    def __iter__(self) -> Iterator[str]:
        return iter(self._hps)

    def __len__(self) -> int:
        return len(self._hps)

    def __contains__(self, name: object) -> bool:
        return name in self._hps

    def __getitem__(self, name: str) -> Hyperparameter:
        return self._hps[name]

    def items(self) -> Iterator[tuple[str, Hyperparameter]]:
        return iter(self._hps.items())

    @property
    def names(self) -> list[str]:
        return list(self._hps)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={hp!r}" for n, hp in self._hps.items())
        return f"Space({inner})"

    # --- configurations ----------------------------------------------------------------
    def is_active(self, name: str, config: Mapping[str, Any]) -> bool:
        """Whether ``name`` exists in a configuration whose earlier values are ``config``."""
        cond = self._hps[name].condition
        return cond is None or cond.holds(config)

    def validate(self, config: Mapping[str, Any]) -> None:
        """Raise :class:`SpaceError` naming the hyperparameter if ``config`` does not fit."""
        if not isinstance(config, Mapping):
            raise SpaceError(f"A configuration must be a mapping. Got {type(config).__name__}.")
        for key in config:
            if key not in self._hps:
                raise SpaceError(
                    f"Hyperparameter {key!r} is not in the space (known: {self.names})."
                )
        present: dict[str, Any] = {}
        for name, hp in self._hps.items():
            active = self.is_active(name, present)
            if active and name not in config:
                raise SpaceError(f"Hyperparameter {name!r} is active but missing.")
            if not active and name in config:
                cond = hp.condition
                assert cond is not None  # an inactive hyperparameter always has a condition
                raise SpaceError(
                    f"Hyperparameter {name!r} is inactive (it exists only when {cond.parent!r} "
                    f"is {'set' if cond.values is None else list(cond.values)}), "
                    f"but was given {config[name]!r}."
                )
            if active:
                hp.check_value(name, config[name])
                present[name] = config[name]

    def sample(self, seed: int | np.random.Generator | None = None) -> Config:
        """One configuration drawn uniformly (log-uniformly where ``log``), honouring conditions."""
        rng = np.random.default_rng(seed)  # a Generator passes through unchanged
        config: Config = {}
        for name, hp in self._hps.items():
            if not self.is_active(name, config):
                continue
            if hp.n_choices:
                config[name] = hp.from_unit(float(rng.random()))
            elif isinstance(hp, Int) and not hp.log:
                n = (int(hp.high) - int(hp.low)) // int(hp.step) + 1
                config[name] = int(hp.low) + int(rng.integers(n)) * int(hp.step)
            elif isinstance(hp, Int):
                # Log-uniform over integers: widen the range so the end values get their share.
                lo = math.log(int(hp.low) - 0.5 + 1e-9)
                hi = math.log(int(hp.high) + 0.5)
                v = int(round(math.exp(lo + rng.random() * (hi - lo))))
                config[name] = min(max(v, int(hp.low)), int(hp.high))
            else:
                config[name] = hp.from_unit(float(rng.random()))
        return config

    def sample_many(self, n: int, seed: int | None = None) -> list[Config]:
        rng = np.random.default_rng(seed)
        return [self.sample(rng) for _ in range(n)]

    # --- encoding -------------------------------------------------------------------------
    @property
    def width(self) -> int:
        """Length of :meth:`encode`'s vector with ``onehot=True``."""
        return sum(hp.n_choices or 1 for hp in self._hps.values())

    def encode(self, config: Mapping[str, Any], onehot: bool = False) -> np.ndarray:
        """Map a configuration to a vector.

        Numeric hyperparameters become their position in ``[0, 1]`` (log position when
        ``log``). Categorical ones become their index, or a one-hot block when
        ``onehot=True``. Inactive hyperparameters are NaN (the whole block when one-hot).
        """
        self.validate(config)
        out: list[float] = []
        for name, hp in self._hps.items():
            active = name in config
            if hp.n_choices and onehot:
                block = [0.0] * hp.n_choices
                if active:
                    block[hp.index(config[name])] = 1.0  # type: ignore[attr-defined]
                else:
                    block = [math.nan] * hp.n_choices
                out.extend(block)
            elif hp.n_choices:
                out.append(float(hp.index(config[name])) if active else math.nan)  # type: ignore[attr-defined]
            else:
                out.append(hp.to_unit(config[name]) if active else math.nan)
        return np.asarray(out, dtype=np.float64)

    def decode(self, vector: Sequence[float] | np.ndarray, onehot: bool = False) -> Config:
        """Inverse of :meth:`encode`; values of inactive hyperparameters are ignored."""
        vec = np.asarray(vector, dtype=np.float64)
        expected = self.width if onehot else len(self._hps)
        if vec.shape != (expected,):
            raise SpaceError(f"Expected a vector of length {expected}. Got shape {vec.shape}.")
        config: Config = {}
        i = 0
        for name, hp in self._hps.items():
            k = hp.n_choices if (hp.n_choices and onehot) else 1
            chunk = vec[i : i + k]
            i += k
            if not self.is_active(name, config):
                continue
            if np.isnan(chunk).any():
                raise SpaceError(f"Hyperparameter {name!r} is active but encoded as NaN.")
            if hp.n_choices:
                idx = int(np.argmax(chunk)) if onehot else int(round(float(chunk[0])))
                if not 0 <= idx < hp.n_choices:
                    raise SpaceError(
                        f"Hyperparameter {name!r} has {hp.n_choices} choices. Got index {idx}."
                    )
                config[name] = hp.choices[idx]  # type: ignore[attr-defined]
            else:
                config[name] = hp.from_unit(float(chunk[0]))
        return config

    # --- Optuna ---------------------------------------------------------------------------
    def to_optuna(self) -> dict[str, Any]:
        """Optuna distributions, one per hyperparameter (Optuna has no conditions: an Optuna
        objective expresses them by which ``suggest_*`` calls it makes; see :meth:`suggest`)."""
        return distributions_of(self._hps)

    @classmethod
    def from_optuna(cls, distributions: Mapping[str, Any]) -> Space:
        """A space (without conditions) from Optuna distributions."""
        return cls(hyperparameters_from_optuna(distributions))

    def suggest(self, trial: Any) -> Config:
        """Ask an Optuna trial for a configuration, making only the active ``suggest_*`` calls."""
        config: Config = {}
        for name, hp in self._hps.items():
            if not self.is_active(name, config):
                continue
            if isinstance(hp, Categorical):
                config[name] = trial.suggest_categorical(name, list(hp.choices))
            elif isinstance(hp, Int):
                config[name] = trial.suggest_int(
                    name, int(hp.low), int(hp.high), step=int(hp.step), log=hp.log
                )
            else:
                assert isinstance(hp, Float)
                config[name] = trial.suggest_float(name, float(hp.low), float(hp.high), log=hp.log)
        return config
