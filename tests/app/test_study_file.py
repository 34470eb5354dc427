"""YAML study files: parsing, and errors that name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from rocket_hpo.app.samplers import fidelity_scheduler
from rocket_hpo.app.study_file import StudyFileError, load_study_file
from rocket_hpo.tasks.objective import FileObjective

OBJECTIVE = '''
def objective(config, fraction, seed):
    return -(config["x"] - 0.3) ** 2 + 0.01 * fraction + 0 * seed


def with_trial(config, trial):
    trial.set_user_attr("seen", True)
    return config["x"]
'''

GOOD = """\
study_name: quad
objective: sf_objective:objective
direction: maximize
metric: neg_error
space:
  x: {type: float, low: 0.0, high: 1.0}
  kind: {type: categorical, choices: [a, b]}
budget: 4.5
trials: 7
storage: sqlite:///quad.db
seed: 3
workers: 1
fidelity: {min_fraction: 0.1, eta: 3}
"""


def _write(tmp_path: Path, text: str, name: str = "study.yaml") -> str:
    (tmp_path / "sf_objective.py").write_text(OBJECTIVE)
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_valid_file_is_read_whole(tmp_path: Path) -> None:
    spec = load_study_file(_write(tmp_path, GOOD))
    assert (spec.study_name, spec.objective, spec.metric) == (
        "quad", "sf_objective:objective", "neg_error")
    assert (spec.budget, spec.trials, spec.seed, spec.workers) == (4.5, 7, 3, 1)
    assert spec.space is not None and list(spec.space) == ["x", "kind"]
    assert spec.fidelity == {"min_fraction": 0.1, "eta": 3}
    assert spec.storage == "sqlite:///quad.db"


def test_a_task_file_needs_no_space_and_defaults_its_name(tmp_path: Path) -> None:
    spec = load_study_file(_write(tmp_path, "task: digits\n", name="my-run.yaml"))
    assert (spec.task, spec.study_name, spec.space) == ("digits", "my-run", None)


@pytest.mark.parametrize(
    ("change", "line", "key", "words"),
    [
        (("trials: 7", "trails: 7"), 9, "trails", "unknown key"),
        (("trials: 7", "trials: seven"), 9, "trials", "integer >= 1"),
        (("budget: 4.5", "budget: -1"), 8, "budget", "number > 0"),
        (("low: 0.0, high: 1.0", "low: 2.0, high: 1.0"), 6, "space.x", "'x'"),
        (("type: categorical", "type: categorial"), 7, "space.kind", "'type'"),
        (("direction: maximize", "direction: up"), 3, "direction", "'maximize' or"),
        (("sf_objective:objective", "sf_objective:missing"), 2, "objective", "missing"),
        (("sf_objective:objective", "no_such_module:f"), 2, "objective", "cannot import"),
        (("seed: 3", "seed: [3"), 12, None, "sequence started on line 11"),
    ],
)
def test_mistakes_name_the_line_and_the_key(
    tmp_path: Path, change: tuple[str, str], line: int, key: str | None, words: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(StudyFileError) as info:
        load_study_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert "\n" not in message
    if key is not None:
        assert f"key {key!r}" in message
    assert words in message


def test_exactly_one_of_task_and_objective(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match="exactly one of 'task'"):
        load_study_file(_write(tmp_path, "task: digits\n" + GOOD))
    with pytest.raises(StudyFileError, match="needs a 'space'"):
        load_study_file(_write(tmp_path, "objective: sf_objective:objective\n"))


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match="does not exist"):
        load_study_file(str(tmp_path / "nope.yaml"))


def test_the_objective_gets_only_the_keywords_it_declares(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)

    plain = FileObjective("sf_objective:objective", str(tmp_path))
    assert plain({"x": 0.3}, fraction=1.0, seed=0, trial=None) == pytest.approx(0.01)
    trial = optuna.create_study().ask()
    assert FileObjective("sf_objective:with_trial", str(tmp_path))(
        {"x": 0.5}, fraction=0.1, seed=0, trial=trial) == 0.5
    assert trial.user_attrs == {"seen": True}


@pytest.mark.parametrize(
    ("fidelity", "key", "words"),
    [
        ("{min_fraction: 2.0, eta: 3}", "fidelity.min_fraction", "(0, 1]"),
        ("{min_fraction: 0.1, eta: 1}", "fidelity.eta", "'eta'"),
        ("{min_fraction: 0.1, rungs: 3}", "fidelity.rungs", "Unknown fidelity setting 'rungs'"),
        ("{transfer: [{param: lr, pow: 1}]}", "fidelity.transfer", "'transfer'"),
        ("{transfer: lr}", "fidelity.transfer", "a list of mappings {param, power, by}. Got 'lr'"),
        ("{transfer: [{param: lr, by: batch_size}]}", "fidelity.transfer",
         "needs a rule of its own earlier"),
        ("{promotion: fifo}", "fidelity.promotion", "must be 'asha' or 'gain'. Got 'fifo'"),
    ],
)
def test_fidelity_mistakes_name_the_setting(
    tmp_path: Path, fidelity: str, key: str, words: str
) -> None:
    path = _write(tmp_path, GOOD.replace("fidelity: {min_fraction: 0.1, eta: 3}",
                                         f"fidelity: {fidelity}"))
    with pytest.raises(StudyFileError) as info:
        load_study_file(path)
    assert str(info.value).startswith(f"{path}:13: key {key!r}: "), str(info.value)
    assert words in str(info.value)


def test_fidelity_settings_build_the_ladder() -> None:
    assert fidelity_scheduler(None, default_on=False) is None
    assert fidelity_scheduler({"enabled": False}, default_on=True) is None
    assert fidelity_scheduler(None, default_on=True).ladder.fractions == pytest.approx(
        (1 / 27, 1 / 9, 1 / 3, 1.0))
    scheduler = fidelity_scheduler(
        {"min_fraction": 0.25, "eta": 2, "transfer": [{"param": "lr", "power": 0.5}]},
        default_on=False)
    assert scheduler.ladder.fractions == pytest.approx((0.25, 0.5, 1.0))
    assert [r.param for r in scheduler.transfer.rules] == ["lr"]
    assert scheduler.promotion == "gain"  # the default: checks, then expected gain
    assert fidelity_scheduler({"promotion": "asha"}, default_on=True).promotion == "asha"


def test_a_tasks_own_fidelity_settings_fill_what_the_file_leaves_out() -> None:
    task = {"min_fraction": 1 / 9}  # a data-rich task's smallest rung
    assert fidelity_scheduler(None, default_on=True, defaults=task).ladder.fractions == \
        pytest.approx((1 / 9, 1 / 3, 1.0))
    assert fidelity_scheduler({"eta": 3, "min_fraction": 1 / 27}, default_on=True,
                              defaults=task).ladder.fractions[0] == pytest.approx(1 / 27)
    # they never put a sampler on the ladder by themselves (TPE, random search)
    assert fidelity_scheduler(None, default_on=False, defaults=task) is None
    assert fidelity_scheduler({"enabled": False}, default_on=True, defaults=task) is None


def test_agent_settings_are_checked_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "agent: {group_sise: 3}\n")
    with pytest.raises(StudyFileError, match=r":14: key 'agent.group_sise': Unknown setting"):
        load_study_file(path)
    spec = load_study_file(_write(tmp_path, GOOD + "agent: {group_size: 3}\n"))
    assert spec.agent == {"group_size": 3}
