"""What the report shows, read out of a stored study as plain numbers (no plotting here).

Each section is ``None``-free: a section without data carries a ``note`` saying why, and
the page and the PNGs show that note instead of an empty plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import optuna

from rocket_hpo._text import format_score
from rocket_hpo.keys import (
    AGREEMENT,
    LEARNING_FRACTION,
    SCREEN_KEY,
    SPACE_ATTR,
    data_fraction,
    has_fraction,
    trial_cost,
)
from rocket_hpo.report._learning import AgentStages, read_agent_stages
from rocket_hpo.report._ledger import Ledger, ledger
from rocket_hpo.report._trials import ORIGINS, TrialRow, origin_of, trial_rows
from rocket_hpo.runner import StudySummary, summarize
from rocket_hpo.space import Space, SpaceError

__all__ = ["Axis", "History", "ReportData", "RungPair", "collect"]

MIN_TRIALS_FOR_IMPORTANCE = 5
"""fANOVA on fewer trials than this says more about noise than about hyperparameters."""
MAX_AXES = 10
"""Parallel-coordinate axes at most: more do not fit side by side at 1280 px."""
MAX_AGENT_PANELS = 6
"""Hyperparameters whose policy distribution the agent section draws, at most."""
MIN_PAIRS_FOR_INTERVAL = 4
"""Below this, Spearman's rho has no confidence interval (see fidelity.agreement)."""


@dataclass
class History:
    """Completed trials in the order they finished, against the cost spent so far."""

    number: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    fraction: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    """Cumulative cost (full-data equivalents) when the trial finished."""
    full_equivalent: list[float] = field(default_factory=list)
    """Cumulative cost had every evaluation so far run on the full data."""
    best: list[float | None] = field(default_factory=list)
    """Best value at full fidelity so far (None before the first full-data trial)."""


@dataclass
class Axis:
    """One hyperparameter as an axis of the parallel-coordinates plot, on [0, 1]."""

    name: str
    position: list[float]
    """Each trial's position on the axis; -0.1 marks "inactive" (a condition did not hold)."""
    tickvals: list[float]
    ticktext: list[str]


@dataclass
class RungPair:
    """The rank agreement between two adjacent rungs of the data-subset ladder."""

    lower: float
    upper: float
    n: int
    """Configurations scored on both rungs."""
    spearman: float | None
    low: float
    high: float
    confidence: float
    status: str
    sentence: str
    """What the pair says, in words (also when it has too few configurations to judge)."""

    @property
    def measured(self) -> bool:
        """Whether rho has a real interval (not the -1..1 placeholder of too few pairs)."""
        return self.spearman is not None and self.n >= MIN_PAIRS_FOR_INTERVAL

    @property
    def label(self) -> str:
        return f"{self.lower:.3g} vs {self.upper:.3g}"


@dataclass
class ReportData:
    """Everything the page and the PNGs draw, plus a note per section lacking data."""

    summary: StudySummary
    history: History
    axes: list[Axis]
    """The most important hyperparameters (at most :data:`MAX_AXES`), most important first."""
    hidden_axes: list[str]
    """The other hyperparameters the trials set, left off the plot."""
    axes_note: str
    """How the axes were chosen."""
    axis_values: list[float]
    importances: dict[str, float]
    importance_note: str
    agreement: list[RungPair]
    agent: AgentStages | None
    agent_names: list[str]
    """The hyperparameters the agent section draws, most important first."""
    proposals: dict[str, tuple[list[int], list[float]]]
    """Per drawn hyperparameter: (trial numbers, positions on [0, 1]) of the policy's draws."""
    origins: dict[str, list[int]]
    """Per origin (a key of ORIGINS), the numbers of the trials it produced."""
    screened: list[int]
    """The numbers of the trials the policy's screen chose among its draws."""
    trials: list[TrialRow]
    ledger: Ledger
    notes: dict[str, str]


def _space(study: optuna.Study, trials: list[optuna.trial.FrozenTrial]) -> Space | None:
    stored = study.user_attrs.get(SPACE_ATTR)
    try:
        if stored:
            return Space.from_dict(stored)
        distributions: dict[str, Any] = {}
        for t in trials:
            distributions.update(t.distributions)
        return Space.from_optuna(distributions) if distributions else None
    except SpaceError:
        return None


def _history(trials: list[optuna.trial.FrozenTrial], maximize: bool) -> History:
    h = History()
    spent = full = 0.0
    best: float | None = None
    for t in trials:
        fraction = data_fraction(t)
        spent += trial_cost(t)
        full += 1.0
        value = float(t.value)  # type: ignore[arg-type]
        if fraction >= 1.0 - 1e-9 and (best is None or (value > best) == maximize):
            best = value
        h.number.append(t.number)
        h.value.append(value)
        h.fraction.append(fraction)
        h.cost.append(spent)
        h.full_equivalent.append(full)
        h.best.append(best)
    return h


