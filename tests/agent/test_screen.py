"""The Gaussian process that screens the policy's draws, and the screened proposals."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import optuna
import pytest
import torch

from rocket_hpo import RocketSampler
from rocket_hpo.agent._history import Columns, decode, make_context
from rocket_hpo.agent._screen import GaussianProcess, climb, log_expected_improvement
from rocket_hpo.agent.policy import HistoryPolicy
from rocket_hpo.keys import SCREEN_KEY
from rocket_hpo.space import Bool, Categorical, Float, Int, Space

# every type, and a condition two levels deep
NESTED = Space(
    lr=Float(1e-5, 1.0, log=True),
    layers=Int(1, 6),
    opt=Categorical(["adam", "sgd", "rmsprop"]),
    momentum=Float(0.0, 0.99, when=("opt", "sgd")),
    nesterov=Bool(when="momentum"),
)


def test_the_posterior_follows_a_smooth_function_and_knows_where_it_has_not_looked() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 0.6, size=12)
    y = -((x - 0.3) ** 2) * 10
    gp = GaussianProcess.fit(x[:, None], np.zeros(12), (y - y.mean()) / y.std(),
                             np.array([0]))
    grid = np.linspace(0, 1, 101)[:, None]
    mean, std = gp.predict(grid, np.zeros(101))
    assert abs(grid[int(torch.argmax(mean))][0] - 0.3) < 0.05
    assert std[95] > 5 * std[30]  # 0.95 lies far from every observation, 0.3 among them


def test_a_categorical_effect_is_learned_and_inactive_values_do_not_break_the_fit() -> None:
    rng = np.random.default_rng(1)
    choice = rng.integers(0, 3, size=30).astype(float)
    num = rng.random(30)
    num[choice == 2] = np.nan  # inactive unless the choice is 0 or 1
    y = np.where(choice == 1, 1.0, 0.0) + rng.normal(0, 0.05, 30)
    gp = GaussianProcess.fit(np.stack([choice, num], 1), np.zeros(30), y, np.array([3, 0]))
    mean, std = gp.predict(np.array([[0.0, 0.5], [1.0, 0.5], [2.0, np.nan]]), np.zeros(3))
    assert mean[1] > mean[0] + 0.5 and mean[1] > mean[2] + 0.5
    assert torch.isfinite(std).all()


@pytest.mark.parametrize("z", [3.0, 0.0, -2.0, -5.9, -6.1, -12.0, -35.0])
def test_log_expected_improvement_is_exact_far_below_the_incumbent(z: float) -> None:
    mpmath.mp.dps = 60
    zz = mpmath.mpf(z)
    exact = float(mpmath.log(mpmath.npdf(zz) + zz * mpmath.ncdf(zz)) + mpmath.log(2))
    got = log_expected_improvement(torch.tensor([z * 2.0], dtype=torch.float64),
                                   torch.tensor([2.0], dtype=torch.float64), 0.0)
    assert math.isclose(float(got[0]), exact, rel_tol=2e-3, abs_tol=2e-3)


def test_the_screened_proposal_is_a_policy_draw_climbed_in_its_numbers() -> None:
    sampler = RocketSampler(NESTED, seed=0, screen=16)
    backend = sampler._backend
    rng = np.random.default_rng(0)
    cols = Columns.from_space(NESTED)
    units = np.stack([cols.encode(NESTED.sample(rng)) for _ in range(20)])
    scores = rng.normal(size=20)
    scores[:3] = -np.inf  # failed
    ctx = make_context(units, scores, np.ones(20), limit=24)
    draws = decode(backend.policy, cols, [ctx] * 16, range(len(NESTED)), 1.0,
                   np.random.default_rng(5), log_probs=False)[0]
    chosen, record = backend._screened(cols, ctx, 1.0, np.random.default_rng(5))
    assert record is not None and record["draws"] == 16 and record["climbed"] > 0
    start = draws[record["chosen"]]
    choices = cols.n_choices > 0
    assert np.array_equal(chosen[choices], start[choices])  # the choices as drawn
    assert np.array_equal(np.isnan(chosen), np.isnan(start))  # the same ones active
    assert not np.array_equal(chosen, start, equal_nan=True)  # numbers moved
    # climb=0: the draw as it is, the one with the largest expected improvement
    plain = RocketSampler(NESTED, seed=0, screen=16, climb=0)._backend
    chosen, record = plain._screened(cols, ctx, 1.0, np.random.default_rng(5))
    assert record is not None and record["climbed"] == 0
    assert np.array_equal(chosen, draws[record["chosen"]], equal_nan=True)


def test_the_climb_raises_expected_improvement_and_moves_only_active_numbers() -> None:
    rng = np.random.default_rng(0)
    units = np.stack([rng.random(16), rng.integers(0, 3, 16).astype(float), rng.random(16)], 1)
    units[units[:, 1] == 2, 2] = np.nan  # the third is inactive under the third choice
    y = -10 * (units[:, 0] - 0.7) ** 2 + (units[:, 1] == 1)
    y = (y - y.mean()) / y.std()
    gp = GaussianProcess.fit(units, np.zeros(16), y, np.array([0, 3, 0]))
    starts = np.array([[0.1, 0.0, 0.5], [0.2, 2.0, np.nan], [0.15, 1.0, 0.9]])
    mean, std = gp.predict(starts, np.zeros(3))
    before = log_expected_improvement(mean, std, float(y.max())).numpy()

    def grid(j: int, u: np.ndarray) -> np.ndarray:
        return np.round(u * 40) / 40  # as an integer's grid is stored

    i, x, value, moved = climb(gp, starts, before, float(y.max()), 0.0, grid, 6, rng)
    assert moved > 0 and value > before.max()
    assert x[1] == starts[i][1] and np.isnan(x[2]) == np.isnan(starts[i][2])
    assert np.allclose(np.round(x[0] * 40), x[0] * 40)
    mean, std = gp.predict(x[None], np.zeros(1))
    assert math.isclose(float(log_expected_improvement(mean, std, float(y.max()))[0]), value,
                        rel_tol=1e-9)
    # no rounds: the start with the largest expected improvement, unmoved
    i, x, value, moved = climb(gp, starts, before, float(y.max()), 0.0, grid, 0, rng)
    assert (i, moved, value) == (int(before.argmax()), 0, before.max())
    assert np.array_equal(x, starts[i], equal_nan=True)


def test_screened_studies_are_valid_and_repeatable_on_a_nested_space() -> None:
    def run(seed: int) -> list[dict[str, object]]:
        study = optuna.create_study(sampler=RocketSampler(NESTED, seed=seed, screen=16))

        def objective(trial: optuna.Trial) -> float:
            config = NESTED.suggest(trial)
            NESTED.validate(config)  # types, bounds, and exactly the active names
            if config["layers"] == 6:
                raise ValueError("this region fails")
            return float(math.log10(config["lr"]) ** 2 + config["layers"])

        study.optimize(objective, n_trials=12, catch=(ValueError,))
        # screened once three results are in (failures do not count)
        screened = [SCREEN_KEY in t.system_attrs for t in study.trials]
        assert screened[:3] == [False] * 3 and screened[-1]
        return [t.params for t in study.trials]

    assert run(0) == run(0)
    assert run(0) != run(1)


def test_the_screen_is_on_by_default_and_checked() -> None:
    assert RocketSampler(NESTED, seed=0)._backend.settings.screen == 64
    with pytest.raises(ValueError, match="'screen' setting must be an integer >= 0"):
        RocketSampler(NESTED, seed=0, screen=-1)
    assert RocketSampler(NESTED, seed=0)._backend.settings.climb == 4
    with pytest.raises(ValueError, match="'climb' setting must be an integer >= 0"):
        RocketSampler(NESTED, seed=0, climb=-1)
    assert isinstance(HistoryPolicy(), torch.nn.Module)


def test_a_plateau_is_left_to_the_policy_until_two_results_differ() -> None:
    # dl/wine, seed 0: three trainings at the trivial score and one failure; a model fitted
    # to that only learns to avoid the failure and kept the study on the plateau.
    backend = RocketSampler(NESTED, seed=0, screen=16)._backend
    rng = np.random.default_rng(0)
    cols = Columns.from_space(NESTED)
    units = np.stack([cols.encode(NESTED.sample(rng)) for _ in range(4)])
    flat = np.array([0.306, 0.306, 0.306, -np.inf])
    ctx = make_context(units, flat, np.ones(4), limit=24)
    assert backend._screened(cols, ctx, 1.0, np.random.default_rng(5))[1] is None
    ctx = make_context(units, np.array([0.306, 0.889, 0.306, -np.inf]), np.ones(4), limit=24)
    assert backend._screened(cols, ctx, 1.0, np.random.default_rng(5))[1] is not None


def test_a_model_that_cannot_be_fitted_leaves_the_policy_draw(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def singular(*args: object, **kwargs: object) -> GaussianProcess:
        raise torch.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(GaussianProcess, "fit", singular)
    backend = RocketSampler(NESTED, seed=0, screen=16)._backend
    rng = np.random.default_rng(0)
    cols = Columns.from_space(NESTED)
    units = np.stack([cols.encode(NESTED.sample(rng)) for _ in range(6)])
    ctx = make_context(units, rng.normal(size=6), np.ones(6), limit=24)
    draws = decode(backend.policy, cols, [ctx] * 16, range(len(NESTED)), 1.0,
                   np.random.default_rng(5), log_probs=False)[0]
    chosen, record = backend._screened(cols, ctx, 1.0, np.random.default_rng(5))
    assert record is None and np.array_equal(chosen, draws[0], equal_nan=True)


def test_the_model_is_fitted_once_per_stage_and_updated_with_every_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fits: list[tuple[int, bool]] = []  # (results it saw, hyperparameters fitted)
    real = GaussianProcess.fit.__func__  # type: ignore[attr-defined]

    def counted(cls: type[GaussianProcess], units: np.ndarray, *args: object,
                ) -> GaussianProcess:
        fits.append((len(units), len(args) < 4 or args[3] is None))
        return real(cls, units, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(GaussianProcess, "fit", classmethod(counted))
    sampler = RocketSampler(NESTED, seed=0, screen=8, group_size=4)
    study = optuna.create_study(sampler=sampler)
    study.optimize(lambda t: float(sum(len(str(v)) for v in NESTED.suggest(t).values())),
                   n_trials=16)
    sizes = [n for n, _ in fits]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)  # every trial: new data
    fitted = [n for n, full in fits if full]
    # the first screened trial, then one fit per stage (every 4 results)
    assert fitted[0] == sizes[0] and len(fitted) == len({n // 4 for n in sizes})
    with torch.no_grad():  # an update with fixed hyperparameters is the exact posterior
        rng = np.random.default_rng(1)
        cols = Columns.from_space(NESTED)
        units = np.stack([cols.encode(NESTED.sample(rng)) for _ in range(9)])
        y, lf = rng.normal(size=9), np.zeros(9)
        full = GaussianProcess.fit(units[:8], lf[:8], y[:8], cols.n_choices)
        again = GaussianProcess.fit(units, lf, y, cols.n_choices, full.log_params)
        direct = GaussianProcess.fit(units, lf, y, cols.n_choices)
        assert torch.equal(again.log_params, full.log_params)
        mean, _ = again.predict(units, lf)
        assert np.corrcoef(mean.numpy(), y)[0, 1] > 0.5  # it saw the ninth result
        assert not torch.equal(direct.log_params, full.log_params)
