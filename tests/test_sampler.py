"""RocketSampler acceptance: determinism, where trials come from, conditional branches,
learning signals, resume, ask/tell with out-of-order tells, define-by-run, failures, the
fidelity hook, and the choice of starting weights."""

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
    a = run(RocketSampler(SPACE, seed=7), 16)
    b = run(RocketSampler(SPACE, seed=7), 16)
    c = run(RocketSampler(SPACE, seed=8), 16)
    assert a.sampler.stage == 3  # type: ignore[attr-defined]  # 12 told when trial 16 starts
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]


def test_every_trial_is_the_policys_and_records_where_it_came_from() -> None:
    study = run(RocketSampler(SPACE, seed=1), 6)
    study.enqueue_trial({"x": 0.0, "lr": 0.1, "n": 4, "act": "relu"})
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=2)
    origins = [t.user_attrs["rocket:origin"] for t in study.trials]
    assert origins == ["policy"] * 6 + ["enqueued", "policy"]


def test_conditional_hyperparameters_are_decoded_only_when_active() -> None:
    space = Space(
        branch=Categorical(["good", "bad"]),
        g=Float(0.0, 1.0, when=("branch", "good")),
        b=Float(0.0, 1.0, when=("branch", "bad")),
        depth=Int(1, 8, when="b"),
    )

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        if c["branch"] == "good":
            return 1.0 - (c["g"] - 0.3) ** 2
        return 0.4 - (c["b"] - 0.5) ** 2

    good = {"rocket": 0, "random": 0}
    for seed in range(3):
        for name, sampler in (("rocket", RocketSampler(space, seed=seed)),
                              ("random", optuna.samplers.RandomSampler(seed=seed))):
            study = optuna.create_study(direction="maximize", sampler=sampler)
            study.optimize(objective, n_trials=40)
            for t in study.trials:
                space.validate(t.params)  # inactive hyperparameters are never present
            good[name] += [t.params["branch"] for t in study.trials[-15:]].count("good")
    # The better branch is taken more once results say so. Uniform draws take it in half of
    # the last 45 trials: 32 or more with probability 0.3 %. (Measured: 41 against random
    # search's 28; 21 with the policy's draws made uniform.)
    assert good["rocket"] >= 32 and good["rocket"] > good["random"]


def test_stage_signals_describe_the_policy() -> None:
    study = run(RocketSampler(SPACE, seed=4), 30)
    signals = read_signals(study)
    assert [s["stage"] for s in signals] == list(range(1, 8))
    last = signals[-1]
    assert last["n_trials"] == 28  # stage 7 ran when trial 29 started: 28 finished
    seen = [t.value for t in study.trials[:28] if t.value is not None]
    assert last["best_value"] == pytest.approx(min(seen))
    assert last["group_size"] == 4
    assert set(last["hyperparameters"]) == set(SPACE)
    assert sum(last["hyperparameters"]["act"]["probs"].values()) == pytest.approx(1.0)
    lr = last["hyperparameters"]["lr"]
    assert 1e-5 <= lr["q10"] <= lr["median"] <= lr["q90"] <= 1.0
    assert 0.0 < last["entropy"] <= 1.0 and math.isfinite(last["kl"])


def test_signals_live_on_trials_so_study_attributes_do_not_grow(tmp_path: Path) -> None:
    # Every trial re-reads the study system attributes; signals stored there made each
    # trial slower as the study grew (SQLite, 150 stages: 1 -> 9.5 ms a read; 0.8 ms now).
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}",
                                sampler=RocketSampler(SPACE, seed=0))
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=12)
    keys_early = set(study._storage.get_study_system_attrs(study._study_id))
    study.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=12)
    assert set(study._storage.get_study_system_attrs(study._study_id)) == keys_early
    signals = read_signals(study)
    assert [s["stage"] for s in signals] == list(range(1, 6))
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


