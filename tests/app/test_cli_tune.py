"""``rocket tune`` through the command, each way the README offers it: a built-in task with
the default sampler, ``--sampler`` for each optimizer, ``--workers 2``, and a rerun with
``sampler: rocket`` whose agent continues from the stage it saved."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import optuna
import pytest
import torch

from rocket_hpo.agent import META_KEY, read_signals
from rocket_hpo.agent._checkpoint import load_state
from rocket_hpo.app.cli import main
from rocket_hpo.app.samplers import make_sampler
from rocket_hpo.app.tune import trial_line
from rocket_hpo.keys import cost_basis, trial_cost
from rocket_hpo.space import Space

optuna.logging.set_verbosity(optuna.logging.WARNING)

OBJECTIVE = '''
import os


def objective(config, fraction):
    folder = os.environ.get("TUNE_PIDS")
    if folder:  # which process ran the trial
        open(os.path.join(folder, str(os.getpid())), "a").close()
    return -(config["x"] - 0.3) ** 2 - (0.0 if config["kind"] == "a" else 0.1) + 0 * fraction
'''

STUDY = """\
study_name: quad
objective: quad_objective:objective
direction: maximize
space:
  x: {type: float, low: 0.0, high: 1.0}
  kind: {type: categorical, choices: [a, b]}
