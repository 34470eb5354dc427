"""RocketSampler(policy="llm"): the same study, storage, resume and report as the compact one."""

from __future__ import annotations

import math

import optuna
import pytest

from rocket_hpo import RocketSampler
from rocket_hpo.agent import META_KEY, read_signals
from rocket_hpo.agent.llm import LLMSettings
from rocket_hpo.agent.llm.tiny import save_tiny
from rocket_hpo.space import Bool, Categorical, Float, Int, Space

SPACE = Space(
    opt=Categorical(["adam", "sgd"]),
    lr=Float(1e-4, 1.0, log=True),
    momentum=Float(0.0, 0.99, when=("opt", "sgd")),
    nesterov=Bool(when="momentum"),
    layers=Int(1, 6),
)


def objective(trial):
    c = SPACE.suggest(trial)
    if c["layers"] == 1:
        raise ValueError("a failing region")
    return abs(math.log10(c["lr"]) + 2.0) + (0.0 if c["opt"] == "sgd" else 1.0)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return str(save_tiny(tmp_path_factory.mktemp("tiny")))


def _sampler(model_path, seed=0):
    return RocketSampler(SPACE, seed=seed, policy="llm", model_path=model_path,
                         settings=LLMSettings(prompt_best=3, prompt_recent=2), group_size=4)


def _run(study, n):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(objective, n_trials=n, catch=(ValueError,))


def test_study_with_the_llm_policy_stores_state_and_signals_and_resumes(model_path, tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(storage=storage, study_name="s", sampler=_sampler(model_path))
    _run(study, 9)
    trials = study.get_trials()
    for t in trials:
        SPACE.validate(t.params)  # every proposal valid, conditional keys exactly when active
    assert study.sampler.stage == 2
    attrs = study._storage.get_study_system_attrs(study._study_id)
    assert attrs[META_KEY]["stage"] == 2
    signals = read_signals(study)
    assert [s["stage"] for s in signals] == [1, 2] and signals[0]["policy"] == "llm"
    assert set(signals[0]["hyperparameters"]) >= {"opt", "lr", "layers"}

    from rocket_hpo.report._learning import read_agent_stages

    stages = read_agent_stages(study, SPACE)
    assert stages is not None and stages.stage == [1, 2] and "opt" in stages.distributions

    # Another process (a new sampler on the same storage) continues from the saved state.
    resumed = optuna.load_study(study_name="s", storage=storage, sampler=_sampler(model_path, 7))
    _run(resumed, 4)
    assert resumed.sampler.stage == 3
    assert len(resumed.trials) == 13


def test_same_seed_same_proposals(model_path):
    def params(seed):
        study = optuna.create_study(sampler=_sampler(model_path, seed))
        _run(study, 3)
        return [t.params for t in study.trials]

    assert params(1) == params(1)
    assert params(1) != params(2)


def test_llm_policy_arguments_are_checked(model_path, tmp_path):
    with pytest.raises(ValueError, match="'policy' parameter must be 'compact' or 'llm'"):
        RocketSampler(SPACE, policy="gpt")
    with pytest.raises(ValueError, match="needs 'model_path'"):
        RocketSampler(SPACE, policy="llm")
    with pytest.raises(ValueError, match="needs a 'space'"):
        RocketSampler(policy="llm", model_path=model_path)
    with pytest.raises(ValueError, match="only used with policy='llm'"):
        RocketSampler(SPACE, model_path=model_path)
    with pytest.raises(ValueError, match="must be a local directory"):
        RocketSampler(SPACE, policy="llm", model_path=str(tmp_path / "missing"))
    with pytest.raises(TypeError, match="Unknown setting 'n_bins'"):
        RocketSampler(SPACE, policy="llm", model_path=model_path, n_bins=8)


def test_llm_policy_under_the_subset_scheduler(model_path):
    """Fidelity is the sampler's, whatever the backend: fractions, promotions, transfer."""
    from rocket_hpo.fidelity import FIDELITY_PARAM, Ladder, Scale, SubsetScheduler, TransferRules
    from rocket_hpo.keys import PROMOTED_FROM

    space = Space(x=Float(0.0, 1.0), steps=Int(1, 1000, log=True))
    scheduler = SubsetScheduler(Ladder(1 / 9, 3), transfer=TransferRules(Scale("steps")),
                                promotion="asha")
    sampler = RocketSampler(space, seed=0, fidelity=scheduler, policy="llm",
                            model_path=model_path, group_size=4, prompt_best=3, prompt_recent=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: space.suggest(t)["x"], n_trials=14)
    fractions = {round(t.user_attrs[FIDELITY_PARAM], 4) for t in study.trials}
    assert fractions >= {round(1 / 9, 4), round(1 / 3, 4)}
    promoted = [t for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert promoted
    for t in promoted:
        src = study.trials[t.user_attrs[PROMOTED_FROM]]
        assert t.params["x"] == src.params["x"]
        assert t.params["steps"] == min(3 * src.params["steps"], 1000)
    # The policy learns only from the fidelity the scheduler trusts, in groups of 4.
    learn_at = scheduler.learning_fraction(study)
    n_learn = sum(math.isclose(t.user_attrs[FIDELITY_PARAM], learn_at) for t in study.trials)
    assert sampler.stage <= n_learn // 4
    for t in study.trials:
        space.validate(t.params)


def test_trials_failing_before_asking_everything_count_as_failures(model_path):
    def objective_failing_early(trial):
        if trial.suggest_categorical("opt", ["adam", "sgd"]) == "adam":
            raise ValueError("fails before asking for the rest")
        return objective(trial)

    sampler = _sampler(model_path, seed=3)
    study = optuna.create_study(sampler=sampler)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(objective_failing_early, n_trials=5, catch=(ValueError,))
    first_group = study.trials[:4]
    early = [t for t in first_group if t.params["opt"] == "adam"]
    assert early and all(set(t.params) == {"opt"} for t in early)
    (signals,) = read_signals(study)
    assert signals["group_size"] == 4  # the early failures are in the group, ranked last
    assert signals["n_failed"] >= len(early)


def test_llm_policy_learns_at_the_fidelity_the_hook_names(model_path):
    """Any fidelity hook (assign / learning_fraction) drives the LLM backend as it does the
    compact one: trials carry their fraction, and the policy learns from one fraction only."""
    from types import SimpleNamespace

    from rocket_hpo.fidelity import FIDELITY_PARAM

    class Alternate:
        def assign(self, study, trial):
            return SimpleNamespace(fraction=1 / 3 if trial.number % 2 == 0 else 1.0,
                                   promote=None)

        def learning_fraction(self, study):
            return 1 / 3

    sampler = RocketSampler(SPACE, seed=0, fidelity=Alternate(), policy="llm",
                            model_path=model_path, group_size=4, prompt_best=3, prompt_recent=0)
    study = optuna.create_study(sampler=sampler)
    _run(study, 10)
    assert [t.user_attrs[FIDELITY_PARAM] for t in study.trials[:2]] == [1 / 3, 1.0]
    assert sampler.stage == 1  # 5 trials at 1/3: one group of 4 learnt from
    (signals,) = read_signals(study)
    assert signals["fraction"] == 1 / 3 and signals["group_size"] == 4


STUDY = """\
study_name: llm
objective: llm_objective:objective
space:
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  opt: {type: categorical, choices: [sgd, adam]}
sampler: rocket
fidelity: {enabled: false}
trials: 6
seed: 0
"""

OBJECTIVE = """\
import math
def objective(config):
    return -abs(math.log10(config["lr"]) + 2.0) - (0.0 if config["opt"] == "sgd" else 1.0)
"""


def _study_file(folder, agent: str) -> str:
    """STUDY with this ``agent`` section (line 10), next to its objective module."""
    (folder / "llm_objective.py").write_text(OBJECTIVE)
    (folder / "llm.yaml").write_text(STUDY + f"agent: {agent}\n")
    return str(folder / "llm.yaml")


def test_a_study_file_chooses_the_llm_policy_with_a_relative_model_path(model_path, tmp_path):
    import shutil

    from rocket_hpo.app.cli import main

    shutil.copytree(model_path, tmp_path / "models" / "tiny")
    path = _study_file(tmp_path, "{policy: llm, model_path: models/tiny, prompt_best: 2, "
                                 "group_size: 2}")
    url = f"sqlite:///{tmp_path / 'llm.db'}"
    assert main(["tune", path, "--storage", url]) == 0
    study = optuna.load_study(study_name="llm", storage=url)
    assert len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))) == 6
    signals = read_signals(study)  # group_size 2 after n_startup: learnt in stages
    assert signals and all(s["policy"] == "llm" for s in signals)


