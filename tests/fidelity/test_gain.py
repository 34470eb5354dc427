"""Promotion by expected gain per unit cost (issue 15): inverted subsets fall back to the full
data, agreeing subsets filter cheaply, the runner's budget holds, decisions replay; the same
with checks, which measure each subset against the full data by re-running configurations
the study already ran on the full data (a study whose subsets disagree stays a full-data
study at the price of a few cheap re-runs)."""

from __future__ import annotations

import math
import re
from typing import Any

import optuna
import pytest

from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity import (
    FidelitySampler,
    Ladder,
    SubsetScheduler,
    best_full_trial,
    data_fraction,
)
from rocket_hpo.fidelity._view import build_view
from rocket_hpo.fidelity.promotion import gain_plan
from rocket_hpo.keys import AUDIT, CHECK_OF, PROMOTED_FROM, RUNG, trial_cost
from rocket_hpo.runner import optimize

optuna.logging.set_verbosity(optuna.logging.WARNING)
LADDER_3 = Ladder(1 / 9, 3)  # 1/9, 1/3, 1
TOP = LADDER_3.top


def full_score(x: float) -> float:
    return -((x - 0.7) ** 2)


def inverted(trial: optuna.Trial) -> float:
    """On every subset the score is the negative of the full-data score."""
    x = trial.suggest_float("x", 0, 1)
    return full_score(x) if data_fraction(trial) == 1.0 else -full_score(x)


def agreeing(trial: optuna.Trial) -> float:
    """Subsets rank like the full data, up to a little noise that fades with more data."""
    x = trial.suggest_float("x", 0, 1)
    return full_score(x) + 0.003 * math.sin(60 * x) * (1 - data_fraction(trial))


def gain_study(seed: int, storage: Any = None, **kwargs: Any) -> optuna.Study:
    """A study on the gain rule with its agreement measured by audits (checks: below)."""
    scheduler = SubsetScheduler(LADDER_3, promotion="gain", check_share=None, claim_timeout=0,
                                **kwargs)
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=seed), scheduler)
    return optuna.create_study(direction="maximize", sampler=sampler, storage=storage,
                               study_name="g", load_if_exists=True)


def full_data_study(seed: int, budget: float) -> optuna.Study:
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.RandomSampler(seed=seed))
    optimize(study, inverted, budget=budget)  # no scheduler: every trial on the full data
    return study


def spent(study: optuna.Study) -> float:
    return sum(trial_cost(t) for t in study.trials if t.state.is_finished())


def new_configurations(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.trials if PROMOTED_FROM not in t.user_attrs]


@pytest.mark.parametrize("seed", [0, 1])
def test_inverted_subsets_fall_back_to_full_data(seed: int) -> None:
    budget = 20.0
    study = gain_study(seed)
    optimize(study, inverted, budget=budget)
    scheduler = study.sampler.scheduler  # type: ignore[attr-defined]
    records = scheduler.agreement(study)
    # The subsets agree with each other; the last step to the full data is inverted.
    assert [r["status"] for r in records] == ["agrees", "poor"]
    assert records[1]["spearman"] < 0
    # Once that is measured, every new configuration runs on the full data and nothing is
    # promoted from a subset any more.
    first_full = min(t.number for t in new_configurations(study) if t.user_attrs[RUNG] == TOP)
    later = [t for t in study.trials if t.number >= first_full]
    assert len(later) >= 8
    assert all(t.user_attrs[RUNG] == TOP and PROMOTED_FROM not in t.user_attrs for t in later)
    # What came before is the measurement alone: at most `min_pairs` configurations, each
    # carried up by audits.
    assert len({t.number for t in new_configurations(study)} & set(range(first_full))) <= 6
    assert all(t.user_attrs.get(AUDIT) for t in study.trials[:first_full] if
               PROMOTED_FROM in t.user_attrs)
    # The answer is a full-data trial, and as good as the full-data study's at this budget.
    best = best_full_trial(study)
    assert best is not None and data_fraction(best) == 1.0
    full_only = full_data_study(seed, budget)
    full_values = sorted(t.value for t in full_only.trials)
    n_full = sum(t.user_attrs[RUNG] == TOP for t in study.trials)
    assert n_full >= len(full_only.trials) - 6
    assert best.value >= full_values[-3]  # among the full-data study's three best
    assert abs(best.params["x"] - 0.7) < 0.1


def test_asha_keeps_filtering_on_inverted_subsets() -> None:
    """The contrast: ASHA's quota still promotes the subsets' best, the full data's worst."""
    scheduler = SubsetScheduler(LADDER_3, claim_timeout=0, promotion="asha")
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=0), scheduler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    optimize(study, inverted, budget=20.0)
    subsets = sum(t.user_attrs[RUNG] < TOP for t in new_configurations(study))
    assert subsets > 0.8 * len(new_configurations(study))


