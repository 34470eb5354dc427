"""RocketSampler acceptance: determinism, conditional branches, learning signals, resume,
ask/tell with out-of-order tells, define-by-run, failures, and the fidelity hook."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pytest

from rocket_hpo import RocketSampler
from rocket_hpo.agent import SIGNALS_KEY, SIGNALS_PREFIX, AgentSettings, read_signals
from rocket_hpo.fidelity import FIDELITY_PARAM, data_fraction
from rocket_hpo.space import Categorical, Float, Int, Space

optuna.logging.set_verbosity(optuna.logging.WARNING)

SPACE = Space(
    x=Float(-5.0, 5.0),
    lr=Float(1e-5, 1.0, log=True),
    n=Int(1, 64, log=True),
    act=Categorical(["relu", "tanh", "gelu"]),
)


def bowl(c: dict[str, Any]) -> float:
    """Minimised: best at x=1.5, lr=1e-2, n=8, act=tanh."""
    return ((c["x"] - 1.5) ** 2 / 10 + (math.log10(c["lr"]) + 2) ** 2 / 4
            + abs(math.log2(c["n"]) - 3) / 3 + (0.0 if c["act"] == "tanh" else 1.0))


def run(sampler: optuna.samplers.BaseSampler, n: int, **kw: Any) -> optuna.Study:
    study = optuna.create_study(sampler=sampler, **kw)
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=n)
    return study


def test_same_seed_gives_the_same_proposals() -> None:
    a = run(RocketSampler(SPACE, seed=7, n_startup=4), 16)
    b = run(RocketSampler(SPACE, seed=7, n_startup=4), 16)
    c = run(RocketSampler(SPACE, seed=8, n_startup=4), 16)
    assert a.sampler.stage >= 3  # type: ignore[attr-defined]
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]


def test_learns_the_better_branch_and_never_samples_an_inactive_one() -> None:
    space = Space(
        branch=Categorical(["good", "bad"]),
        g=Float(0.0, 1.0, when=("branch", "good")),
        b=Float(0.0, 1.0, when=("branch", "bad")),
        depth=Int(1, 8, when=("branch", "bad")),
    )

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        if c["branch"] == "good":
            return 1.0 - (c["g"] - 0.3) ** 2
        return 0.4 - (c["b"] - 0.5) ** 2

    study = optuna.create_study(direction="maximize", sampler=RocketSampler(space, seed=0))
    study.optimize(objective, n_trials=130)
    for t in study.trials:
        space.validate(t.params)  # inactive hyperparameters are never present
    last = [t.params["branch"] for t in study.trials[-50:]]
    assert last.count("good") >= 45


def test_stored_entropy_falls_and_stage_mean_score_rises() -> None:
    # Seed 4: on some seeds the policy settles on a wrong activation without trying the
    # right one often enough (seeds 10-29: 1 of 20 with the second round's defaults, 0 of
    # 20 with the third's and with the fourth's, benchmarks/agent/entropy_seeds.py; seed 3,
    # used before, is one such seed with the third round's defaults).
    study = run(RocketSampler(SPACE, seed=4), 100)
    signals = read_signals(study)
    assert len(signals) >= 15
    assert [s["stage"] for s in signals] == list(range(1, len(signals) + 1))
    entropy = [s["entropy"] for s in signals]
    assert np.mean(entropy[-4:]) < np.mean(entropy[:4]) - 0.05
    means = [s["group_mean_value"] for s in signals]
    assert np.mean(means[-5:]) < np.mean(means[:5])  # minimised: lower is better
    last = signals[-1]
    # The best value among the trials the last update saw (one worker: the first n).
    seen = [t.value for t in study.trials[: last["n_trials"]] if t.value is not None]
    assert last["best_value"] == pytest.approx(min(seen))
    assert set(last["hyperparameters"]) == set(SPACE)
    probs = last["hyperparameters"]["act"]["probs"]
    assert max(probs, key=probs.get) == "tanh"
    lr = last["hyperparameters"]["lr"]
    assert 1e-5 <= lr["q10"] <= lr["median"] <= lr["q90"] <= 1.0


def test_signals_live_on_trials_so_study_attributes_do_not_grow(tmp_path: Path) -> None:
    # Every trial re-reads the study system attributes; signals stored there made each
    # trial slower as the study grew (SQLite, 150 stages: 1 -> 9.5 ms a read; 0.8 ms now).
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}",
                                sampler=RocketSampler(SPACE, seed=0, n_startup=4))
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=24)
    keys_early = set(study._storage.get_study_system_attrs(study._study_id))
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=24)
    assert set(study._storage.get_study_system_attrs(study._study_id)) == keys_early
    signals = read_signals(study)
    assert [s["stage"] for s in signals] == list(range(1, len(signals) + 1))
    assert len(signals) >= 10
    holders = [t for t in study.trials if SIGNALS_KEY in t.system_attrs]
    assert len(holders) == len(signals)


def test_signals_of_older_studies_are_still_read() -> None:
    study = optuna.create_study()
    study._storage.set_study_system_attr(study._study_id, f"{SIGNALS_PREFIX}000001",
                                         {"stage": 1, "entropy": 0.9})
    trial = study.ask()
    study._storage.set_trial_system_attr(trial._trial_id, SIGNALS_KEY,
                                         {"stage": 2, "entropy": 0.8})
    assert [s["entropy"] for s in read_signals(study)] == [0.9, 0.8]


def test_a_stored_state_that_does_not_fit_warns_once_and_a_new_agent_goes_on(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    run(RocketSampler(SPACE, seed=1, n_startup=4, hidden_size=32), 16, storage=url,
        study_name="s")
    wider = RocketSampler(SPACE, seed=1, n_startup=4, hidden_size=64)
    resumed = optuna.load_study(study_name="s", storage=url, sampler=wider)
    with pytest.warns(UserWarning, match="does not fit this sampler") as caught:
        resumed.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=12)
    assert len([w for w in caught if "does not fit" in str(w.message)]) == 1
    assert len(resumed.trials) == 28
    assert wider.stage >= 1  # its own state now, which a third sampler like it loads
    again = RocketSampler(SPACE, seed=1, n_startup=4, hidden_size=64)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*does not fit")
        optuna.load_study(study_name="s", storage=url, sampler=again).ask()
    assert again.stage >= wider.stage  # loaded (and maybe one more update due)


def test_state_survives_a_reload_from_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    first = RocketSampler(SPACE, seed=1, n_startup=4)
    study = run(first, 18, storage=url, study_name="s")  # mid-stage: 2 of 4 told
    saved_stage = first.stage
    assert saved_stage >= 4
    second = RocketSampler(SPACE, seed=1, n_startup=4)
    assert second.stage == 0
    resumed = optuna.load_study(study_name="s", storage=url, sampler=second)
    trial = resumed.ask()  # loads the saved state before proposing
    assert second.stage == saved_stage
    torch = pytest.importorskip("torch")
    for (k, v), w in zip(first._agent.policy.state_dict().items(),  # type: ignore[union-attr]
                         second._agent.policy.state_dict().values(),  # type: ignore[union-attr]
                         strict=True):
        assert torch.equal(v, w), k
    resumed.tell(trial, bowl(SPACE.suggest(trial)))
    resumed.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    assert second.stage > saved_stage
    assert len(read_signals(study)) == second.stage


def test_ask_tell_with_out_of_order_tells() -> None:
    sampler = RocketSampler(SPACE, seed=2, group_size=4, n_startup=4)
    study = optuna.create_study(sampler=sampler)
    rng = np.random.default_rng(0)
    open_trials: list[tuple[optuna.Trial, float]] = []
    for _ in range(40):
        trial = study.ask()
        open_trials.append((trial, bowl(SPACE.suggest(trial))))
        if len(open_trials) >= 3:  # three workers: tell a random one of the open trials
            t, v = open_trials.pop(int(rng.integers(len(open_trials))))
            study.tell(t, v)
    for t, v in open_trials:
        study.tell(t, v)
    assert sampler.stage >= 6
    assert len(study.trials) == 40
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def test_define_by_run_without_a_space() -> None:
    def objective(trial: optuna.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["linear", "poly"])
        x = trial.suggest_float("x", 0.0, 1.0)
        if kind == "poly":
            degree = trial.suggest_int("degree", 2, 5)
            return (x - 0.7) ** 2 + 0.1 * degree
        return (x - 0.2) ** 2 + 0.05

    sampler = RocketSampler(seed=0)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=60)
    agent = sampler._agent
    assert agent is not None and sampler.stage >= 8
    assert [h.name for h in agent.heads] == ["kind", "x", "degree"]
    assert all(("degree" in t.params) == (t.params["kind"] == "poly") for t in study.trials)
    assert sum(t.params["kind"] == "linear" for t in study.trials[-20:]) >= 14
    assert study.best_value < 0.06


def test_failures_rank_last_and_their_region_is_avoided() -> None:
    space = Space(x=Float(0.0, 1.0), y=Float(0.0, 1.0))

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        if c["x"] > 0.6:
            raise RuntimeError("diverged")
        if c["x"] > 0.4:
            return float("nan")
        return c["x"] + c["y"]  # maximised: the best lies just below the failing region

    study = optuna.create_study(direction="maximize", sampler=RocketSampler(space, seed=5))
    study.optimize(objective, n_trials=100, catch=(RuntimeError,))
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.FAIL in states[:30]
    failing = [t.params["x"] > 0.4 for t in study.trials]
    # Uniform sampling lands in the failing region (x > 0.4) 60 % of the time; the agent
    # (whose critic already screens proposals from trial 8) must do far better at the end.
    assert np.mean(failing[-40:]) < 0.5 * 0.6
    assert np.mean(failing[-40:]) <= np.mean(failing[:20])


@dataclass
class _Assignment:
    fraction: float
    promote: optuna.trial.FrozenTrial | None = None


class _TwoRungs:
    """A minimal scheduler honouring the hook's contract: odd trials at 1/3, even ones at
    full data; every tenth trial promotes the best trial seen at 1/3."""

    def assign(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> _Assignment:
        if trial.number % 10 == 9:
            low = [t for t in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
                   if data_fraction(t) < 1.0]
            if low:
                return _Assignment(1.0, min(low, key=lambda t: t.value))
        return _Assignment(1 / 3 if trial.number % 2 else 1.0)

    def learning_fraction(self, study: optuna.Study) -> float:
        return 1.0


def test_fidelity_hook_sets_the_fraction_promotes_and_learns_at_its_fidelity() -> None:
    sampler = RocketSampler(SPACE, seed=0, fidelity=_TwoRungs())
    study = optuna.create_study(sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        value = bowl(SPACE.suggest(trial))
        return value + (5.0 if data_fraction(trial) < 1.0 else 0.0)

    study.optimize(objective, n_trials=40)
    fractions = [t.user_attrs[FIDELITY_PARAM] for t in study.trials]
    assert fractions[:4] == [1.0, 1 / 3, 1.0, 1 / 3]
    promoted = study.trials[19]
    low = [t for t in study.trials[:19] if t.user_attrs[FIDELITY_PARAM] < 1.0]
    assert promoted.params == min(low, key=lambda t: t.value).params  # type: ignore[arg-type]
    full = sum(f == 1.0 for f in fractions)
    assert read_signals(study)[-1]["n_trials"] == full - 1 or sampler.stage >= 3
    assert all(s["fraction"] == 1.0 for s in read_signals(study))


def test_invalid_arguments_name_the_parameter() -> None:
    with pytest.raises(TypeError, match="'space'"):
        RocketSampler({"x": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'seed'"):
        RocketSampler(SPACE, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'fidelity'"):
        RocketSampler(SPACE, fidelity=object())
    with pytest.raises(TypeError, match="Unknown setting 'groups'"):
        RocketSampler(SPACE, groups=3)
    with pytest.raises(ValueError, match="'group_size' setting must be an integer >= 1"):
        RocketSampler(SPACE, group_size=0)
    with pytest.raises(ValueError, match="'local_prob' setting must be a number in \\[0, 1\\]"):
        AgentSettings(local_prob=1.5)
    with pytest.raises(ValueError, match="'critic_candidates' setting must be an integer >= 0"):
        RocketSampler(SPACE, critic_candidates=-1)
    with pytest.raises(ValueError, match="multi-objective"):
        optuna.create_study(directions=["minimize", "minimize"],
                            sampler=RocketSampler(SPACE)).ask()


def test_warm_start_from_another_study_and_from_a_saved_policy() -> None:
    donor = run(RocketSampler(SPACE, seed=4), 40)
    warm = RocketSampler(SPACE, seed=9, warm_start=donor, n_startup=4)
    study = run(warm, 8)
    signals = read_signals(study)
    assert signals and signals[0]["n_trials"] >= 40  # the donor's trials count from the start
    policy = RocketSampler(SPACE, seed=9, policy_state=donor.sampler.state_bytes())  # type: ignore[attr-defined]
    fresh = run(policy, 8)
    assert fresh.best_value <= run(RocketSampler(SPACE, seed=9), 8).best_value + 1.0


def test_a_pickled_sampler_continues_the_study_as_the_original_would() -> None:
    import pickle

    a = run(RocketSampler(SPACE, seed=3, n_startup=4), 12)
    copy = pickle.loads(pickle.dumps(a.sampler))
    b = optuna.create_study(sampler=copy)
    for t in a.trials:
        b.add_trial(t)
    a.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    b.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
