"""Trust by rank agreement: a task whose small-subset ranking is inverted moves learning up."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest

from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity import (
    FidelitySampler,
    Ladder,
    SubsetScheduler,
    Trust,
    best_full_trial,
    data_fraction,
    rank_agreement,
)
from rocket_hpo.keys import PROMOTED_FROM, RUNG

optuna.logging.set_verbosity(optuna.logging.WARNING)


def inverted(trial: optuna.Trial) -> float:
    """Maximise x; but on 1/9 of the data the order is reversed (small data favours small x)."""
    x = trial.suggest_float("x", 0, 1)
    return 1 - x if data_fraction(trial) < 0.2 else x


def consistent(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    return x + 0.02 * math.sin(50 * x) * (1 - data_fraction(trial))


def run(objective, n_trials: int, seed: int = 0) -> tuple[optuna.Study, SubsetScheduler]:
    scheduler = SubsetScheduler(
        Ladder(1 / 9, 3), trust=Trust(threshold=0.3, min_pairs=6, sceptical=False), audit_rate=0.5,
        promotion="asha",
    )
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=seed), scheduler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=n_trials)
    return study, scheduler


@pytest.mark.parametrize("seed", [0, 1])
def test_inverted_small_subset_moves_learning_up(seed: int) -> None:
    study, scheduler = run(inverted, 60, seed)
    first = scheduler.agreement(study)[0]
    assert first["status"] == "poor" and first["spearman"] < 0 and first["high"] < 0.3
    assert scheduler.learning_fraction(study) == pytest.approx(1 / 3)
    assert study.user_attrs["rocket:learning_fraction"] == pytest.approx(1 / 3)
    # Once detected, new configurations start on 1/3: the wrong signal stops filtering.
    detected = min(
        t.number
        for t in study.trials
        if PROMOTED_FROM not in t.user_attrs and t.user_attrs[RUNG] == 1
    )
    later = [t for t in study.trials if t.number > detected and PROMOTED_FROM not in t.user_attrs]
    assert later and all(t.user_attrs[RUNG] >= 1 for t in later)
    best = best_full_trial(study)
    assert best is not None and best.params["x"] > 0.8


def test_consistent_task_keeps_learning_on_the_cheapest_rung() -> None:
    study, scheduler = run(consistent, 60)
    records = scheduler.agreement(study)
    assert records[0]["status"] == "agrees" and records[0]["spearman"] > 0.9
    assert scheduler.learning_fraction(study) == pytest.approx(1 / 9)


def test_rank_agreement_interval_and_small_samples() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    strong = rank_agreement(x, x + 0.1 * rng.normal(size=40), confidence=0.9)
    weak = rank_agreement(x[:8], rng.normal(size=8), confidence=0.9)
    assert strong.low > 0.8 and strong.high <= 1
    assert weak.high - weak.low > strong.high - strong.low
    assert math.isnan(rank_agreement([1, 2], [2, 1]).spearman)
    assert math.isnan(rank_agreement([1, 1, 1, 1], [1, 2, 3, 4]).spearman)
    tied = rank_agreement([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    assert tied.spearman == pytest.approx(-1) and tied.kendall == pytest.approx(-1)


def test_trust_status_needs_enough_pairs() -> None:
    trust = Trust(threshold=0.3, min_pairs=6, confidence=0.8)
    assert not trust.trusted(rank_agreement(range(5), range(5)))  # sceptical: no evidence yet
    assert Trust(sceptical=False).trusted(rank_agreement(range(5), range(5)))
    assert trust.status(rank_agreement(range(5), range(5)[::-1])) == "unknown"
    assert trust.status(rank_agreement(range(8), range(8)[::-1])) == "poor"
    assert trust.status(rank_agreement(range(8), range(8))) == "agrees"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.0}, "'threshold' parameter of Trust must be a number in \\(-1, 1\\)"),
        ({"min_pairs": 3}, "'min_pairs' parameter of Trust must be an integer >= 4. Got 3"),
        ({"confidence": 1.0}, "'confidence' parameter of Trust must be a number in \\[0, 1\\)"),
    ],
)
def test_trust_rejects_bad_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Trust(**kwargs)  # type: ignore[arg-type]


def test_sceptical_trust_learns_on_full_data_until_agreement_is_shown() -> None:
    scheduler = SubsetScheduler(Ladder(1 / 9, 3), trust=Trust(min_pairs=6), audit_rate=0.5,
                                promotion="asha")
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=0), scheduler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(consistent, n_trials=10)
    assert scheduler.learning_fraction(study) == 1.0  # no evidence yet
    # The cheap rungs still filter: every configuration starts on 1/9, and only promotions
    # go up (the full-data trial 9 re-runs trial 3, itself promoted from 1/9).
    rungs = [t.user_attrs[RUNG] for t in study.trials]
    assert rungs == [0, 0, 0, 1, 1, 0, 0, 0, 1, 2]
    assert [PROMOTED_FROM in t.user_attrs for t in study.trials] == [r > 0 for r in rungs]
    assert rungs[study.trials[9].user_attrs[PROMOTED_FROM]] == 1
    study.optimize(consistent, n_trials=110)
    assert scheduler.agreement(study)[0]["low"] >= 0.3
    assert scheduler.learning_fraction(study) < 1.0
