"""Invalid spaces and configurations are rejected with messages naming the hyperparameter."""

from __future__ import annotations

from typing import Any

import pytest

from rocket_hpo.space import Bool, Categorical, Float, Int, Space, SpaceError


def _space() -> Space:
    return Space(
        lr=Float(1e-5, 1.0, log=True),
        layers=Int(1, 9, step=2),
        optimizer=Categorical(["adam", "sgd"]),
        momentum=Float(0.0, 0.99, when=("optimizer", "sgd")),
        nesterov=Bool(when="momentum"),
    )


@pytest.mark.parametrize(
    ("hps", "fragment"),
    [
        ({"lr": Float(2.0, 1.0)}, "'low' of hyperparameter 'lr' must be <= its 'high'"),
        ({"lr": Float(0.0, 1.0, log=True)}, "'low' of log-scaled hyperparameter 'lr' must be > 0"),
        ({"lr": Float("a", 1.0)}, "'low' of hyperparameter 'lr' must be a number"),
        ({"lr": Float(0.0, float("inf"))}, "'high' of hyperparameter 'lr' must be a finite"),
        ({"lr": Float(0.0, 1.0, log="yes")}, "'log' of hyperparameter 'lr'"),  # type: ignore[arg-type]
        ({"n": Int(1.5, 3)}, "'low' of integer hyperparameter 'n' must be an integer"),
        ({"n": Int(5, 1)}, "'low' of hyperparameter 'n' must be <= its 'high'"),
        ({"n": Int(0, 10, log=True)}, "log-scaled hyperparameter 'n' must be > 0"),
        ({"n": Int(0, 10, step=0)}, "'step' of hyperparameter 'n' must be an integer >= 1"),
        ({"n": Int(0, 10, step=3)}, "range of hyperparameter 'n'"),
        ({"n": Int(1, 10, step=3, log=True)}, "'n' cannot be log-scaled"),
        ({"c": Categorical([])}, "'choices' of hyperparameter 'c' must not be empty"),
        ({"c": Categorical(["a", "a"])}, "'choices' of hyperparameter 'c' contain duplicates"),
        ({"c": Categorical("ab")}, "'choices' of hyperparameter 'c' must be a list"),
        ({"c": Categorical([[1]])}, "choices of hyperparameter 'c' must be strings"),  # type: ignore[list-item]
        ({"m": Float(0, 1, when="opt")}, "'m' has a condition on 'opt', which is not in the space"),
        ({"m": Float(0, 1, when="m")}, "'m' has a condition on itself"),
        (
            {"m": Float(0, 1, when="o"), "o": Categorical(["a", "b"])},
            "'m' has a condition on 'o', which must come before it",
        ),
        (
            {"o": Categorical(["a"]), "m": Float(0, 1, when=("o", "z"))},
            "condition of hyperparameter 'm' on 'o' names the value 'z'",
        ),
        ({"o": Bool(), "m": Float(0, 1, when={"o": []})}, "condition on 'o' must list at least"),
        ({"x": "float"}, "Hyperparameter 'x' must be a Float, Int, Categorical or Bool"),
    ],
)
def test_invalid_spaces_name_the_hyperparameter(hps: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SpaceError, match=None) as err:
        Space(hps)
    assert fragment in str(err.value)


def test_cycle_is_impossible() -> None:
    # A cycle a -> b -> a needs a condition on a later hyperparameter, which is rejected.
    with pytest.raises(SpaceError, match="'a' has a condition on 'b', which must come before"):
        Space(a=Bool(when="b"), b=Bool(when="a"))


def test_duplicate_names_rejected() -> None:
    with pytest.raises(SpaceError, match="'lr' is defined twice"):
        Space({"lr": Float(0, 1)}, lr=Float(0, 2))


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"lr": 2.0, "layers": 1, "optimizer": "adam"}, "'lr' must be a float in [1e-05, 1.0]. Got 2.0"),
        ({"lr": "x", "layers": 1, "optimizer": "adam"}, "'lr' must be a float"),
        ({"lr": 0.1, "layers": 2, "optimizer": "adam"}, "'layers' must be an integer in [1, 9] on a grid of step 2"),
        ({"lr": 0.1, "layers": 1.5, "optimizer": "adam"}, "'layers' must be an integer"),
        ({"lr": 0.1, "layers": 1, "optimizer": "rmsprop"}, "'optimizer' must be one of ['adam', 'sgd']. Got 'rmsprop'"),
        ({"lr": 0.1, "layers": 1}, "'optimizer' is active but missing"),
        ({"lr": 0.1, "layers": 1, "optimizer": "sgd"}, "'momentum' is active but missing"),
        ({"lr": 0.1, "layers": 1, "optimizer": "adam", "momentum": 0.5}, "'momentum' is inactive"),
        ({"lr": 0.1, "layers": 1, "optimizer": "adam", "wd": 0.5}, "'wd' is not in the space"),
        ({"lr": 0.1, "layers": 1, "optimizer": "sgd", "momentum": 0.5, "nesterov": 1}, "'nesterov' must be one of [False, True]"),
    ],
)  # fmt: skip
def test_invalid_configurations_name_the_hyperparameter(config: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SpaceError) as err:
        _space().validate(config)
    assert fragment in str(err.value)


def test_valid_configuration_passes() -> None:
    _space().validate({"lr": 0.1, "layers": 3, "optimizer": "sgd", "momentum": 0.5, "nesterov": True})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"lr": {"type": "flaot", "low": 0, "high": 1}}, "'type' of hyperparameter 'lr' must be one of"),
        ({"lr": {"type": "float", "low": 0, "hihg": 1}}, "'lr' has unknown key 'hihg'"),
        ({"lr": {"type": "float", "low": 0}}, "'lr' is missing the key 'high'"),
        ({"lr": 3}, "'lr' must be a mapping with a 'type'"),
        ({"c": {"type": "categorical", "choices": "a"}}, "'choices' of hyperparameter 'c' must be a list"),
        ({"o": {"type": "bool"}, "m": {"type": "bool", "when": {"o": 1, "p": 2}}}, "'m': A condition must name exactly one parent"),
        ([1, 2], "A space must be a mapping"),
    ],
)  # fmt: skip
def test_from_dict_errors_name_the_key(data: Any, fragment: str) -> None:
    with pytest.raises(SpaceError) as err:
        Space.from_dict(data)
    assert fragment in str(err.value)


def test_yaml_reads_exponent_numbers_written_as_text() -> None:
    sp = Space.from_yaml("lr: {type: float, low: 1e-5, high: 1e-1, log: true}\n")
    assert sp["lr"].to_dict()["low"] == 1e-5


def test_optuna_round_trip_and_suggest() -> None:
    import optuna

    sp = Space(
        lr=Float(1e-5, 1.0, log=True), n=Int(2, 10, step=2), c=Categorical(["a", "b"]), b=Bool()
    )
    assert Space.from_optuna(sp.to_optuna()) == sp
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    space = _space()
    seen_sgd = seen_adam = False
    for _ in range(20):
        trial = study.ask()
        config = space.suggest(trial)
        space.validate(config)
        assert set(trial.params) == set(config)
        seen_sgd |= config["optimizer"] == "sgd"
        seen_adam |= config["optimizer"] == "adam"
        study.tell(trial, 0.0)
    assert seen_sgd and seen_adam
