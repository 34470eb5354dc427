"""The fidelity scheduler: which data fraction each new trial runs at, and what it promotes.

It is pure logic over the study's trials (syne-tune's scheduler, kept apart from the policy,
which decides *what* to try): every decision is derived from the trials in the storage plus
the attributes the scheduler wrote there, so any number of workers can share one storage,
results may arrive in any order, and a resumed study carries on where it stopped.

By default (``promotion="gain"``, :mod:`rocket_hpo.fidelity.promotion`) a configuration is
promoted when its chance of beating the full-data incumbent, estimated from its rank and the
measured agreement of its rung with the full data, is worth the next rung's cost. The
agreement is measured by *checks*: configurations the study already ran on the full data
re-run on a subset, cheapest rung first, at most ``check_share`` of the full-data cost.
Until a subset is shown to agree, new configurations run on the full data, so a study whose
subsets disagree runs as a full-data study, plus the checks.

``promotion="asha"`` is asynchronous successive halving: when a worker asks for work, the
highest rung with an unpromoted configuration among the best ``1/eta`` of its results
promotes it one rung up; otherwise a new configuration starts at the base rung. A share of
the promotions (``audit_rate``) are audits: a random configuration of the rung instead of its
best, so the rank agreement between two rungs is measured on an unbiased sample (among the
best alone, two rungs can agree while the lower one ranks the population badly).

Never promoting a configuration twice, with several workers deciding at once: trial numbers
are handed out atomically by the storage, so decisions are serialised by them. Before
deciding, trial ``n`` waits until every lower-numbered running trial has written its decision
(it does so within milliseconds of being created); it then sees every earlier claim. A
trial created more than ``claim_timeout`` seconds ago without a decision (a crashed worker, or
a trial not run through the scheduler) is not waited for.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from rocket_hpo._checks import check_bool, check_choice, check_instance, check_int, check_number
from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity._view import LadderView, view_of
from rocket_hpo.fidelity.agreement import Trust
from rocket_hpo.fidelity.hook import Assignment, FidelityHook
from rocket_hpo.fidelity.ladder import Ladder
from rocket_hpo.fidelity.promotion import audit_draw, gain_plan, shown_to_agree
from rocket_hpo.fidelity.transfer import TransferRules
from rocket_hpo.keys import (
    AGREEMENT,
    AUDIT,
    CHECK_OF,
    FIDELITY_PARAM,
    LADDER,
    LEARNING_FRACTION,
    PROMOTED_FROM,
    RUNG,
    TRANSFER,
    data_fraction,
    has_fraction,
)

__all__ = ["SubsetScheduler"]

PROMOTIONS = ("asha", "gain")


class SubsetScheduler(FidelityHook):
    """Chooses each trial's data fraction on a ladder and promotes the best asynchronously.

    Args:
        ladder: the rungs (default 1/27, 1/9, 1/3, 1 of the data).
        transfer: rules applied to a configuration's parameters when it is promoted.
        trust: when a rung's ranking counts as agreeing with the next one's.
        start_at_learning_rung: start new configurations above the highest rung whose
            ranking was found to disagree with the next (*poor*), so such a rung no longer
            filters; by default that is the learning rung.
        audit_rate: share of the promotions out of each rung that are audits, in [0, 1): a
            configuration of the rung drawn at random (not its best), so that the rank
            agreement with the next rung is measured on an unbiased sample.
        max_audits: audits per pair of rungs, at most (enough to settle the agreement); with
            checks, the pairs measured per rung, at most.
        seed: seed of the audit draws.
        promotion: ``"gain"`` (the default): promote by expected gain per unit cost
            (:mod:`rocket_hpo.fidelity.promotion`): a configuration moves up when its chance
            of beating the full-data incumbent, from its rank and the measured agreement
            of the rungs above it, per unit cost beats what a new configuration buys; new
            configurations start on the full data until a subset's agreement with it is
            shown. Or ``"asha"``: promote the best ``1/eta`` of each rung, whatever the
            rungs say about each other. On the rbv2_xgboost development instances, where
            small subsets rank good configurations poorly, ASHA ended worse than the full
            data alone and ``"gain"`` with checks level with it
            (``benchmarks/fidelity/dev_subsets.md``). ``start_at_learning_rung`` does not
            apply to ``"gain"`` (a *poor* rung never filters there).
        claim_timeout: seconds to wait, at most, for earlier trials to record their decision.
        check_share: with ``promotion="gain"``, how the agreement is measured. A number (the
            default 0.1): by checks, each a configuration already run on the full data
            re-run on a subset, cheapest rung first, costing at most this share of what
            the full-data trials cost; meanwhile new configurations run on the full data,
            and the measured population is the one the study proposes. None: by audits,
            random configurations of each rung carried up the ladder (new configurations
            start on the cheapest rung while the agreement is unknown).

    Example:
        >>> import optuna
        >>> study = optuna.create_study(direction="maximize")
        >>> scheduler = SubsetScheduler(Ladder(1 / 9, 3))
        >>> trial = study.ask()
        >>> scheduler.assign(study, trial).fraction  # the full data until a subset is shown
        1.0
        >>> SubsetScheduler(Ladder(1 / 9, 3), promotion="asha").assign(study, study.ask()).fraction
        0.1111111111111111
    """

    def __init__(
        self,
        ladder: Ladder | None = None,
        *,
        transfer: TransferRules | None = None,
        trust: Trust | None = None,
        start_at_learning_rung: bool = True,
        audit_rate: float = 0.25,
        max_audits: int = 12,
        seed: int = 0,
        promotion: str = "gain",
        claim_timeout: float = 30.0,
        check_share: float | None = 0.1,
    ) -> None:
        of = "parameter of SubsetScheduler"
        for name, value, kind in (
            ("ladder", ladder, Ladder),
            ("transfer", transfer, TransferRules),
            ("trust", trust, Trust),
        ):
            check_instance(name, value, kind, f"a {kind.__name__}", none=True, kind=of)
        check_bool("start_at_learning_rung", start_at_learning_rung, kind=of)
        check_number("claim_timeout", claim_timeout, 0, unit=" of seconds", kind=of)
        check_number("audit_rate", audit_rate, 0, 1, open_high=True, kind=of)
        check_int("max_audits", max_audits, 0, kind=of)
        check_int("seed", seed, 0, kind=of)
        check_choice("promotion", promotion, PROMOTIONS, kind=of)
        if check_share is not None:
            check_number("check_share", check_share, 0, 1, open_low=True, kind=of)
        self.check_share = None if check_share is None else float(check_share)
        self.promotion = promotion
        self.audit_rate = float(audit_rate)
        self.max_audits = max_audits
        self.seed = seed
        self.ladder = ladder or Ladder()
        self.transfer = transfer or TransferRules()
        self.trust = trust or Trust()
        self.start_at_learning_rung = start_at_learning_rung
        self.claim_timeout = float(claim_timeout)

    @classmethod
    def from_study(cls, study: Any, **kwargs: Any) -> SubsetScheduler:
        """A scheduler on the ladder saved with ``study`` (the default ladder if none is)."""
        saved = study.user_attrs.get(LADDER)
        return cls(Ladder.from_dict(saved) if saved else None, **kwargs)

    def __repr__(self) -> str:
        return (
            f"SubsetScheduler({self.ladder!r}, transfer={self.transfer!r}, trust={self.trust!r}, "
            f"start_at_learning_rung={self.start_at_learning_rung}, "
            f"promotion={self.promotion!r})"
        )

    # -- the hook the sampler calls --------------------------------------------------------

    def assign(self, study: Any, trial: Any) -> Assignment:
        """Decide ``trial``'s data fraction, and whether it re-runs a promoted configuration.

        Called once per trial, before any parameter is sampled (the sampler's
        ``before_trial``). The decision is written on the trial (``rocket:fraction``,
        ``rocket:rung``, ``rocket:promoted_from``, ``rocket:transfer``); calling again for the
        same trial returns the recorded decision. A trial that already carries a
        ``rocket:fraction`` (e.g. enqueued by the user) keeps it.

        Args:
            study: the Optuna study.
            trial: the new trial (an ``optuna.Trial`` or ``FrozenTrial``).
        """
        self._check_ladder(study)
        storage, trial_id = study._storage, trial._trial_id
        current = storage.get_trial(trial_id)
        if has_fraction(current):
            return replace(
                self._recorded(study, current), learning_fraction=self.learning_fraction(study)
            )
        self._await_earlier(study, current.number)
        view = view_of(study, self.ladder)
        learn = self._learning_rung(view)
        decision = replace(
            self._decide(view, learn, current.number),
            learning_fraction=self.ladder.fractions[learn],
        )
        # The fraction goes last: other workers treat its presence as "decision complete".
        attrs: dict[str, Any] = {}
        if decision.promote is not None:
            attrs[CHECK_OF if decision.check else PROMOTED_FROM] = decision.promote.number
            if decision.audit:
                attrs[AUDIT] = True
            changes = _changes(decision.promote.params, decision.params or {})
            if changes:
                attrs[TRANSFER] = changes
        attrs[RUNG] = decision.rung
        attrs[FIDELITY_PARAM] = decision.fraction
        # `trial` may hold a cached copy of its attributes (an optuna.Trial reads them from
        # the FrozenTrial given to `before_trial`): update it too, so the objective sees them.
        cached = (
            trial
            if isinstance(trial, FrozenTrial)
            else getattr(trial, "_cached_frozen_trial", None)
        )
        for key, value in attrs.items():
            storage.set_trial_user_attr(trial_id, key, value)
            if isinstance(cached, FrozenTrial):
                cached.user_attrs[key] = value
        self._publish(study, view, learn)
        return decision

    def learning_fraction(self, study: Any) -> float:
        """The data fraction whose scores the policy should learn from.

        The cheapest rung from which every step up to the full data is trusted: one rung
        above the highest adjacent pair whose rank agreement is poor (see :class:`Trust`).
        """
        return self.ladder.fractions[self._learning_rung(view_of(study, self.ladder))]

    def agreement(self, study: Any) -> list[dict[str, Any]]:
        """The rank agreement of each adjacent pair of rungs (the ``rocket:agreement`` form)."""
        return self._agreement_records(view_of(study, self.ladder))

    def record(self, study: Any) -> None:
        """Write the current agreement and learning fraction to the study's user attributes."""
        view = view_of(study, self.ladder)
        self._publish(study, view, self._learning_rung(view))

    # -- internals -------------------------------------------------------------------------

    @property
    def _check_share(self) -> float | None:
        return self.check_share if self.promotion == "gain" else None

    def _learning_rung(self, view: LadderView) -> int:
        """The learning rung; with checks, the cheapest rung trusted against the full data."""
        if self._check_share is None:
            return view.learning_rung(self.trust)
        trusted = [k for k, a in enumerate(view.full_agreements(self.trust))
                   if shown_to_agree(self.trust, a)]
        return min(trusted, default=self.ladder.top)

    def _decide(self, view: LadderView, learn: int, number: int) -> Assignment:
        fractions = self.ladder.fractions
        if self.promotion == "gain":
            plan = gain_plan(view, self.trust, number, seed=self.seed,
                             audit_rate=self.audit_rate, max_audits=self.max_audits,
                             check_share=self._check_share)
            if plan.source is None:
                return Assignment(fractions[plan.rung], plan.rung)
            before = fractions[-1] if plan.check else fractions[plan.rung - 1]
            params, _ = self.transfer.apply(plan.source.params, plan.source.distributions,
                                            before, fractions[plan.rung])
            return Assignment(fractions[plan.rung], plan.rung, plan.source, params,
                              audit=plan.audit, check=plan.check)
        base = view.base_rung(self.trust) if self.start_at_learning_rung else 0
        for k in range(self.ladder.top - 1, base - 1, -1):
            source, audit = self._audit(view, k, number), True
            if source is None:
                candidates = view.promotable(k)
                source, audit = (candidates[0] if candidates else None), False
            if source is not None:
                params, _ = self.transfer.apply(
                    source.params, source.distributions, fractions[k], fractions[k + 1]
                )
                return Assignment(fractions[k + 1], k + 1, source, params, audit=audit)
        return Assignment(fractions[base], base)

    def _audit(self, view: LadderView, k: int, number: int) -> FrozenTrial | None:
        """A random unpromoted configuration of rung ``k``, when an audit is due there."""
        audits, promotions = view.audit_counts(k)
        if audits >= self.max_audits or not audits < self.audit_rate * promotions:
            return None
        return audit_draw(view, k, self.seed, number)

    def _recorded(self, study: Any, trial: FrozenTrial) -> Assignment:
        fraction = data_fraction(trial)  # only called when has_fraction(trial)
        rung = self.ladder.rung_of(fraction)
        check = trial.user_attrs.get(CHECK_OF)
        source_number = trial.user_attrs.get(PROMOTED_FROM, check)
        if source_number is None:
            return Assignment(fraction, -1 if rung is None else rung)
        source = study.get_trials(deepcopy=False)[int(source_number)]
        params = dict(source.params)
        for name, (_, new) in trial.user_attrs.get(TRANSFER, {}).items():
            params[name] = new
        audit = bool(trial.user_attrs.get(AUDIT, False))
        return Assignment(fraction, -1 if rung is None else rung, source, params, audit=audit,
                          check=check is not None)

    def _await_earlier(self, study: Any, number: int) -> None:
        if self.claim_timeout == 0:
            return
        deadline = time.monotonic() + self.claim_timeout
        delay = 0.005
        while time.monotonic() < deadline:
            now = datetime.now()
            pending = [
                t
                for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                if t.number < number
                and not has_fraction(t)
                and t.datetime_start is not None
                and (now - t.datetime_start).total_seconds() < self.claim_timeout
            ]
            if not pending:
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _check_ladder(self, study: Any) -> None:
        saved = study.user_attrs.get(LADDER)
        if saved is None:
            study.set_user_attr(LADDER, self.ladder.to_dict())
        elif not Ladder.from_dict(saved).same_as(self.ladder):
            raise UsageError(
                f"The study {study.study_name!r} was run on the ladder {saved}, but this "
                f"scheduler has {self.ladder.to_dict()}. Resume with "
                f"SubsetScheduler.from_study(study) or the same Ladder."
            )

    def _agreement_records(self, view: LadderView) -> list[dict[str, Any]]:
        fractions = self.ladder.fractions
        records = []
        checked = self._check_share is not None
        measured = view.full_agreements(self.trust) if checked else view.agreements(self.trust)
        for k, a in enumerate(measured):
            upper = fractions[-1] if checked else fractions[k + 1]
            record = {"rung": k, "fractions": [fractions[k], upper], **a.to_dict()}
            record["status"] = self.trust.status(a)
            records.append(record)
        return records

    def _publish(self, study: Any, view: LadderView, learn: int) -> None:
        records = self._agreement_records(view)
        attrs = study.user_attrs
        if attrs.get(AGREEMENT) != records:
            study.set_user_attr(AGREEMENT, records)
        if attrs.get(LEARNING_FRACTION) != self.ladder.fractions[learn]:
            study.set_user_attr(LEARNING_FRACTION, self.ladder.fractions[learn])


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old[k], v] for k, v in new.items() if k in old and old[k] != v}
