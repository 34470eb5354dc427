"""The ladder's state, derived from a study's trials alone (so it survives restarts and
is the same for every worker sharing the storage)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity.agreement import Agreement, Trust
from rocket_hpo.fidelity.ladder import Ladder
from rocket_hpo.keys import AUDIT, CHECK_OF, PROMOTED_FROM, data_fraction, has_fraction


@dataclass
class Rung:
    """The trials of one rung."""

    fraction: float
    complete: list[FrozenTrial] = field(default_factory=list)
    """Finished with a value."""
    failed: list[FrozenTrial] = field(default_factory=list)
    """Failed or pruned: ranked last, never promoted."""
    running: list[FrozenTrial] = field(default_factory=list)
    """Assigned here, no result yet."""


@dataclass
class LadderView:
    """Rungs, promotions and lineages of a study's trials."""

    ladder: Ladder
    maximize: bool
    rungs: list[Rung]
    claimed: dict[int, int]
    """Source trial number -> number of the trial that promotes it (any state). A check's
    own trial is claimed by itself: its configuration already has a full-data result, so it
    is never promoted."""
    root: dict[int, int]
    """Trial number -> number of the rung-0-most trial of its configuration's lineage."""
    parent: dict[int, int]
    """Promoted trial number -> number of the trial it re-runs."""
    audits: set[int] = field(default_factory=set)
    """Numbers of the trials that are audit promotions (a random configuration of the rung
    below, not its best): the unbiased sample the agreement is measured on."""
    checks: dict[int, int] = field(default_factory=dict)
    """Check trial number -> number of the full-data trial whose configuration it re-runs on
    a subset (any state)."""
    _agreements: dict[Trust, list[Agreement]] = field(default_factory=dict)
    _full_agreements: dict[Trust, list[Agreement]] = field(default_factory=dict)

    def sort_key(self, trial: FrozenTrial) -> float:
        """Smaller is better, whatever the direction."""
        assert trial.value is not None  # only complete trials are ranked
        return -trial.value if self.maximize else trial.value

    def ranked(self, k: int) -> list[FrozenTrial]:
        """Rung ``k``'s complete trials, best first; ties broken by trial number."""
        return sorted(self.rungs[k].complete, key=lambda t: (self.sort_key(t), t.number))

    def promotable(self, k: int) -> list[FrozenTrial]:
        """ASHA: the best ``floor(n / eta)`` of rung ``k``'s results, less those promoted.

        ``n`` counts failed trials too, which rank last, so a rung full of failures does not
        promote its few survivors faster than a healthy one would.
        """
        n = len(self.rungs[k].complete) + len(self.rungs[k].failed)
        quota = math.floor(n / self.ladder.eta + 1e-9)
        top = self.ranked(k)[:quota]
        return [t for t in top if t.number not in self.claimed]

    def pairs(self, k: int) -> tuple[list[float], list[float]]:
        """Scores on rungs ``k`` and ``k + 1`` of the configurations audited from rung ``k``.

        Only audits count: the ASHA promotions are the best of rung ``k``, and among them
        the rankings of two rungs can agree while rung ``k`` ranks the population badly
        (it promoted the wrong configurations, which then stay in the same order).
        """
        lower = {t.number: float(t.value) for t in self.rungs[k].complete}  # type: ignore[arg-type]
        xs, ys = [], []
        for t in self.rungs[k + 1].complete:
            source = self.parent.get(t.number)
            if t.number in self.audits and source in lower:
                xs.append(lower[source])
                ys.append(float(t.value))  # type: ignore[arg-type]
        return xs, ys

    def full_pairs(self, k: int) -> tuple[list[float], list[float]]:
        """Scores on rung ``k`` and on the full data of every configuration that has both.

        A configuration has both when it was checked on rung ``k`` after its full-data run,
        or when its lineage of promotions passed through rung ``k`` on its way up. The first
        are the configurations the study runs on the full data (mostly the policy's own
        proposals), the second the best of rung ``k``: both are the population a subset must
        rank well to be of use, unlike random configurations.
        """
        top = self.ladder.top
        on_k = {t.number: float(t.value) for t in self.rungs[k].complete}  # type: ignore[arg-type]
        full = {t.number: float(t.value) for t in self.rungs[top].complete}  # type: ignore[arg-type]
        pairs: dict[int, tuple[float, float]] = {}
        for number, source in self.checks.items():
            if number in on_k and source in full:
                pairs[source] = (on_k[number], full[source])
        for number, y in full.items():
            if number not in pairs:
                below = next((n for n in self.ancestors(number) if n in on_k), None)
                if below is not None:
                    pairs[number] = (on_k[below], y)
        xs = [x for x, _ in pairs.values()]
        return xs, [y for _, y in pairs.values()]

    def full_agreements(self, trust: Trust) -> list[Agreement]:
        """The agreement of each rung below the full data with the full data, cheapest first."""
        if trust not in self._full_agreements:
            self._full_agreements[trust] = [
                trust.measure(*self.full_pairs(k)) for k in range(self.ladder.top)
            ]
        return self._full_agreements[trust]

    def checked(self, k: int) -> set[int]:
        """Full-data trials whose configuration has (or is getting) a result on rung ``k``."""
        numbers = {t.number for r in (self.rungs[k].complete, self.rungs[k].failed,
                                      self.rungs[k].running) for t in r}
        out = {source for n, source in self.checks.items() if n in numbers}
        out.update(t.number for t in self.rungs[self.ladder.top].complete
                   if any(n in numbers for n in self.ancestors(t.number)))
        return out

    def ancestors(self, number: int) -> list[int]:
        """The trials trial ``number`` was promoted from, nearest first."""
        out: list[int] = []
        while number in self.parent and self.parent[number] not in out:  # guards a cycle
            number = self.parent[number]
            out.append(number)
        return out

    def audit_counts(self, k: int) -> tuple[int, int]:
        """(audits, all promotions) claimed from rung ``k`` so far."""
        at_k = {t.number for t in (*self.rungs[k].complete, *self.rungs[k].failed)}
        sources = [(s, n) for s, n in self.claimed.items() if s in at_k]
        return sum(n in self.audits for _, n in sources), len(sources)

    def agreements(self, trust: Trust) -> list[Agreement]:
        """The agreement of each adjacent pair of rungs, cheapest first."""
        if trust not in self._agreements:
            self._agreements[trust] = [
                trust.measure(*self.pairs(k)) for k in range(self.ladder.top)
            ]
        return self._agreements[trust]

    def learning_rung(self, trust: Trust) -> int:
        """The cheapest rung from which every step up to the full data is trusted.

        That is one above the highest untrusted pair (by default: a *poor* one): a rung whose
        ranking disagrees with the next cannot stand in for the full data, and neither can
        any rung below it (its ranking is only checked against the untrusted one).
        """
        bad = [k for k, a in enumerate(self.agreements(trust)) if not trust.trusted(a)]
        return max(bad) + 1 if bad else 0

    def base_rung(self, trust: Trust) -> int:
        """The rung new configurations start on: one above the highest *poor* pair.

        A rung shown to rank differently from the next stops filtering; a rung merely not
        yet proven (a sceptical trust's learning rung can be above it) keeps filtering.
        """
        poor = [k for k, a in enumerate(self.agreements(trust)) if trust.status(a) == "poor"]
        return max(poor) + 1 if poor else 0


