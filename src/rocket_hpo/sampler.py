"""``RocketSampler``: the Rocket agent as an Optuna sampler (glue only; see ``agent/``).

The policy proposes every trial. It reads the study's history (every finished trial, on
every data fraction, with its fraction; failures rank last) and writes the next
configuration one hyperparameter at a time (:mod:`rocket_hpo.agent.policy`); with a
space given, it draws ``screen`` (64) configurations and a Gaussian process fitted to
the same history keeps the most promising, its numbers moved a short way uphill in
expected improvement (``climb``; :mod:`rocket_hpo.agent._screen`). It starts
from pretrained weights shipped with the package (``pretrained=False``: a new network;
``policy_path=``: other weights) and keeps learning in the study: whenever
``group_size`` more trials have finished at the learning fidelity, the next trial's
``before_trial`` runs one stage (a group update with a KL pull to the previous stage's
policy), saves the agent's state into the study's storage and stores that stage's
learning signals (:mod:`rocket_hpo.agent._compact`).

Written to the storage (all JSON; the names are in :mod:`rocket_hpo.keys`):

- study system attributes ``rocket:agent:meta`` and ``rocket:agent:state:<i>``: the
  agent's state; a new sampler on the same storage, in this or another process,
  continues from it.
- trial system attribute ``rocket:signals`` on the trial whose start ran a stage update:
  that stage's signals; read them with :func:`rocket_hpo.agent.read_signals`.
- trial user attribute ``rocket:origin``: where the trial's configuration came from:
  ``policy`` (the policy's draw), ``promotion`` (the fidelity scheduler re-runs a
  configuration on more data), ``check`` (it re-runs a full-data configuration on a subset,
  to measure how well the subset ranks) or ``enqueued`` (fixed by the user).
- trial user attribute ``rocket:fraction`` when a fidelity scheduler
  is given (the data fraction the trial should train on).

**Fidelity hook.** ``fidelity`` is a :class:`rocket_hpo.fidelity.FidelityHook` (such as
:class:`~rocket_hpo.fidelity.SubsetScheduler`, or any object with its two methods): its
``assign(study, trial)`` gives each trial's fraction and promotion, its
``learning_fraction(study)`` the fidelity whose results the stage updates learn from.
Without one, every trial runs at fraction 1.0.

Example:
    >>> import optuna
    >>> from rocket_hpo import RocketSampler
    >>> from rocket_hpo.space import Categorical, Float, Space
    >>> space = Space(x=Float(-5, 5), kind=Categorical(["a", "b"]))
    >>> def objective(trial):
    ...     c = space.suggest(trial)
    ...     return (c["x"] - 1.0) ** 2 + (0.0 if c["kind"] == "a" else 1.0)
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=RocketSampler(space, seed=0))
    >>> study.optimize(objective, n_trials=30)
    >>> study.best_value < 1.0
    True
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo._checks import check_bool, check_instance, check_int
from rocket_hpo.agent._backend import PolicyBackend
from rocket_hpo.agent._compact import one_thread
from rocket_hpo.agent._heads import make_head
from rocket_hpo.agent._make import make_backend
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.fidelity.hook import FidelityHook
from rocket_hpo.keys import FIDELITY_PARAM, FIXED_PARAMS, ORIGIN_KEY
from rocket_hpo.space import Space

__all__ = ["RocketSampler"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)


class RocketSampler(BaseSampler):
    """Rocket's policy agent as an Optuna sampler.

    Args:
        space: the search space, or None to learn it from the trials (define-by-run: every
            hyperparameter any finished trial asked for, including conditional ones).
        seed: seed of every random choice; the same seed gives the same proposals in a
            single-worker study.
        fidelity: a fidelity scheduler (see the module docstring), or None for full data.
        settings: an :class:`~rocket_hpo.agent.AgentSettings`; keyword ``overrides`` replace
            single fields (``RocketSampler(space, group_size=8)``).
        warm_start: finished trials (or a study) whose results join the history the policy
            reads and learns from, e.g. another study of the same space.
        policy_state: bytes from :meth:`state_bytes` of another sampler to start from, used
            when the study has no saved state yet.
        pretrained: start from the weights shipped with Rocket (default), or from a new
            network (False): the from-scratch policy.
        policy_path: a weight file written by ``rocket pretrain`` to start from instead.
        policy: ``"compact"`` (the history-conditioned network, default) or ``"llm"``: a
            causal language model that writes configurations as JSON, trained with LoRA by
            the same group optimisation (:mod:`rocket_hpo.agent.llm`; needs the ``llm``
            extra and a ``space``). Storage, fidelity, resume and reports work the same.
        model_path: with ``policy="llm"``, a local directory holding the model and its
            tokenizer; nothing is downloaded. ``settings`` is then an
            :class:`~rocket_hpo.agent.llm.LLMSettings` and ``overrides`` its fields.

    Example:
        >>> from rocket_hpo.space import Float, Space
        >>> RocketSampler(Space(lr=Float(1e-4, 1.0, log=True)), seed=0, group_size=8)
        RocketSampler(seed=0, group_size=8)
    """

    def __init__(
        self,
        space: Space | None = None,
        *,
        seed: int | None = None,
        fidelity: FidelityHook | None = None,
        settings: AgentSettings | None = None,
        warm_start: optuna.Study | Sequence[FrozenTrial] | None = None,
        policy_state: bytes | None = None,
        pretrained: bool = True,
        policy_path: str | None = None,
        policy: str = "compact",
        model_path: str | None = None,
        **overrides: Any,
    ) -> None:
        check_instance("space", space, Space, "a rocket_hpo.space.Space", none=True,
                       kind="parameter of RocketSampler")
        seed = int(seed) if isinstance(seed, np.integer) else seed
        check_int("seed", seed, none=True, kind="parameter of RocketSampler")
        check_instance("fidelity", fidelity, FidelityHook,
                       "a FidelityHook (assign(study, trial) and learning_fraction(study))",
                       none=True, kind="parameter of RocketSampler")
        check_bool("pretrained", pretrained, kind="parameter of RocketSampler")
        self._overrides = overrides
        self._seed = None if seed is None else int(seed)
        self._seed_key = (
            self._seed if self._seed is not None
            else int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]
        )
        self._space = space
        self._fidelity = fidelity
        if isinstance(warm_start, optuna.Study):
            warm_start = warm_start.get_trials(deepcopy=False, states=_FINISHED)
        self._warm = [t for t in (warm_start or []) if t.state in _FINISHED]
        self._backend: PolicyBackend = make_backend(
            space, seed=seed, seed_key=self._seed_key, settings=settings, overrides=overrides,
            pretrained=pretrained, policy_path=policy_path, policy=policy,
            model_path=model_path, policy_state=policy_state,
        )
        self._preset: dict[int, dict[str, Any]] = {}  # trial id -> values fixed before_trial
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        # Picklable for worker processes (``optimize(n_workers=...)`` without a factory,
        # Ray): the lock and the proposals of trials in flight stay behind; the study's
        # state is in its storage, which the copy syncs from at its next trial.
        state = self.__dict__.copy()
        state.update(_lock=None, _preset={})
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self._overrides.items())
        return f"RocketSampler(seed={self._seed!r}{extra})"

    # --- public helpers ----------------------------------------------------------------------
    @property
    def stage(self) -> int:
        """Stages completed so far (as far as this sampler knows)."""
        return int(self._backend.stage)

    def state_bytes(self) -> bytes:
        """The agent's current state, to warm-start another sampler (``policy_state=``)."""
        return bytes(self._backend.state_bytes())

    # --- Optuna hooks --------------------------------------------------------------------------
    def infer_relative_search_space(
        self, study: optuna.Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: optuna.Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        """Sync with the stored state, run a stage if one is due, and decide where this
        trial's configuration comes from (a promotion, or the policy's proposal)."""
        self._raise_error_if_multi_objective(study)
        with self._lock:
            fraction, promote, learn_at, check = 1.0, None, 1.0, False
            if self._fidelity is not None:
                # One look at the ladder: the assignment carries the learning fraction.
                assignment = self._fidelity.assign(study, trial)
                learned = getattr(assignment, "learning_fraction", None)
                learn_at = float(self._fidelity.learning_fraction(study)
                                 if learned is None else learned)
            with one_thread():
                self._backend.sync(study, trial._trial_id, self._warm, learn_at)
            if self._fidelity is not None:
                fraction = float(assignment.fraction)
                study._storage.set_trial_user_attr(trial._trial_id, FIDELITY_PARAM, fraction)
                trial.user_attrs[FIDELITY_PARAM] = fraction
                if assignment.promote is not None:
                    # `params` carries the scheduler's transfer rules (e.g. steps scaled up).
                    params = getattr(assignment, "params", None)
                    promote = dict(assignment.promote.params if params is None else params)
                    check = bool(getattr(assignment, "check", False))
            if promote is not None:
                origin = "check" if check else "promotion"
                self._preset[trial._trial_id] = promote
            elif FIXED_PARAMS in trial.system_attrs:
                origin = "enqueued"
            else:
                origin = "policy"
                with one_thread():
                    self._backend.propose(study, trial, fraction, self._warm, learn_at)
            study._storage.set_trial_user_attr(trial._trial_id, ORIGIN_KEY, origin)

    def sample_independent(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        with self._lock:
            preset = self._preset.get(trial._trial_id)
            if preset is not None and param_name in preset:
                value = preset[param_name]
                if param_distribution._contains(param_distribution.to_internal_repr(value)):
                    return value
            with one_thread():
                found, value = self._backend.value(trial, param_name, param_distribution)
            if found:
                return value
            if self._space is not None and param_name not in self._space:
                warnings.warn(
                    f"RocketSampler: {param_name!r} with {param_distribution!r} is not in the "
                    "sampler's space; it is sampled uniformly.",
                    stacklevel=2,
                )
            rng = np.random.default_rng([self._seed_key, trial.number, len(trial.params)])
            head = make_head(param_name, param_distribution, 64)
            if head.kind == "categorical":
                return param_distribution.choices[int(rng.integers(head.n_outputs))]  # type: ignore[attr-defined]
            return head.value(float(rng.random()))

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        with self._lock:
            self._preset.pop(trial._trial_id, None)
            self._backend.forget(trial)
