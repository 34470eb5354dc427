"""RocketSampler driven by the SubsetScheduler: fractions, promotions with transfer, trust."""

from __future__ import annotations

import optuna
import pytest

from rocket_hpo import RocketSampler
from rocket_hpo.fidelity import (
    Ladder,
    Scale,
    SubsetScheduler,
    TransferRules,
    Trust,
    best_full_trial,
    cost_summary,
    data_fraction,
)
from rocket_hpo.keys import PROMOTED_FROM, TRANSFER
from rocket_hpo.space import Float, Int, Space

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACE = Space(x=Float(0.0, 1.0), steps=Int(1, 1000, log=True))


def objective(trial: optuna.Trial) -> float:
    config = SPACE.suggest(trial)
    x = config["x"]
    return 1 - x if data_fraction(trial) < 0.2 else x  # inverted on 1/9 of the data


def test_rocket_sampler_on_the_ladder() -> None:
    scheduler = SubsetScheduler(
        Ladder(1 / 9, 3), transfer=TransferRules(Scale("steps")), trust=Trust(sceptical=False)
    )
    # climb=0: with the screen's climb the full-data trials reach x = 1 exactly (the
    # optimum lies on the bound) from trial 5 on, and gain promotion rightly promotes
    # nothing once no configuration can beat the incumbent; this test is about the
    # scheduler's bookkeeping, so it keeps the proposals that leave promotions worth making.
    study = optuna.create_study(
        direction="maximize",
        sampler=RocketSampler(SPACE, seed=0, fidelity=scheduler, climb=0),
    )
    # A verdict needs 6 configurations scored on both 1/9 and 1/3 (Trust's min_pairs);
    # promotions deliver the sixth between trial 70 and 85 depending on the proposals.
    study.optimize(objective, n_trials=85)
    promoted = [t for t in study.trials if PROMOTED_FROM in t.user_attrs]
    assert promoted
    for t in promoted:
        src = study.trials[t.user_attrs[PROMOTED_FROM]]
        assert t.params["x"] == src.params["x"]
        assert t.params["steps"] == min(3 * src.params["steps"], 1000)
        if t.params["steps"] != src.params["steps"]:
            assert t.user_attrs[TRANSFER]["steps"] == [src.params["steps"], t.params["steps"]]
    # The inverted 1/9 rung is detected and the policy is told to learn on 1/3.
    assert scheduler.learning_fraction(study) == pytest.approx(1 / 3)
    assert best_full_trial(study) is not None
    summary = cost_summary(study)
    assert summary.n_trials == 85 and summary.saving > 1.5


@pytest.mark.parametrize("cheap_results", [True, False])
def test_cheap_results_setting_decides_which_fractions_the_policy_reads(
    cheap_results: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from rocket_hpo.agent._compact import CompactBackend

    seen: list[set[float]] = []  # the fractions each proposal's context holds
    screened = CompactBackend._screened

    def spy(self, columns, ctx, fraction, rng):  # type: ignore[no-untyped-def]
        seen.append({round(float(f), 4) for f in np.exp(ctx.log_fraction)})
        return screened(self, columns, ctx, fraction, rng)

    monkeypatch.setattr(CompactBackend, "_screened", spy)
    scheduler = SubsetScheduler(Ladder(1 / 9, 3))  # sceptical: trust needs evidence
    sampler = RocketSampler(SPACE, seed=0, fidelity=scheduler, cheap_results=cheap_results)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=30)
    # Until the 1/9 rung has earned trust the policy learns on full data; with cheap results
    # it reads every rung, without them only the full-data results.
    assert scheduler.learning_fraction(study) == 1.0
    read = set().union(*seen)
    assert read == ({round(1 / 9, 4), round(1 / 3, 4), 1.0} if cheap_results else {1.0})