def test_agreeing_subsets_filter_on_the_cheapest_rung() -> None:
    study = gain_study(0)
    optimize(study, agreeing, budget=20.0)
    scheduler = study.sampler.scheduler  # type: ignore[attr-defined]
    assert [r["status"] for r in scheduler.agreement(study)] == ["agrees", "agrees"]
    on_subsets = [t for t in study.trials if t.user_attrs[RUNG] < TOP]
    assert len(on_subsets) > 0.75 * len(study.trials)
    # Promotions beyond the audits: chosen by gain, from the best of the cheap rung.
    by_gain = [t for t in study.trials if PROMOTED_FROM in t.user_attrs
               and not t.user_attrs.get(AUDIT)]
    assert len(by_gain) >= 4
    assert any(t.user_attrs[RUNG] == TOP for t in by_gain)
    # Once measured, new configurations start on 1/9 and few of them are promoted: the
    # cheap rung filters harder than ASHA's third.
    last_audit = max(t.number for t in study.trials if t.user_attrs.get(AUDIT))
    started = [t for t in new_configurations(study) if t.number > last_audit]
    assert started and all(t.user_attrs[RUNG] == 0 for t in started)
    from_rung0 = [t for t in by_gain if t.user_attrs[RUNG] == 1]
    assert len(from_rung0) < len(started) / 3
    best = best_full_trial(study)
    assert best is not None and abs(best.params["x"] - 0.7) < 0.05


@pytest.mark.parametrize("checks", [False, True])
@pytest.mark.parametrize(("objective", "budget"), [(agreeing, 3.0), (agreeing, 12.5),
                                                   (inverted, 7.0)])
def test_the_budget_is_overshot_by_one_trial_at_most(objective: Any, budget: float,
                                                     checks: bool) -> None:
    study = check_study(2) if checks else gain_study(2)
    optimize(study, objective, budget=budget)
    trials = sorted(study.trials, key=lambda t: t.number)
    assert spent(study) >= budget - 1e-9
    # The last trial started with cost left to spend, and it is the only one past the budget.
    before_last = sum(trial_cost(t) for t in trials[:-1])
    assert before_last < budget
    assert spent(study) <= budget + trial_cost(trials[-1]) + 1e-9


def recorded(t: optuna.trial.FrozenTrial) -> tuple[int, Any, bool]:
    return t.user_attrs[RUNG], t.user_attrs.get(PROMOTED_FROM), bool(t.user_attrs.get(AUDIT))


def replay(study: optuna.Study) -> list[tuple[int, Any, bool]]:
    """Each trial's decision recomputed from the trials before it, as they are stored."""
    trials = study.get_trials(deepcopy=False)
    out = []
    for t in trials:
        view = build_view(trials[: t.number], LADDER_3, maximize=True)
        plan = gain_plan(view, study.sampler.scheduler.trust, t.number,  # type: ignore[attr-defined]
                         seed=0, audit_rate=0.6, max_audits=12)
        out.append((plan.rung, None if plan.source is None else plan.source.number, plan.audit))
    return out


def test_decisions_replay_from_the_storage(tmp_path: Any) -> None:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    path = str(tmp_path / "journal.log")
    study = gain_study(0, JournalStorage(JournalFileBackend(path)), audit_rate=0.6)
    optimize(study, agreeing, n_trials=45)
    del study
    # A fresh process: only the storage, and a scheduler rebuilt from it.
    loaded = optuna.load_study(study_name="g", storage=JournalStorage(JournalFileBackend(path)))
    resumed = SubsetScheduler.from_study(loaded, promotion="gain", claim_timeout=0,
                                         audit_rate=0.6, check_share=None)
    assert resumed.ladder.same_as(LADDER_3)
    study = optuna.create_study(
        direction="maximize", study_name="g", load_if_exists=True,
        storage=JournalStorage(JournalFileBackend(path)),
        sampler=FidelitySampler(optuna.samplers.RandomSampler(seed=1), resumed))
    optimize(study, agreeing, n_trials=70)
    assert [recorded(t) for t in study.trials] == replay(study)
    kinds = {(r > 0, s is not None, a) for r, s, a in map(recorded, study.trials)}
    assert {(False, False, False), (True, True, True), (True, True, False)} <= kinds
    # Audits after the measurement too: drawn at random among several configurations.
    first_gain = min(t.number for t in study.trials
                     if PROMOTED_FROM in t.user_attrs and not t.user_attrs.get(AUDIT))
    assert any(t.user_attrs.get(AUDIT) for t in study.trials[first_gain:])


@pytest.mark.parametrize("check_share", [None, 0.1])
def test_concurrent_workers_never_promote_or_check_twice(check_share: float | None) -> None:
    scheduler = SubsetScheduler(LADDER_3, promotion="gain", claim_timeout=5,
                                check_share=check_share)
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=3), scheduler)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(agreeing, n_trials=80, n_jobs=4)
    sources = [t.user_attrs[PROMOTED_FROM] for t in study.trials if PROMOTED_FROM in t.user_attrs]
    # With checks the first promotions wait for six checks, so there are fewer of them; how
    # many depends on the threads' timing.
    assert len(sources) == len(set(sources)) > (10 if check_share is None else 3)
    checked = [(t.user_attrs[CHECK_OF], t.user_attrs[RUNG]) for t in study.trials
               if CHECK_OF in t.user_attrs]
    assert len(checked) == len(set(checked))
    assert (len(checked) >= 6) == (check_share is not None)
    for t in study.trials:
        if PROMOTED_FROM in t.user_attrs:
            assert t.params == study.trials[t.user_attrs[PROMOTED_FROM]].params


