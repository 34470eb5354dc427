"""The dictionary (YAML) and Optuna forms of a space's hyperparameters, read and written
for :class:`~rocket_hpo.space.Space`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rocket_hpo.space._hyperparameters import (
    Bool,
    Categorical,
    Float,
    Hyperparameter,
    Int,
    SpaceError,
    _parse_condition,
)

__all__ = ["distributions_of", "hyperparameters_from_dict", "hyperparameters_from_optuna"]

_KINDS: dict[str, type[Hyperparameter]] = {
    "float": Float,
    "int": Int,
    "categorical": Categorical,
    "bool": Bool,
}
_FIELDS: dict[str, tuple[set[str], set[str]]] = {  # required, optional (besides type/when)
    "float": ({"low", "high"}, {"log"}),
    "int": ({"low", "high"}, {"log", "step"}),
    "categorical": ({"choices"}, set()),
    "bool": (set(), set()),
}


def hyperparameters_from_dict(data: Mapping[str, Any]) -> dict[str, Hyperparameter]:
    """The hyperparameters of a space's dictionary form, in order."""
    if not isinstance(data, Mapping):
        raise SpaceError(
            f"A space must be a mapping of hyperparameter names to their definitions. "
            f"Got {type(data).__name__} instead."
        )
    hps: dict[str, Hyperparameter] = {}
    for name, spec in data.items():
        if not isinstance(spec, Mapping):
            raise SpaceError(
                f"Hyperparameter {name!r} must be a mapping with a 'type'. Got {spec!r}."
            )
        kind = spec.get("type")
        if not isinstance(kind, str) or kind not in _KINDS:
            raise SpaceError(
                f"The 'type' of hyperparameter {name!r} must be one of {sorted(_KINDS)}. "
                f"Got {kind!r} instead."
            )
        required, optional = _FIELDS[kind]
        keys = set(spec) - {"type", "when"}
        unknown = sorted(keys - required - optional)
        if unknown:
            raise SpaceError(
                f"Hyperparameter {name!r} has unknown key {unknown[0]!r}; a {kind} takes "
                f"{sorted(required | optional | {'when'})}."
            )
        missing = sorted(required - keys)
        if missing:
            raise SpaceError(f"Hyperparameter {name!r} is missing the key {missing[0]!r}.")
        args = {k: spec[k] for k in keys}
        if "when" in spec:
            try:
                args["when"] = _parse_condition(spec["when"])
            except SpaceError as e:
                raise SpaceError(f"Hyperparameter {name!r}: {e}") from None
        hps[str(name)] = _KINDS[kind](**args)
    return hps


def _optuna_kinds() -> tuple[Any, Any, Any]:
    """Optuna's categorical, float and int distributions (imported on use: a space alone
    does not need Optuna)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    return CategoricalDistribution, FloatDistribution, IntDistribution


def distributions_of(hps: Mapping[str, Hyperparameter]) -> dict[str, Any]:
    """One Optuna distribution per hyperparameter."""
    CategoricalDistribution, FloatDistribution, IntDistribution = _optuna_kinds()
    out: dict[str, Any] = {}
    for name, hp in hps.items():
        if isinstance(hp, Categorical):
            out[name] = CategoricalDistribution(list(hp.choices))
        elif isinstance(hp, Int):
            out[name] = IntDistribution(
                int(hp.low), int(hp.high), log=hp.log, step=int(hp.step)
            )
        else:
            assert isinstance(hp, Float)
            out[name] = FloatDistribution(float(hp.low), float(hp.high), log=hp.log)
    return out


def hyperparameters_from_optuna(distributions: Mapping[str, Any]) -> dict[str, Hyperparameter]:
    """Hyperparameters (without conditions) from Optuna distributions."""
    CategoricalDistribution, FloatDistribution, IntDistribution = _optuna_kinds()
    hps: dict[str, Hyperparameter] = {}
    for name, d in distributions.items():
        if isinstance(d, CategoricalDistribution):
            choices = list(d.choices)
            hps[name] = Bool() if choices == [False, True] else Categorical(choices)
        elif isinstance(d, IntDistribution):
            hps[name] = Int(d.low, d.high, log=d.log, step=d.step)
        elif isinstance(d, FloatDistribution):
            if d.step is not None:
                raise SpaceError(
                    f"Hyperparameter {name!r}: stepped float distributions are not supported."
                )
            hps[name] = Float(d.low, d.high, log=d.log)
        else:
            raise SpaceError(f"Hyperparameter {name!r} has an unsupported distribution {d!r}.")
    return hps
