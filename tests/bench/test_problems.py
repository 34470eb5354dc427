"""Benchmark problems: YAHPO surrogates through onnxruntime, names, fidelity and cost."""

from __future__ import annotations

import math

import pytest

from rocket_hpo.bench.problems import get_problem, normalised_regret
from rocket_hpo.bench.problems.dl import TaskProblem
from rocket_hpo.errors import UsageError
from rocket_hpo.space import Categorical, Float, Int, Space
from rocket_hpo.tasks import DivergenceError, EvalResult, Task

pytest.importorskip("onnxruntime")


def test_lcbench_matches_yahpo_gym_reference_value() -> None:
    # Value printed by yahpo-gym 1.0.2 for this configuration (shared/data/README.md).
    p = get_problem("yahpo/lcbench/3945")
    config = {"batch_size": 128, "learning_rate": 0.01, "max_dropout": 0.1, "max_units": 256,
              "momentum": 0.9, "num_layers": 3, "weight_decay": 0.0001}
    score, cost = p.evaluate(config, fraction=1.0)
    assert score == pytest.approx(89.57303, abs=1e-4)
    assert cost == 1.0
    # 16 of 52 epochs: 88.26 in the same reference, costing 16/52.
    score, cost = p.evaluate(config, fraction=16 / 52)
    assert score == pytest.approx(88.26, abs=0.01)
    assert cost == pytest.approx(16 / 52)


def test_space_keeps_log_scales_and_conditions_and_drops_instance_and_fidelity() -> None:
    p = get_problem("yahpo/rbv2_xgboost/1494")
    names = set(p.space.names)
    assert {"task_id", "trainsize", "repl"}.isdisjoint(names)
    assert isinstance(p.space["eta"], Float) and p.space["eta"].log
    assert isinstance(p.space["nrounds"], Int) and p.space["nrounds"].log
    assert isinstance(p.space["booster"], Categorical)
    cond = p.space["rate_drop"].condition
    assert cond is not None and cond.parent == "booster" and cond.values == ("dart",)
    for config in p.space.sample_many(20, seed=3):
        assert ("rate_drop" in config) == (config["booster"] == "dart")
        score, cost = p.evaluate(config, fraction=0.01)
        assert 0.0 <= score <= 1.0 and math.isfinite(score)
        assert cost == pytest.approx(0.03)  # trainsize is raised to YAHPO's lower bound


def test_minimised_target_and_regret() -> None:
    p = get_problem("yahpo/iaml_glmnet/1489")
    assert p.direction == "minimize"
    assert p.best is not None and p.worst is not None and p.best < p.worst
    assert p.regret(p.best) == 0.0 and p.regret(p.worst) == 1.0
    assert normalised_regret(0.5, best=1.0, worst=0.0, direction="maximize") == 0.5


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("yahpo/lcbench/1", "instance"), ("yahpo/nope/3", "scenario"), ("foo", "problem name")],
)
def test_bad_names_are_usage_errors(name: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        get_problem(name)


@pytest.mark.parametrize("fraction", [0.0, -1.0, 1.5, math.nan])
def test_bad_fraction_is_rejected(fraction: float) -> None:
    p = get_problem("yahpo/lcbench/3945")
    with pytest.raises(UsageError, match="'fraction'"):
        p.evaluate(p.space.sample(seed=0), fraction=fraction)


def test_mfpb_hartmann_reaches_its_optimum_at_full_fidelity() -> None:
    pytest.importorskip("mfpbench")
    p = get_problem("mfpb/mfh6")
    # Known minimiser of the 6-d Hartmann function.
    x = [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]
    score, cost = p.evaluate({f"X_{i}": v for i, v in enumerate(x)}, fraction=1.0)
    assert score == pytest.approx(-3.32237, abs=1e-3) and cost == 1.0
    assert p.regret(score) == pytest.approx(0.0, abs=1e-3)
    _, cost = p.evaluate({f"X_{i}": v for i, v in enumerate(x)}, fraction=0.1)
    assert cost == pytest.approx(0.1)


class _Quadratic(Task):
    """A tiny real task: the score is a smooth function of the config, noisier on less data."""

    name = "quadratic"
    direction = "maximize"

    @property
    def space(self) -> Space:
        return Space(x=Float(-1.0, 1.0), diverge=Categorical(["no", "yes"]))

    @property
    def reference(self) -> dict:
        return {"x": 0.0, "diverge": "no"}

    def evaluate(self, config: dict, *, fraction: float = 1.0, seed: int = 0,
                 test: bool = False) -> EvalResult:
        if config["diverge"] == "yes":
            raise DivergenceError("blew up")
        return EvalResult(score=1.0 - config["x"] ** 2 - 0.1 * (1.0 - fraction), fraction=fraction)


def test_task_problem_costs_its_fraction_and_turns_divergence_into_worst() -> None:
    p = TaskProblem(_Quadratic())
    assert p.name == "dl/quadratic" and p.best is None
    score, cost = p.evaluate({"x": 0.0, "diverge": "no"}, fraction=1 / 3)
    assert score == pytest.approx(1.0 - 0.1 * 2 / 3) and cost == pytest.approx(1 / 3)
    assert p.evaluate({"x": 0.5, "diverge": "yes"}, fraction=1.0) == (-math.inf, 1.0)
    with pytest.raises(UsageError, match="Unknown task"):
        get_problem("dl/no-such-task")


class _RichQuadratic(_Quadratic):
    """The same task declaring a higher bottom rung, as the data-rich tasks do."""

    name = "rich-quadratic"
    min_fraction = 1 / 9

    def evaluate(self, config: dict, *, fraction: float = 1.0, seed: int = 0,
                 test: bool = False) -> EvalResult:
        self.fractions.add(round(fraction, 6))
        return super().evaluate(config, fraction=fraction, seed=seed, test=test)


@pytest.mark.parametrize("optimizer", ["rocket", "rocket-asha", "rocket-gain", "rocket-no-cheap",
                                       "tpe-hyperband", "dehb", "smac-mf"])
def test_multi_fidelity_optimizers_keep_to_the_tasks_bottom_rung(optimizer: str) -> None:
    from rocket_hpo.bench.optimizers import _IMPORTS, ladder_of, run_optimizer

    for module in _IMPORTS[optimizer]:
        pytest.importorskip(module)
    task = _RichQuadratic()
    task.fractions = set()  # type: ignore[attr-defined]
    problem = TaskProblem(task)
    assert ladder_of(problem).fractions == pytest.approx((1 / 9, 1 / 3, 1.0))
    run_optimizer(optimizer, problem, budget=4, seed=0)
    assert round(1 / 9, 6) in task.fractions  # type: ignore[attr-defined]
    assert task.fractions <= {round(1 / 9, 6), round(1 / 3, 6), 1.0}  # type: ignore[attr-defined]


def test_the_data_rich_tasks_declare_a_bottom_rung_of_a_ninth() -> None:
    from rocket_hpo.bench.optimizers import ladder_of

    for name in ("mnist_full", "etth1_multi"):
        assert ladder_of(get_problem(f"dl/{name}")).fractions == pytest.approx((1 / 9, 1 / 3, 1.0))
    assert ladder_of(get_problem("dl/digits")).min_fraction == pytest.approx(1 / 27)