def test_promotion_is_validated() -> None:
    message = "The 'promotion' parameter of SubsetScheduler must be 'asha' or 'gain'. Got 'fifo'"
    with pytest.raises(UsageError, match=re.escape(message)):
        SubsetScheduler(promotion="fifo")
    assert SubsetScheduler().promotion == "gain" and SubsetScheduler().check_share == 0.1


# -- checks ------------------------------------------------------------------------------


def check_study(seed: int, storage: Any = None, share: float = 0.1) -> optuna.Study:
    scheduler = SubsetScheduler(LADDER_3, promotion="gain", check_share=share, claim_timeout=0)
    sampler = FidelitySampler(optuna.samplers.RandomSampler(seed=seed), scheduler)
    return optuna.create_study(direction="maximize", sampler=sampler, storage=storage,
                               study_name="c", load_if_exists=True)


def checks(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.trials if CHECK_OF in t.user_attrs]


@pytest.mark.parametrize("seed", [0, 1])
def test_inverted_subsets_leave_a_full_data_study_and_cheap_checks(seed: int) -> None:
    study = check_study(seed)
    optimize(study, inverted, budget=20.0)
    checked = checks(study)
    others = [t for t in study.trials if CHECK_OF not in t.user_attrs]
    # Every configuration the study chose ran on the full data; nothing was promoted.
    assert all(t.user_attrs[RUNG] == TOP for t in others)
    assert not any(PROMOTED_FROM in t.user_attrs for t in study.trials)
    # The checks re-ran full-data configurations on subsets, within their share of the cost.
    assert len(checked) >= 6
    for t in checked:
        source = study.trials[t.user_attrs[CHECK_OF]]
        assert t.user_attrs[RUNG] < TOP and source.user_attrs[RUNG] == TOP
        assert t.params == source.params and t.number > source.number
    full_cost = sum(trial_cost(t) for t in others)
    assert sum(trial_cost(t) for t in checked) <= 0.1 * full_cost + 1 / 3
    records = study.sampler.scheduler.agreement(study)  # type: ignore[attr-defined]
    assert records[0]["fractions"] == [1 / 9, 1.0] and records[0]["status"] == "poor"
    assert study.sampler.scheduler.learning_fraction(study) == 1.0  # type: ignore[attr-defined]
    best = best_full_trial(study)
    assert best is not None and abs(best.params["x"] - 0.7) < 0.1


def test_agreeing_subsets_are_shown_and_then_filter() -> None:
    study = check_study(0)
    optimize(study, agreeing, budget=20.0)
    scheduler = study.sampler.scheduler  # type: ignore[attr-defined]
    records = scheduler.agreement(study)
    assert records[0]["status"] == "agrees" and records[0]["low"] >= 0.3
    assert scheduler.learning_fraction(study) == 1 / 9
    # Once the cheapest rung is shown, new configurations start there and the best are
    # promoted by gain; checks stop (nothing cheaper is left to measure).
    last_check = max(t.number for t in checks(study))
    started = [t for t in study.trials[last_check + 1:]
               if PROMOTED_FROM not in t.user_attrs]
    assert len(started) >= 10 and all(t.user_attrs[RUNG] == 0 for t in started)
    assert any(PROMOTED_FROM in t.user_attrs and t.user_attrs[RUNG] == TOP
               for t in study.trials)
    best = best_full_trial(study)
    assert best is not None and abs(best.params["x"] - 0.7) < 0.05


def test_check_decisions_replay_from_the_storage(tmp_path: Any) -> None:
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    path = str(tmp_path / "journal.log")
    optimize(check_study(0, JournalStorage(JournalFileBackend(path))), agreeing, n_trials=30)
    study = check_study(1, JournalStorage(JournalFileBackend(path)))  # a resumed study
    optimize(study, agreeing, n_trials=60)
    trials = study.get_trials(deepcopy=False)
    trust = study.sampler.scheduler.trust  # type: ignore[attr-defined]
    for t in trials:
        plan = gain_plan(build_view(trials[: t.number], LADDER_3, maximize=True), trust,
                         t.number, seed=0, audit_rate=0.25, max_audits=12, check_share=0.1)
        source = t.user_attrs.get(CHECK_OF, t.user_attrs.get(PROMOTED_FROM))
        assert (t.user_attrs[RUNG], source, CHECK_OF in t.user_attrs) == (
            plan.rung, None if plan.source is None else plan.source.number, plan.check)
    assert checks(study)


def test_check_share_is_validated() -> None:
    message = "The 'check_share' parameter of SubsetScheduler must be a number in (0, 1]. Got 0 instead."
    with pytest.raises(UsageError, match=re.escape(message)):
        SubsetScheduler(promotion="gain", check_share=0)