def _axes(space: Space, trials: list[optuna.trial.FrozenTrial]) -> list[Axis]:
    axes = []
    for name, hp in space.items():
        if not any(name in t.params for t in trials):
            continue
        positions = []
        for t in trials:
            try:
                positions.append(float(hp.to_unit(t.params[name])) if name in t.params else -0.1)
            except (SpaceError, ValueError, KeyError):
                positions.append(-0.1)
        if hp.n_choices:
            choices = list(getattr(hp, "choices", []))
            tickvals = [float(hp.to_unit(c)) for c in choices]
            ticktext = [str(c) for c in choices]
        else:
            tickvals = [0.0, 0.25, 0.5, 0.75, 1.0]
            ticktext = [f"{hp.from_unit(u):.3g}" for u in tickvals]
        if any(p < 0 for p in positions):
            tickvals, ticktext = [-0.1, *tickvals], ["inactive", *ticktext]
        axes.append(Axis(name, positions, tickvals, ticktext))
    return axes


def _importances(
    study: optuna.Study, trials: list[optuna.trial.FrozenTrial]
) -> tuple[dict[str, float], str]:
    """fANOVA importances on the rung with the most completed trials (scores on different
    data fractions are not comparable, so they are not mixed)."""
    if not trials:
        return {}, "No completed trials yet."
    by_fraction: dict[float, list[optuna.trial.FrozenTrial]] = {}
    for t in trials:
        by_fraction.setdefault(round(data_fraction(t), 6), []).append(t)
    fraction, chosen = max(by_fraction.items(), key=lambda kv: (len(kv[1]), kv[0]))
    if len(chosen) < MIN_TRIALS_FOR_IMPORTANCE:
        return {}, (f"Too few completed trials on one data fraction for importances: "
                    f"{len(chosen)} (at least {MIN_TRIALS_FOR_IMPORTANCE} are needed).")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    probe = optuna.create_study(direction=study.direction)
    probe.add_trials(chosen)
    try:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
        result = optuna.importance.get_param_importances(probe, evaluator=evaluator)
    except (RuntimeError, ValueError) as e:
        return {}, f"Importances could not be computed: {e}"
    values = {k: float(v) for k, v in result.items() if math.isfinite(v)}
    if not values:
        return {}, "No hyperparameter was set in every trial, so none can be ranked."
    note = (f"fANOVA on the {len(chosen)} trials at data fraction {fraction:.3g}; conditional "
            f"hyperparameters absent from some trials are left out.")
    return values, note


def _pair_sentence(n: int, rho: float | None, low: float, high: float, confidence: float,
                   status: str) -> str:
    if rho is None:
        if n < 3:
            return (f"Too few to judge: {n} configuration{'s' if n != 1 else ''} scored on "
                    f"both rungs (rho needs at least 3, an interval "
                    f"{MIN_PAIRS_FOR_INTERVAL}).")
        return (f"Nothing to rank: the {n} configurations scored on both rungs got the same "
                f"score on one of them.")
    if n < MIN_PAIRS_FOR_INTERVAL:
        return (f"Too few to judge: rho is {format_score(rho)} over only {n} configurations, "
                f"which leaves its interval at -1 to 1 (an interval needs at least "
                f"{MIN_PAIRS_FOR_INTERVAL}).")
    measured = (f"rho {format_score(rho)} over {n} configurations, {confidence:.0%} interval "
                f"{format_score(low)} to {format_score(high)}")
    verdict = {
        "agrees": "the cheaper rung ranks configurations as the larger one does",
        "poor": "the cheaper rung's ranking cannot stand in for the larger one's",
    }.get(status, "not yet enough configurations for a verdict")
    return f"{measured[0].upper()}{measured[1:]}: {verdict}."


def _agreement(study: optuna.Study) -> list[RungPair]:
    pairs = []
    for e in study.user_attrs.get(AGREEMENT) or []:
        if not isinstance(e, dict):
            continue
        lower, upper = [*(e.get("fractions") or []), math.nan, math.nan][:2]
        rho = e.get("spearman")
        rho = float(rho) if isinstance(rho, int | float) and math.isfinite(rho) else None
        n, low, high = int(e.get("n", 0)), float(e.get("low", -1.0)), float(e.get("high", 1.0))
        confidence, status = float(e.get("confidence", 0.9)), str(e.get("status", "unknown"))
        pairs.append(RungPair(float(lower), float(upper), n, rho, low, high, confidence, status,
                              _pair_sentence(n, rho, low, high, confidence, status)))
    return pairs


def _ranked(names: list[str], importances: dict[str, float]) -> list[str]:
    """``names``, most important first; those without an importance keep their order after."""
    order = {n: i for i, n in enumerate(names)}
    return sorted(names, key=lambda n: (-importances.get(n, -1.0), order[n]))


def _moved(agent: AgentStages) -> dict[str, float]:
    """How far each distribution moved from its first to its last stage (total variation)."""
    return {name: 0.5 * sum(abs(a - b) for a, b in zip(d.probs[0], d.probs[-1], strict=True))
            for name, d in agent.distributions.items() if d.probs}


