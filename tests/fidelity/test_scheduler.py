"""The scheduler: ASHA promotion under out-of-order results, concurrent workers, resume."""

from __future__ import annotations

import math
import random
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState

from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity import (
    FIDELITY_PARAM,
    FidelitySampler,
    Ladder,
    Scale,
    SubsetScheduler,
    TransferRules,
    data_fraction,
)
from rocket_hpo.keys import AUDIT, LADDER, PROMOTED_FROM, RUNG, TRANSFER

optuna.logging.set_verbosity(optuna.logging.WARNING)
LADDER_3 = Ladder(1 / 9, 3)  # 1/9, 1/3, 1


def make_study(scheduler: SubsetScheduler, seed: int = 0, storage: Any = None, name: str = "s"):
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=seed), scheduler)
    return optuna.create_study(
        direction="maximize", sampler=sampler, storage=storage, study_name=name,
        load_if_exists=True,
    )  # fmt: skip


def score(x: float, fraction: float) -> float:
    # Lower fractions are noisier but agree on the order of far-apart configurations.
    return x + 0.05 * math.sin(97 * x) * (1 - fraction)


def expected_promotion(trials: list[Any], ladder: Ladder) -> tuple[int, int | None]:
    """Reference ASHA decision (rung, source number) from the finished trials alone."""
    claimed = {t.user_attrs[PROMOTED_FROM] for t in trials if PROMOTED_FROM in t.user_attrs}
    for k in range(ladder.top - 1, -1, -1):
        at_k = [t for t in trials if t.user_attrs.get(RUNG) == k and t.state.is_finished()]
        done = sorted(
            (t for t in at_k if t.state == TrialState.COMPLETE), key=lambda t: (-t.value, t.number)
        )
        top = done[: len(at_k) // 3]
        free = [t.number for t in top if t.number not in claimed]
        if free:
            return k + 1, free[0]
    return 0, None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_promotion_is_asha_under_out_of_order_results(seed: int) -> None:
    rng = random.Random(seed)
    scheduler = SubsetScheduler(LADDER_3, audit_rate=0, claim_timeout=0, promotion="asha")
    study = make_study(scheduler, seed)
    running: list[optuna.Trial] = []
    for _ in range(120):
        while len(running) < 4:  # four simulated workers; each result arrives in random order
            before = study.get_trials(deepcopy=True)
            trial = study.ask()
            rung, source = expected_promotion(before, LADDER_3)
            assert trial.user_attrs[RUNG] == rung
            assert trial.user_attrs.get(PROMOTED_FROM) == source
            x = trial.suggest_float("x", 0, 1)
            if source is not None:
                assert x == before[source].params["x"]
            running.append(trial)
        trial = running.pop(rng.randrange(len(running)))
        if rng.random() < 0.05:
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, score(trial.params["x"], data_fraction(trial)))
    sources = [t.user_attrs[PROMOTED_FROM] for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert len(sources) == len(set(sources)) > 10
    per_rung = [sum(t.user_attrs[RUNG] == k for t in study.trials) for k in range(3)]
    assert per_rung[0] > per_rung[1] > per_rung[2] > 0


def test_concurrent_workers_never_promote_twice() -> None:
    scheduler = SubsetScheduler(LADDER_3, claim_timeout=5, promotion="asha")
    study = make_study(scheduler, seed=3)
    rng = random.Random(0)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        import time

        time.sleep(rng.random() * 0.004)
        return score(x, data_fraction(trial))

    study.optimize(objective, n_trials=100, n_jobs=6)
    sources = [t.user_attrs[PROMOTED_FROM] for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert len(sources) == len(set(sources)) > 10
    for t in study.trials:
        if PROMOTED_FROM in t.user_attrs:
            src = study.trials[t.user_attrs[PROMOTED_FROM]]
            assert t.params == src.params
            assert t.user_attrs[RUNG] == src.user_attrs[RUNG] + 1


def test_resumed_study_keeps_its_ladder_state(tmp_path: Any) -> None:
    # A file-backed storage, as a second process would open it (the journal file is faster
    # than SQLite here, which commits to disk several times per trial).
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    ladder = Ladder(1 / 27, 3)
    study = make_study(SubsetScheduler(ladder, promotion="asha"), seed=0, storage=storage)
    study.optimize(lambda t: score(t.suggest_float("x", 0, 1), data_fraction(t)), n_trials=40)
    promoted_before = {
        t.user_attrs[PROMOTED_FROM] for t in study.trials if PROMOTED_FROM in t.user_attrs
    }
    learning_before = SubsetScheduler(ladder, promotion="asha").learning_fraction(study)
    del study

    # A fresh process would only have the storage: the scheduler reads the ladder from it.
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    loaded = optuna.load_study(study_name="s", storage=storage)
    assert loaded.user_attrs[LADDER] == ladder.to_dict()
    resumed = SubsetScheduler.from_study(loaded)
    assert resumed.ladder.same_as(ladder)
    assert resumed.learning_fraction(loaded) == learning_before
    study = make_study(resumed, seed=1, storage=storage)
    study.optimize(lambda t: score(t.suggest_float("x", 0, 1), data_fraction(t)), n_trials=40)
    sources = [t.user_attrs[PROMOTED_FROM] for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert len(sources) == len(set(sources)) > len(promoted_before)
    assert max(t.user_attrs[RUNG] for t in study.trials) == ladder.top

    with pytest.raises(UsageError, match="was run on the ladder"):
        SubsetScheduler(Ladder(1 / 9, 3), promotion="asha").assign(study, study.ask())


def test_assign_is_idempotent_and_respects_a_given_fraction() -> None:
    scheduler = SubsetScheduler(LADDER_3, promotion="asha")
    study = optuna.create_study()
    trial = study.ask()
    first = scheduler.assign(study, trial)
    assert scheduler.assign(study, trial) == first
    study.enqueue_trial({"x": 0.5}, user_attrs={FIDELITY_PARAM: 1.0})
    trial = study.ask()
    assert scheduler.assign(study, trial).fraction == 1.0


def test_transfer_rules_apply_on_promotion_and_are_stored() -> None:
    rules = TransferRules(Scale("steps"), Scale("lr", power=0.5))
    study = make_study(SubsetScheduler(LADDER_3, transfer=rules, promotion="asha"), seed=0)

    def objective(trial: optuna.Trial) -> float:
        steps = trial.suggest_int("steps", 1, 10_000, log=True)
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        return -abs(math.log(lr) + 3) + 1e-4 * steps

    study.optimize(objective, n_trials=30)
    promoted = [t for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert promoted
    for t in promoted:
        src = study.trials[t.user_attrs[PROMOTED_FROM]]
        assert t.params["steps"] == min(3 * src.params["steps"], 10_000)
        assert t.params["lr"] == pytest.approx(min(src.params["lr"] * math.sqrt(3), 1.0))
        assert t.user_attrs[TRANSFER]["steps"] == [src.params["steps"], t.params["steps"]]


def test_audits_measure_agreement_and_study_attrs_record_it() -> None:
    scheduler = SubsetScheduler(LADDER_3, audit_rate=0.5, promotion="asha")
    study = make_study(scheduler, seed=0)
    study.optimize(lambda t: score(t.suggest_float("x", 0, 1), data_fraction(t)), n_trials=60)
    scheduler.record(study)
    audits = [t for t in study.trials if t.user_attrs.get(AUDIT)]
    from_rung0 = [t for t in audits if t.user_attrs[RUNG] == 1]
    promotions = [
        t for t in study.trials if t.user_attrs.get(RUNG) == 1 and PROMOTED_FROM in t.user_attrs
    ]
    assert len(from_rung0) == pytest.approx(len(promotions) / 2, abs=1)
    # Audits are not just the rung's best: some audited configurations ranked low below.
    ranks = []
    for t in from_rung0:
        rung0 = sorted(
            (u for u in study.trials if u.user_attrs.get(RUNG) == 0 and u.number < t.number
             and u.state == TrialState.COMPLETE), key=lambda u: -u.value
        )  # fmt: skip
        ranks.append([u.number for u in rung0].index(t.user_attrs[PROMOTED_FROM]) / len(rung0))
    assert max(ranks) > 0.34
    records = study.user_attrs["rocket:agreement"]
    assert [r["fractions"] for r in records] == [[1 / 9, 1 / 3], [1 / 3, 1.0]]
    assert records[0]["n"] == len(from_rung0) >= 6 and records[0]["status"] == "agrees"
    assert records[0]["low"] <= records[0]["spearman"] <= records[0]["high"]
    assert study.user_attrs["rocket:learning_fraction"] == pytest.approx(1 / 9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ladder": 0.5}, "'ladder' parameter of SubsetScheduler must be a Ladder"),
        (
            {"transfer": {"lr": 1}},
            "'transfer' parameter of SubsetScheduler must be a TransferRules",
        ),
        ({"start_at_learning_rung": "yes"}, "'start_at_learning_rung' parameter"),
        ({"claim_timeout": -1}, "'claim_timeout' parameter of SubsetScheduler"),
        ({"audit_rate": 1.0}, "'audit_rate' parameter of SubsetScheduler must be a number in"),
        ({"max_audits": -1}, "'max_audits' parameter of SubsetScheduler must be an integer >= 0"),
        ({"seed": 0.5}, "'seed' parameter of SubsetScheduler must be an integer >= 0. Got 0.5"),
    ],
)
def test_scheduler_rejects_bad_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SubsetScheduler(**kwargs)


def test_multi_objective_study_is_rejected() -> None:
    study = optuna.create_study(directions=["minimize", "minimize"])
    with pytest.raises(UsageError, match="single-objective"):
        SubsetScheduler().assign(study, study.ask())