def test_a_state_of_the_earlier_agent_is_refused_with_one_warning(tmp_path: Path) -> None:
    from rocket_hpo.agent._checkpoint import save_state

    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = run(optuna.samplers.RandomSampler(seed=0), 8, storage=url, study_name="s")
    save_state(study, b"a state the earlier GRU agent wrote", stage=5, build=0)
    sampler = RocketSampler(SPACE, seed=1)
    resumed = optuna.load_study(study_name="s", storage=url, sampler=sampler)
    with pytest.warns(UserWarning, match="does not fit") as caught:
        resumed.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    assert len([w for w in caught if "does not fit" in str(w.message)]) == 1
    assert len(resumed.trials) == 16
    assert sampler.stage >= 1  # its own stages now; the next sampler loads them silently
    again = RocketSampler(SPACE, seed=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*does not fit")
        optuna.load_study(study_name="s", storage=url, sampler=again).ask()
    assert again.stage >= sampler.stage


def test_a_resumed_study_continues_from_its_saved_stage(tmp_path: Path) -> None:
    import torch

    url = f"sqlite:///{tmp_path / 'study.db'}"
    first = RocketSampler(SPACE, seed=1)
    study = run(first, 18, storage=url, study_name="s")  # mid-stage: 2 of 4 told
    assert first.stage == 4
    second = RocketSampler(SPACE, seed=1)
    resumed = optuna.load_study(study_name="s", storage=url, sampler=second)
    trial = resumed.ask()  # loads the saved state before proposing
    assert second.stage == 4
    a = first._backend.policy.state_dict()
    b = second._backend.policy.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    resumed.tell(trial, bowl(SPACE.suggest(trial)))
    resumed.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=5)
    assert second.stage == 5
    assert len(read_signals(study)) == 5


def test_ask_tell_with_out_of_order_tells() -> None:
    sampler = RocketSampler(SPACE, seed=2, group_size=4)
    study = optuna.create_study(sampler=sampler)
    rng = np.random.default_rng(0)
    open_trials: list[tuple[optuna.Trial, float]] = []
    for _ in range(30):
        trial = study.ask()
        open_trials.append((trial, bowl(SPACE.suggest(trial))))
        if len(open_trials) >= 3:  # three workers: tell a random one of the open trials
            t, v = open_trials.pop(int(rng.integers(len(open_trials))))
            study.tell(t, v)
    for t, v in open_trials:
        study.tell(t, v)
    assert sampler.stage == 6  # 28 told when the last trial started
    assert len(study.trials) == 30
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def test_define_by_run_without_a_space() -> None:
    def objective(trial: optuna.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["linear", "poly"])
        x = trial.suggest_float("x", 0.0, 1.0)
        if kind == "poly":
            degree = trial.suggest_int("degree", 2, 5)
            return (x - 0.7) ** 2 + 0.1 * degree
        return (x - 0.2) ** 2 + 0.05

    near = {"rocket": 0, "random": 0}
    for seed in range(8):
        sampler = RocketSampler(seed=seed)
        for name, each in (("rocket", sampler), ("random", optuna.samplers.RandomSampler(seed))):
            study = optuna.create_study(sampler=each)
            study.optimize(objective, n_trials=30)
            assert all(("degree" in t.params) == (t.params["kind"] == "poly")
                       for t in study.trials)
            near[name] += sum(t.params["kind"] == "linear" and abs(t.params["x"] - 0.2) < 0.1
                              for t in study.trials[-10:])
            if name == "rocket":
                assert sampler.stage == 7
                # The last trial's columns, in order of appearance, are forgotten once told.
                assert sampler._backend.proposals == {}
                assert sampler._backend._columns(study.trials).names == ["kind", "x", "degree"]
    # Near the better branch's optimum: uniform draws land there in 1 of 10 trials, 8 of the
    # last 80 over the eight seeds, 16 or more with probability 0.4 %. The policy lands there
    # 3.7 times in 10 on average (seeds 12-51, before and after the vectorised sampler: 151
    # and 146 in 40 seeds), but a seed's count spreads from 0 to 10, so three seeds were too
    # few: after the random stream changed they gave 5 (seeds 0-7 now give 19).
    assert near["rocket"] >= 16 and near["rocket"] > near["random"]