def build_view(trials: Sequence[FrozenTrial], ladder: Ladder, maximize: bool) -> LadderView:
    """Sort ``trials`` onto ``ladder``'s rungs; trials off the ladder are left out."""
    rungs = [Rung(f) for f in ladder.fractions]
    claimed: dict[int, int] = {}
    parent: dict[int, int] = {}
    audits: set[int] = set()
    checks: dict[int, int] = {}
    for t in trials:
        if t.user_attrs.get(AUDIT):
            audits.add(t.number)
        if t.user_attrs.get(CHECK_OF) is not None:
            checks[t.number] = int(t.user_attrs[CHECK_OF])
            claimed.setdefault(t.number, t.number)
        k = ladder.rung_of(data_fraction(t)) if has_fraction(t) else None
        source = t.user_attrs.get(PROMOTED_FROM)
        if source is not None:
            # The first claimant wins: a later one can only exist after a lost race.
            claimed.setdefault(int(source), t.number)
            parent[t.number] = int(source)
        if k is None:
            continue
        if t.state == TrialState.COMPLETE and t.value is not None and not math.isnan(t.value):
            rungs[k].complete.append(t)
        elif t.state in (TrialState.FAIL, TrialState.PRUNED) or t.state == TrialState.COMPLETE:
            rungs[k].failed.append(t)
        elif t.state == TrialState.RUNNING:
            rungs[k].running.append(t)
    root: dict[int, int] = {}
    for t in trials:
        n, seen = t.number, set()
        while n in parent and n not in seen:  # `seen` guards against a corrupted cycle
            seen.add(n)
            n = parent[n]
        root[t.number] = n
    for number, source in checks.items():  # a check re-runs its source's configuration
        root[number] = root.get(source, source)
    return LadderView(ladder, maximize, rungs, claimed, root, parent, audits, checks)


def view_of(study: Any, ladder: Ladder) -> LadderView:
    """:func:`build_view` over all of ``study``'s trials."""
    from optuna.study import StudyDirection

    if len(study.directions) != 1:
        raise UsageError(
            f"The fidelity scheduler supports single-objective studies only. Got a study with "
            f"{len(study.directions)} objectives."
        )
    maximize = study.directions[0] == StudyDirection.MAXIMIZE
    return build_view(study.get_trials(deepcopy=False), ladder, maximize)
