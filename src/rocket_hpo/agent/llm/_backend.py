"""The language-model backend behind ``RocketSampler(space, policy="llm", model_path=...)``.

:class:`rocket_hpo.RocketSampler` keeps everything that is not the policy: the fidelity
assignment, promotions, the study's storage, the stage trigger's inputs. This module does,
for the language model, what :mod:`rocket_hpo.agent._compact` does for the compact policy:

- ``sync``: load a newer state another worker saved; when ``group_size`` more trials have
  finished at the learning fidelity, update the adapters on them (with the pool replay),
  save the state (same storage keys as the compact policy, via ``agent._checkpoint``) and
  write the stage's learning signals (same fields; each hyperparameter's distribution is
  the empirical one of the stage's group, in 16 bins of the unit interval for numbers);
- ``propose``: a configuration for a trial, drawn in batches of ``group_size`` from one
  prompt per fidelity (a batch is dropped when the policy changes);
- ``value``: the proposed value of one hyperparameter for ``suggest_*``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import torch
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo._checks import check_instance
from rocket_hpo.agent._advantages import trial_score
from rocket_hpo.agent._checkpoint import load_state, save_state, write_signals
from rocket_hpo.agent._settings import check_policy
from rocket_hpo.agent.llm._agent import LLMAgent
from rocket_hpo.agent.llm._grammar import Trace
from rocket_hpo.agent.llm._settings import LLMSettings
from rocket_hpo.errors import UsageError
from rocket_hpo.fidelity import data_fraction
from rocket_hpo.space import Categorical, Config, Space, SpaceError

__all__ = ["LLMBackend", "make_backend"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)
_BINS = 16


def make_backend(
    policy: Any,
    space: Space | None,
    model_path: Any,
    seed: int | None,
    settings: Any,
    overrides: dict[str, Any],
) -> LLMBackend:
    """The backend for ``RocketSampler(policy=..., model_path=...)``, arguments checked.

    Raises:
        UsageError: naming the argument, for an unknown policy, a missing space or model
            path, a model path given to the compact policy, settings of the wrong kind or
            unknown setting names.
    """
    if policy == "llm" and space is None:
        raise UsageError(
            "policy='llm' needs a 'space': the model's output is constrained to it. Got None."
        )
    check_policy(policy, model_path)
    # RocketSampler calls this only for "llm" or with a model path, which "compact" refuses.
    assert policy == "llm" and space is not None
    check_instance("settings", settings, LLMSettings, "an LLMSettings (with policy='llm')",
                   none=True)
    llm_settings = LLMSettings.from_kwargs(settings, **overrides)
    seed = int(np.random.SeedSequence().entropy % (2**31)) if seed is None else int(seed)  # type: ignore[operator]
    return LLMBackend(space, model_path, seed, llm_settings)


class LLMBackend:
    """Glue between :class:`LLMAgent` and the sampler's hooks (see the module docstring).

    Args:
        space: the search space (required: the grammar is built from it).
        model_path: a local directory with a Hugging Face causal LM and its tokenizer.
        seed: seeds sampling and the adapters' initialisation.
        settings: :class:`LLMSettings`.
        agent: an agent to use instead of loading ``model_path`` (tests, notebooks).
    """

    def __init__(
        self,
        space: Space,
        model_path: str | Path | None,
        seed: int,
        settings: LLMSettings,
        agent: LLMAgent | None = None,
    ) -> None:
        if agent is None:
            if model_path is None:
                raise UsageError(
                    "policy='llm' needs 'model_path': a local directory holding a causal "
                    "language model and its tokenizer. Got None."
                )
            agent = LLMAgent.from_pretrained(space, model_path, settings, seed)
        self.agent = agent
        self.space = space
        self.settings = settings
        self.n_seen = 0  # finished trials at the learning fidelity at the last update
        self.queue: dict[float, list[Trace]] = {}
        self.traces: dict[int, Trace] = {}  # trial number -> what this process sampled
        self.proposals: dict[int, Config] = {}  # trial id -> configuration being suggested

    @property
    def stage(self) -> int:
        return self.agent.stage

    # --- state -----------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        buf = io.BytesIO()
        torch.save({"agent": self.agent.state_bytes(), "n_seen": self.n_seen}, buf)
        return buf.getvalue()

    def start_from(self, data: bytes) -> None:
        """Warm start from another study's state: its adapters, counting stages afresh."""
        self.load_state_bytes(data)
        self.agent.stage = self.n_seen = 0

    def load_state_bytes(self, data: bytes) -> None:
        state = torch.load(io.BytesIO(data), weights_only=True)
        if not isinstance(state, dict) or "agent" not in state:
            raise UsageError(
                "The study holds the compact policy's state; it cannot be resumed with "
                "policy='llm' (resume it with the policy it was started with)."
            )
        self.agent.load_state_bytes(state["agent"])
        self.n_seen = int(state["n_seen"])
        self.queue.clear()

    # --- history -----------------------------------------------------------------------------
    def _history(self, trials: Sequence[FrozenTrial], maximize: bool) -> list[tuple[Config, float]]:
        """(configuration, score) of trials whose parameters fit the space, oldest first."""
        out = []
        for t in sorted(trials, key=lambda t: (t.datetime_complete is None,
                                               t.datetime_complete or 0, t.number)):
            config = {k: v for k, v in t.params.items() if k in self.space}
            try:
                self.space.validate(config)
            except SpaceError:
                trace = self.traces.get(t.number)
                if trace is None:
                    continue  # asked for something else (another objective): not ours
                # It failed before asking for everything: credit what was proposed.
                config = trace.config
            out.append((config, trial_score(t, maximize)))
        return out

    def _learn_trials(
        self, study: optuna.Study, warm: Sequence[FrozenTrial], learn_at: float
    ) -> tuple[list[FrozenTrial], list[FrozenTrial]]:
        trials = study.get_trials(deepcopy=False, states=_FINISHED)
        learn = [t for t in trials if math.isclose(data_fraction(t), learn_at, rel_tol=1e-9)]
        warm_at = [t for t in warm if math.isclose(data_fraction(t), learn_at, rel_tol=1e-9)]
        return learn, warm_at

    # --- hooks -------------------------------------------------------------------------------
    def sync(
        self, study: optuna.Study, trial_id: int, warm: Sequence[FrozenTrial], learn_at: float
    ) -> None:
        """Catch up with a newer saved state; update when a group has finished (the stage's
        signals stored on trial ``trial_id``, the one starting now)."""
        saved = load_state(study)
        if saved is not None and saved[0] > self.agent.stage:
            self.load_state_bytes(saved[2])
        learn, warm_at = self._learn_trials(study, warm, learn_at)
        n = len(learn) + len(warm_at)
        if n - self.n_seen < self.settings.group_size:
            return
        maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
        ordered = sorted(learn, key=lambda t: (t.datetime_complete is None,
                                               t.datetime_complete or 0, t.number))
        n_new = min(n - self.n_seen, 4 * self.settings.group_size, len(ordered))
        group_trials = [t for t in ordered[len(ordered) - n_new:]
                        if self._history([t], maximize)]
        history = self._history([*warm_at, *learn], maximize)
        group_hist = self._history(group_trials, maximize)
        group: list[Trace | Config] = []
        for t, (config, _) in zip(group_trials, group_hist, strict=True):
            trace = self.traces.get(t.number)
            group.append(trace if trace is not None and trace.config == config else config)
        scores = [s for _, s in group_hist]
        self.n_seen = n
        if group:
            stats, adv = self.agent.update(group, scores, history, learn_at)
        else:  # every finished trial asked for something else: nothing to learn from
            return
        for t in group_trials:
            self.traces.pop(t.number, None)
        self.queue.clear()  # proposals of the old policy
        best = max((s for _, s in history), default=-math.inf)
        sign = 1.0 if maximize else -1.0
        finite = [sign * s for s in scores if math.isfinite(s)]
        write_signals(study, trial_id, {
            "stage": self.agent.stage,
            "n_trials": n,
            "fraction": learn_at,
            "entropy": stats.entropy,
            "kl": stats.kl,
            "mean_advantage": float(np.mean(adv)),
            "best_value": sign * best if math.isfinite(best) else None,
            "group_mean_value": float(np.mean(finite)) if finite else None,
            "group_size": len(group),
            "n_failed": len(group) - len(finite),
            "pool_size": min(self.settings.max_elites, len(history)),
            "policy": "llm",
            "hyperparameters": self._summaries([c for c, _ in group_hist]),
        })
        save_state(study, self.state_bytes(), self.agent.stage, 0)

    def _summaries(self, configs: list[Config]) -> dict[str, Any]:
        """Each hyperparameter's empirical distribution over the group that has it."""
        out: dict[str, Any] = {}
        for name, hp in self.space.items():
            values = [c[name] for c in configs if name in c]
            if not values:
                continue
            if isinstance(hp, Categorical):
                counts = [sum(1 for v in values if hp.index(v) == i) for i in range(hp.n_choices)]
                out[name] = {"type": "categorical", "probs": {
                    str(c): k / len(values) for c, k in zip(hp.choices, counts, strict=True)}}
                continue
            units = np.array([hp.to_unit(v) for v in values])
            bins = np.bincount(np.minimum((units * _BINS).astype(int), _BINS - 1),
                               minlength=_BINS) / len(values)
            q10, median, q90 = np.quantile(np.array(values, dtype=float), [0.1, 0.5, 0.9])
            out[name] = {"type": "numeric", "mean": float(np.mean(values)), "q10": float(q10),
                         "median": float(median), "q90": float(q90),
                         "bins": [float(b) for b in bins]}
        return out

    def propose(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        fraction: float,
        warm: Sequence[FrozenTrial],
        learn_at: float,
    ) -> None:
        """Draw the configuration ``trial`` will be given (from this fidelity's batch)."""
        queue = self.queue.setdefault(fraction, [])
        if not queue:
            maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
            learn, warm_at = self._learn_trials(study, warm, learn_at)
            history = self._history([*warm_at, *learn], maximize)
            queue.extend(self.agent.propose(self.settings.group_size, history, fraction))
        trace = queue.pop(0)
        self.traces[trial.number] = trace
        # Traces of trials that never finish at the learning fidelity are never consumed:
        # keep the latest ones only (an older one is re-encoded if its trial comes back).
        for old in sorted(self.traces)[: max(0, len(self.traces) - 16 * self.settings.group_size)]:
            del self.traces[old]
        self.proposals[trial._trial_id] = trace.config

    def value(
        self, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> tuple[bool, Any]:
        """(True, value) when the proposal has ``name`` and it fits ``distribution``."""
        config = self.proposals.get(trial._trial_id)
        if config is None or name not in config:
            return False, None
        value = config[name]
        if not distribution._contains(distribution.to_internal_repr(value)):
            return False, None
        return True, value

    def forget(self, trial: FrozenTrial) -> None:
        self.proposals.pop(trial._trial_id, None)