def test_failures_rank_last_and_their_region_is_avoided() -> None:
    space = Space(x=Float(0.0, 1.0), y=Float(0.0, 1.0))

    def objective(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        if c["x"] > 0.6:
            raise RuntimeError("diverged")
        if c["x"] > 0.5:
            return float("nan")
        return -((c["x"] - 0.3) ** 2) - (c["y"] - 0.8) ** 2

    late = 0
    for seed in range(3):
        study = optuna.create_study(direction="maximize",
                                    sampler=RocketSampler(space, seed=seed))
        study.optimize(objective, n_trials=50, catch=(RuntimeError,))
        failing = [t.params["x"] > 0.5 for t in study.trials]
        assert any(failing[:15])
        late += sum(failing[-25:])
    # Uniform draws fail half of the time: 37.5 of the last 75 expected, 18 or fewer with
    # probability below 0.01 %. (Measured at the shipped weights: 6; without the in-study
    # updates, 25, so it is the study's own updates that learn this.)
    assert late <= 18


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
    assert promoted.user_attrs["rocket:origin"] == "promotion"
    low = [t for t in study.trials[:19] if t.user_attrs[FIDELITY_PARAM] < 1.0]
    assert promoted.params == min(low, key=lambda t: t.value).params  # type: ignore[arg-type]
    signals = read_signals(study)
    # Full-data trials (20 even + 2 promotions, minus the last one running) drive stages.
    assert [s["n_trials"] for s in signals] == [4, 8, 12, 16, 20]
    assert all(s["fraction"] == 1.0 for s in signals)


def test_invalid_arguments_name_the_parameter() -> None:
    with pytest.raises(TypeError, match="'space'"):
        RocketSampler({"x": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'seed'"):
        RocketSampler(SPACE, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'fidelity'"):
        RocketSampler(SPACE, fidelity=object())
    with pytest.raises(TypeError, match="'pretrained'"):
        RocketSampler(SPACE, pretrained="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Unknown setting 'groups'"):
        RocketSampler(SPACE, groups=3)
    with pytest.raises(ValueError, match="'group_size' setting must be an integer >= 1"):
        RocketSampler(SPACE, group_size=0)
    with pytest.raises(ValueError, match="'update_steps' setting must be an integer >= 0"):
        AgentSettings(update_steps=-1)
    with pytest.raises(ValueError, match="'cheap_results' setting must be True or False"):
        RocketSampler(SPACE, cheap_results="no")
    with pytest.raises(ValueError, match="'kl_coef' setting must be a finite number >= 0"):
        RocketSampler(SPACE, kl_coef=float("nan"))
    with pytest.raises(ValueError, match="No policy weights at"):
        RocketSampler(SPACE, policy_path="/nonexistent/weights.pt")
    with pytest.raises(ValueError, match="multi-objective"):
        optuna.create_study(directions=["minimize", "minimize"],
                            sampler=RocketSampler(SPACE)).ask()


def test_pretrained_scratch_and_other_weights(tmp_path: Path) -> None:
    import torch

    from rocket_hpo.agent._weights import save_weights
    from rocket_hpo.agent.policy import HistoryPolicy

    shipped = RocketSampler(SPACE, seed=0)._backend.policy.state_dict()
    scratch = RocketSampler(SPACE, seed=0, pretrained=False)._backend.policy.state_dict()
    assert not all(torch.equal(shipped[k], scratch[k]) for k in shipped)
    other = HistoryPolicy(width=8, layers=1)
    save_weights(other, tmp_path / "mine.pt", {"command": "test"})
    loaded = RocketSampler(SPACE, seed=0, policy_path=str(tmp_path / "mine.pt"))
    assert loaded._backend.policy.config == {"width": 8, "layers": 1}
    run(loaded, 6)  # and it proposes


def test_warm_start_from_another_study_and_from_a_saved_policy() -> None:
    import torch

    donor = run(RocketSampler(SPACE, seed=4), 12)
    warm = RocketSampler(SPACE, seed=9, warm_start=donor)
    study = run(warm, 2)
    assert read_signals(study)[0]["n_trials"] == 12  # the donor's 12 count from the start
    state = donor.sampler.state_bytes()  # type: ignore[attr-defined]
    started = RocketSampler(SPACE, seed=9, policy_state=state)
    a = donor.sampler._backend.policy.state_dict()  # type: ignore[attr-defined]
    b = started._backend.policy.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert started.stage == 0  # stages count afresh in the new study


def test_a_pickled_sampler_continues_the_study_as_the_original_would() -> None:
    import pickle

    a = run(RocketSampler(SPACE, seed=3), 12)
    copy = pickle.loads(pickle.dumps(a.sampler))
    b = optuna.create_study(sampler=copy)
    for t in a.trials:
        b.add_trial(t)
    a.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    b.optimize(lambda t: bowl(SPACE.suggest(t)), n_trials=8)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