def _proposals(trials: list[optuna.trial.FrozenTrial], space: Space | None,
               names: list[str]) -> dict[str, tuple[list[int], list[float]]]:
    out: dict[str, tuple[list[int], list[float]]] = {n: ([], []) for n in names}
    if space is None:
        return out
    for t in sorted(trials, key=lambda t: t.number):
        if origin_of(t) != "policy":
            continue
        for name in names:
            if name in t.params and name in space:
                try:
                    position = float(space[name].to_unit(t.params[name]))
                except (SpaceError, ValueError, KeyError):
                    continue
                out[name][0].append(t.number)
                out[name][1].append(position)
    return out


def _agent_note(agent: AgentStages | None, origins: dict[str, list[int]],
                study: optuna.Study, shown: str = "proposal distribution") -> str | None:
    if agent is not None and agent.distributions:
        return None
    if agent is not None:
        return "The policy's stage records hold no distributions to show."
    if not origins.get("policy"):
        return (f"This study was not run by Rocket's policy (no trial says it was drawn by "
                f"the policy), so there is no {shown} to show.")
    learn = study.user_attrs.get(LEARNING_FRACTION, 1.0)
    return (f"The policy has not finished a learning stage yet: a stage ends each time a "
            f"group of trials completes on the data fraction it learns from "
            f"({float(learn):.3g}), and this study has too few there so far.")


def collect(study: optuna.Study) -> ReportData:
    """Read everything the report shows out of ``study``."""
    every = study.get_trials(deepcopy=False)
    complete = [t for t in every if t.state == optuna.trial.TrialState.COMPLETE]
    complete = sorted(complete, key=lambda t: (t.datetime_complete is None,
                                               t.datetime_complete, t.number))
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    space = _space(study, complete)
    importances, importance_note = _importances(study, complete)
    all_axes = _axes(space, complete) if space is not None else []
    ranked = _ranked([a.name for a in all_axes], importances)
    by_name = {a.name: a for a in all_axes}
    axes = [by_name[n] for n in ranked[:MAX_AXES]]
    if importances:
        axes_note = (f"The {len(axes)} most important hyperparameters by fANOVA importance "
                     f"(see the importances below), most important first.")
    else:
        axes_note = (f"The first {len(axes)} hyperparameters in the space's order: "
                     f"importances are not available ({importance_note[0].lower()}"
                     f"{importance_note[1:]})")
    agent = read_agent_stages(study, space)
    origins: dict[str, list[int]] = {}
    for t in sorted(every, key=lambda t: t.number):
        if t.state != optuna.trial.TrialState.RUNNING or t.params:
            origins.setdefault(origin_of(t), []).append(t.number)
    agent_names: list[str] = []
    if agent is not None and agent.distributions:
        moved = _moved(agent)
        agent_names = sorted(agent.distributions, key=lambda n: (
            -importances.get(n, -1.0), -moved.get(n, 0.0)))[:MAX_AGENT_PANELS]
    notes: dict[str, str] = {}
    if not complete:
        notes["history"] = notes["parallel"] = "No completed trials yet."
    elif not axes:
        notes["parallel"] = "The trials hold no hyperparameters."
    if not importances:
        notes["importance"] = importance_note
    agent_note = _agent_note(agent, origins, study)
    if agent_note is not None:
        notes["agent"] = agent_note
    stages_note = _agent_note(agent, origins, study, shown="learning stage")
    if agent is None and stages_note is not None:
        notes["stages"] = stages_note
    if not every:
        notes["origin"] = notes["trials"] = "The study holds no trials yet."
    book = ledger(study)
    if not book.this.best:
        notes["cost"] = ("No trial has completed on the full data yet, so no quality level "
                         "has been reached at any cost." if complete else
                         "No completed trials yet.")
    agreement = _agreement(study)
    if not any(p.measured for p in agreement):
        has_fidelity = any(has_fraction(t) for t in complete)
        notes["agreement"] = (
            f"No pair of rungs has {MIN_PAIRS_FOR_INTERVAL} configurations scored on both yet, "
            f"so no agreement can be measured; each pair below says how many it has."
            if agreement else
            "No configuration has been scored on two rungs of the data-subset ladder yet."
            if has_fidelity else
            "Every trial ran on the full data (no data-subset ladder), so there are no rungs "
            "to compare.")
    return ReportData(
        summary=summarize(study),
        history=_history(complete, maximize),
        axes=axes,
        hidden_axes=ranked[MAX_AXES:],
        axes_note=axes_note,
        axis_values=[float(t.value) for t in complete],  # type: ignore[arg-type]
        importances=importances,
        importance_note=importance_note,
        agreement=agreement,
        agent=agent,
        agent_names=agent_names,
        proposals=_proposals(every, space, agent_names),
        screened=[t.number for t in every if SCREEN_KEY in t.system_attrs],
        origins={k: origins[k] for k in ORIGINS if k in origins},
        trials=trial_rows(every),
        ledger=book,
        notes=notes,
    )