"""

LADDER = {1 / 27, 1 / 9, 1 / 3, 1.0}


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    (tmp_path / "quad_objective.py").write_text(OBJECTIVE)
    (tmp_path / "quad.yaml").write_text(STUDY)
    return tmp_path / "quad.yaml"


def _stored_stage(study: optuna.Study) -> int:
    return int(study._storage.get_study_system_attrs(study._study_id)[META_KEY]["stage"])


def test_a_built_in_task_with_the_default_sampler_and_a_tiny_budget(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", "digits", "--budget", "0.1", "--storage", url, "--no-reference"]) == 0
    out, err = capfd.readouterr()
    assert "tuning digits" in err and "with rocket" in err
    assert "data subsets: on (fractions 0.037, 0.111, 0.333, 1; new configurations run on the " \
           "full data until checks show a subset ranks like it" in err
    assert "reference" not in err
    study = optuna.load_study(study_name="rocket-digits", storage=url)
    trials = study.trials
    assert trials and all(t.state.name == "COMPLETE" for t in trials)
    fractions = [t.user_attrs["rocket:fraction"] for t in trials]
    # Rocket's ladder: the budget is spent, overshot by one trial at most; a trial costs
    # the compute digits recorded (its rows' share: at least its fraction, by rounding up).
    assert set(fractions) <= LADDER
    costs = [trial_cost(t) for t in trials]
    assert all(c >= f and cost_basis(t) == "compute"
               for c, f, t in zip(costs, fractions, trials, strict=True))
    assert 0.1 <= sum(costs) < 0.1 + max(costs)
    assert {t.user_attrs["rocket:origin"] for t in trials} <= {"policy", "promotion", "check"}
    # The best configuration is printed, one 'name: value' line per hyperparameter.
    best = dict(line.split(": ", 1) for line in out.splitlines())
    assert set(best) == set(study.best_trial.params)


def test_a_task_study_starts_with_the_reference_on_the_full_data_once(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from rocket_hpo.tasks import get

    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", "wine", "--budget", "1.5", "--storage", url]) == 0
    assert "first trial: the task's reference configuration" in capfd.readouterr().err
    study = optuna.load_study(study_name="rocket-wine", storage=url)
    first = study.trials[0]
    assert first.params == get("wine").reference
    assert first.user_attrs["rocket:fraction"] == 1.0
    assert first.user_attrs["rocket:origin"] == "enqueued"
    assert all(t.user_attrs["rocket:origin"] != "enqueued" for t in study.trials[1:])
    # A rerun continues the study; the reference is not run again.
    n = len(study.trials)
    assert main(["tune", "wine", "--budget", "2.5", "--storage", url]) == 0
    assert "reference" not in capfd.readouterr().err
    later = optuna.load_study(study_name="rocket-wine", storage=url).trials
    assert len(later) > n
    assert sum(t.user_attrs["rocket:origin"] == "enqueued" for t in later) == 1


@pytest.mark.parametrize("sampler", ["tpe", "random", "rocket"])
def test_the_sampler_option_picks_the_optimizer(
    sampler: str, study_file: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    argv = ["tune", str(study_file), "--trials", "12", "--seed", "3", "--storage", url]
    assert main([*argv, "--sampler", sampler]) == 0
    err = capfd.readouterr().err
    assert f"with {sampler}, 1 worker(s)" in err
    trials = optuna.load_study(study_name="quad", storage=url).trials
    assert len(trials) == 12
    if sampler == "rocket":
        assert {t.user_attrs["rocket:origin"] for t in trials} <= {"policy", "promotion", "check"}
        assert {t.user_attrs["rocket:fraction"] for t in trials} <= LADDER
        assert min(t.user_attrs["rocket:fraction"] for t in trials) < 1.0  # on the ladder
        # The log says why a configuration ran again on a subset: a check names the
        # full-data trial it re-runs (no subset has been shown to agree in 12 trials).
        for t in trials:
            source = t.user_attrs.get("rocket:check_of", t.user_attrs.get(
                "rocket:promoted_from"))
            line = trial_line(t)
            assert line in err and (source is None) == ("from trial" not in line
                                                        and "check of" not in line)
        assert any(f"check of trial {t.user_attrs['rocket:check_of']}):" in err
                   for t in trials if "rocket:check_of" in t.user_attrs)
        return
    # TPE and random search run on the full data, and propose exactly what that Optuna
    # sampler with the same seed proposes (TPE departs from random search after 10 trials).
    assert all("rocket:origin" not in t.user_attrs for t in trials)
    space = Space.from_dict(optuna.load_study(study_name="quad", storage=url)
                            .user_attrs["rocket:space"])

    def quad(trial: optuna.Trial) -> float:
        c = space.suggest(trial)
        return -(c["x"] - 0.3) ** 2 - (0.0 if c["kind"] == "a" else 0.1)

    replays = {}
    for name, each in (("tpe", optuna.samplers.TPESampler(seed=3)),
                       ("random", optuna.samplers.RandomSampler(seed=3))):
        replay = optuna.create_study(direction="maximize", sampler=each)
        replay.optimize(quad, n_trials=12)
        replays[name] = [t.params for t in replay.trials]
    assert replays["tpe"] != replays["random"]
    assert [t.params for t in trials] == replays[sampler]


def test_two_workers_share_the_trials(
    study_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study_file.write_text(STUDY + "fidelity: {enabled: false}\n")  # every result teaches
    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("TUNE_PIDS", str(pids))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", str(study_file), "--trials", "16", "--workers", "2",
                 "--sampler", "rocket", "--storage", url]) == 0
    study = optuna.load_study(study_name="quad", storage=url)
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == 16 and "RUNNING" not in states
    # Two worker processes, neither of them this one, ran the trials.
    ran = {int(p.name) for p in pids.iterdir()}
    assert len(ran) == 2 and os.getpid() not in ran
    # ... and one agent learned from both: its stored stage counts every worker's results.
    assert _stored_stage(study) >= 2


def _weights(state: bytes) -> dict[str, Any]:
    return dict(torch.load(io.BytesIO(state), weights_only=True)["policy"]["weights"])


def test_a_rerun_with_sampler_rocket_continues_the_agents_stages(
    study_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study_file.write_text(STUDY + "sampler: rocket\nfidelity: {enabled: false}\n")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["tune", str(study_file), "--trials", "10", "--storage", url]) == 0
    study = optuna.load_study(study_name="quad", storage=url)
    saved = load_state(study)
    assert saved is not None and saved[0] == 2  # a stage every 4 results: 8 told at trial 9

    # One more trial: no stage is due (9 told, 8 seen), so the rerun's agent must hold
    # exactly the saved stage and weights.
    built: list[Any] = []

    def keep(*args: Any, **kwargs: Any) -> Any:
        built.append(make_sampler(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr("rocket_hpo.app.tune.make_sampler", keep)
    assert main(["tune", str(study_file), "--trials", "11", "--storage", url]) == 0
    (sampler,) = built
    assert sampler.stage == 2
    mine, stored = _weights(sampler._backend.state_bytes()), _weights(saved[2])
    assert mine.keys() == stored.keys()
    assert all(torch.equal(mine[k], stored[k]) for k in stored)

    assert main(["tune", str(study_file), "--trials", "22", "--storage", url]) == 0
    study = optuna.load_study(study_name="quad", storage=url)
    # Stages went on every 4 results across both reruns (an agent started afresh would have
    # run a stage at once, on the 10 results it had not seen), numbered without a repeat.
    signals = read_signals(study)
    assert [s["n_trials"] for s in signals] == [4, 8, 12, 16, 20]
    assert [s["stage"] for s in signals] == [1, 2, 3, 4, 5]
