"""What the report shows, read out of a stored study as plain numbers (no plotting here).

Each section is ``None``-free: a section without data carries a ``note`` saying why, and
the page and the PNGs show that note instead of an empty plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import optuna

from rocket_hpo.fidelity import FIDELITY_PARAM
from rocket_hpo.fidelity.keys import AGREEMENT
from rocket_hpo.report._learning import AgentStages, read_agent_stages
from rocket_hpo.space import Space, SpaceError
from rocket_hpo.summary import SPACE_ATTR, StudySummary, summarize, trial_cost

__all__ = ["Agreement", "Axis", "History", "ReportData", "collect"]

MIN_TRIALS_FOR_IMPORTANCE = 5
"""fANOVA on fewer trials than this says more about noise than about hyperparameters."""



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
class Agreement:
    """Rank agreement between adjacent rungs of the data-subset ladder."""

    label: list[str]
    spearman: list[float]
    low: list[float]
    high: list[float]
    n: list[int]
    status: list[str]


@dataclass
class ReportData:
    """Everything the page and the PNGs draw, plus a note per section lacking data."""

    summary: StudySummary
    history: History
    axes: list[Axis]
    axis_values: list[float]
    importances: dict[str, float]
    importance_note: str
    agreement: Agreement | None
    agent: AgentStages | None
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
        fraction = trial_cost(t)
        spent += fraction
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
        by_fraction.setdefault(round(trial_cost(t), 6), []).append(t)
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
    note = (f"fANOVA on the {len(chosen)} trials at data fraction {fraction:g}; conditional "
            f"hyperparameters absent from some trials are left out.")
    return values, note


def _agreement(study: optuna.Study) -> Agreement | None:
    entries = study.user_attrs.get(AGREEMENT) or []
    rows = [e for e in entries if isinstance(e, dict) and e.get("spearman") is not None]
    if not rows:
        return None

    def label(e: dict[str, Any]) -> str:
        lo, hi = e.get("fractions", [math.nan, math.nan])
        return f"{lo:.3g} vs {hi:.3g}"

    return Agreement(
        label=[label(e) for e in rows],
        spearman=[float(e["spearman"]) for e in rows],
        low=[float(e.get("low", -1.0)) for e in rows],
        high=[float(e.get("high", 1.0)) for e in rows],
        n=[int(e.get("n", 0)) for e in rows],
        status=[str(e.get("status", "unknown")) for e in rows],
    )


def collect(study: optuna.Study) -> ReportData:
    """Read everything the report shows out of ``study``."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    complete = sorted(complete, key=lambda t: (t.datetime_complete is None,
                                               t.datetime_complete, t.number))
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    space = _space(study, complete)
    axes = _axes(space, complete) if space is not None else []
    importances, importance_note = _importances(study, complete)
    agent = read_agent_stages(study, space)
    agreement = _agreement(study)
    notes: dict[str, str] = {}
    if not complete:
        notes["history"] = notes["parallel"] = notes["cost"] = "No completed trials yet."
    elif not axes:
        notes["parallel"] = "The trials hold no hyperparameters."
    if not importances:
        notes["importance"] = importance_note
    if agent is None:
        notes["agent"] = notes["stages"] = (
            "No data recorded for this study: the agent's per-stage record is written by "
            "Rocket's sampler (rocket tune --sampler rocket) once its first stage ends; this "
            "study used another sampler or has not finished a stage.")
    elif not agent.distributions:
        notes["agent"] = "No data recorded for this study: the stages hold no distributions."
    if agreement is None:
        has_fidelity = any(FIDELITY_PARAM in t.user_attrs for t in complete)
        notes["agreement"] = (
            "No data recorded for this study: no configuration has been scored on two "
            "adjacent rungs of the data-subset ladder yet." if has_fidelity else
            "No data recorded for this study: every trial ran on the full data (no "
            "data-subset ladder), so there are no rungs to compare.")
    return ReportData(
        summary=summarize(study),
        history=_history(complete, maximize),
        axes=axes,
        axis_values=[float(t.value) for t in complete],  # type: ignore[arg-type]
        importances=importances,
        importance_note=importance_note,
        agreement=agreement,
        agent=agent,
        notes=notes,
    )