@pytest.mark.parametrize(("agent", "key", "message"), [
    ("{policy: llm}", "agent", "needs 'model_path'"),
    ("{policy: gpt, model_path: m}", "agent.policy", "'compact' or 'llm'"),
    ("{model_path: m}", "agent.model_path", "only used with policy='llm'"),
    ("{policy: llm, model_path: m, group_sise: 2}", "agent.group_sise", "Unknown setting"),
])
def test_study_file_agent_policy_mistakes_name_the_key(tmp_path, agent, key, message):
    from rocket_hpo.app.study_file import StudyFileError, load_study_file

    with pytest.raises(StudyFileError, match=rf":10: key '{key}': .*{message}"):
        load_study_file(_study_file(tmp_path, agent))


def test_study_file_llm_policy_without_the_extra_is_one_clear_error(tmp_path, monkeypatch):
    import importlib.util
    import sys

    from rocket_hpo.app.study_file import StudyFileError, load_study_file

    for name in [m for m in sys.modules if m.startswith("rocket_hpo.agent.llm")]:
        monkeypatch.delitem(sys.modules, name)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "transformers" else find_spec(name, *a))
    with pytest.raises(StudyFileError, match=r":10: key 'agent': .*needs 'transformers'.*llm"):
        load_study_file(_study_file(tmp_path, "{policy: llm, model_path: m}"))


def test_rocket_tune_with_a_missing_model_folder_is_a_one_line_error(tmp_path, capsys):
    from rocket_hpo.app.cli import main

    path = _study_file(tmp_path, "{policy: llm, model_path: nowhere}")
    assert main(["tune", path, "--storage", "memory"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Cannot build the Rocket sampler" in err[0]
    assert "nowhere" in err[0] and "config.json" in err[0]
