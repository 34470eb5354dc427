"""``RocketSampler``: the Rocket agent as an Optuna sampler (thin glue to ``agent/``).

The study runs in **stages**. Whenever ``group_size`` more trials have finished at the
learning fidelity (in any order, from any worker), the next trial's ``before_trial``
updates the policy on the whole history (self-play ranks, pool replay, clipped update with
a KL pull to the previous stage's policy and an entropy floor; see :mod:`rocket_hpo.agent`),
saves the agent's state into the study's storage and stores that stage's learning signals.
Each ``suggest_*`` call is answered by decoding the next hyperparameter from the policy, so
conditional hyperparameters are drawn only when the objective asks for them. With a
``space``, once ``n_startup`` results exist, a trial that is not refining a pool member
is instead decided in ``before_trial``: the policy draws ``n_candidates`` whole
configurations (active hyperparameters only), a self-play critic fitted to the agent's own
ranked history (:mod:`rocket_hpo.agent._critic`) adds ``critic_candidates`` of its own,
and the critic picks the one to evaluate.

Written to the storage (all JSON; see :mod:`rocket_hpo.agent._storage`):

- study system attributes ``rocket:agent:meta`` and ``rocket:agent:state:<i>``: the
  agent's state; a new sampler on the same storage, in this or another process,
  continues from it.
- trial system attribute ``rocket:signals`` on the trial whose start ran a stage update:
  that stage's signals (``entropy``, ``mean_advantage``, ``best_value``,
  ``group_mean_value``, per-hyperparameter distribution summaries ...); read them with
  :func:`rocket_hpo.agent.read_signals`.

Trial user attribute written when a fidelity scheduler is given:
``rocket_hpo.fidelity.FIDELITY_PARAM`` (the data fraction the trial should train on).

**Fidelity hook.** ``fidelity`` is any object with ``assign(study, trial)`` returning an
assignment with ``.fraction`` (float in (0, 1]) and ``.promote`` (a ``FrozenTrial`` whose
parameters to re-propose, or None), and ``learning_fraction(study)`` (the fidelity whose
results the policy learns from). Without one, every trial runs at fraction 1.0.

Failed, pruned and NaN/inf trials rank last.

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

import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.agent._agent import Agent, Draw, uniform_value
from rocket_hpo.agent._critic import Critic
from rocket_hpo.agent._heads import Head, make_head
from rocket_hpo.agent._pool import Row, encode_config, encode_trial, trial_score
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.agent._storage import load_state, save_state, stage_signals, write_signals
from rocket_hpo.fidelity import FIDELITY_PARAM
from rocket_hpo.space import Space

__all__ = ["RocketSampler"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)


@dataclass
class _TrialDraw:
    rng: np.random.Generator
    draw: Draw | None
    preset: dict[str, Any] | None  # values decided in before_trial (promotion or critic)


def _fraction(trial: FrozenTrial) -> float:
    value = trial.user_attrs.get(FIDELITY_PARAM)
    return 1.0 if value is None else float(value)


class RocketSampler(BaseSampler):
    """Rocket's self-play RL policy as an Optuna sampler.

    Args:
        space: the search space, or None to learn it from the trials (define-by-run: every
            hyperparameter any finished trial asked for, including conditional ones).
        seed: seed of every random choice; the same seed gives the same proposals in a
            single-worker study.
        fidelity: a fidelity scheduler (see the module docstring), or None for full data.
        settings: an :class:`~rocket_hpo.agent.AgentSettings`; keyword ``overrides`` replace
            single fields (``RocketSampler(space, group_size=8)``).
        warm_start: finished trials (or a study) whose results join the history the policy
            learns from, e.g. another study of the same space.
        policy_state: bytes from :meth:`state_bytes` of another sampler to start from, used
            when the study has no saved state yet.
        policy: ``"compact"`` (the GRU policy, default) or ``"llm"``: a causal language
            model that writes configurations as JSON, trained with LoRA by the same group
            optimisation (:mod:`rocket_hpo.agent.llm`; needs the ``llm`` extra and a
            ``space``). Storage, fidelity, resume and reports work the same with both.
        model_path: with ``policy="llm"``, a local directory holding the model and its
            tokenizer (e.g. Qwen2.5-0.5B-Instruct); nothing is downloaded. ``settings`` is
            then an :class:`~rocket_hpo.agent.llm.LLMSettings` and ``overrides`` its fields.

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
        fidelity: Any = None,
        settings: AgentSettings | None = None,
        warm_start: optuna.Study | Sequence[FrozenTrial] | None = None,
        policy_state: bytes | None = None,
        policy: str = "compact",
        model_path: str | None = None,
        **overrides: Any,
    ) -> None:
        if space is not None and not isinstance(space, Space):
            raise TypeError(
                f"The 'space' argument must be a rocket_hpo.space.Space or None. Got {space!r}."
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise TypeError(f"The 'seed' argument must be an integer or None. Got {seed!r}.")
        if fidelity is not None and not (
            callable(getattr(fidelity, "assign", None))
            and callable(getattr(fidelity, "learning_fraction", None))
        ):
            raise TypeError(
                "The 'fidelity' argument must have assign(study, trial) and "
                f"learning_fraction(study) methods, or be None. Got {fidelity!r}."
            )
        self._llm: Any = None  # the language-model backend, when policy="llm"
        if policy != "compact" or model_path is not None:
            from rocket_hpo.agent.llm._backend import make_backend  # needs the 'llm' extra

            self._llm = make_backend(policy, space, model_path, seed, settings, overrides)
            settings = None
        self._settings = AgentSettings.from_kwargs(settings, **({} if self._llm else overrides))
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
        self._agent: Agent | None = None
        if self._llm is not None:
            if policy_state is not None:
                self._llm.start_from(policy_state)
        elif policy_state is not None:
            self._agent = Agent.from_bytes(policy_state, self._settings)
            self._agent.seed_key = self._seed_key
            self._agent.stage = self._agent.n_seen = 0
        elif space is not None:
            self._agent = Agent(self._heads_of(space.to_optuna()), self._settings, self._seed_key)
        self._draws: dict[int, _TrialDraw] = {}
        self._rows: dict[tuple[int, int], Row] = {}  # (build, trial number) -> row
        self._critic: Critic | None = None
        self._critic_n = -1  # history size the critic was fitted on
        self._unloadable: str | None = None  # checksum of a stored state that did not fit
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        # Picklable for worker processes (``optimize(n_workers=...)`` without a factory,
        # Ray): the lock and the draws of trials in flight stay behind; the study's state
        # is in its storage, which the copy syncs from at its next trial.
        state = self.__dict__.copy()
        state.update(_lock=None, _draws={})
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
        if self._llm is not None:
            return int(self._llm.stage)
        return 0 if self._agent is None else self._agent.stage

    def state_bytes(self) -> bytes:
        """The agent's current state, to warm-start another sampler (``policy_state=``)."""
        if self._llm is not None:
            return bytes(self._llm.state_bytes())
        if self._agent is None:
            raise RuntimeError("The sampler has no policy yet (no space and no finished trials).")
        return self._agent.state_bytes()

    def _heads_of(self, dists: dict[str, BaseDistribution]) -> list[Head]:
        return [make_head(n, d, self._settings.n_bins) for n, d in dists.items()]

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
        """Sync with the stored state, run a stage update if one is due, and start decoding
        this trial at the fidelity the scheduler assigns."""
        self._raise_error_if_multi_objective(study)
        with self._lock:
            if self._llm is not None:
                learn_at = 1.0 if self._fidelity is None else float(
                    self._fidelity.learning_fraction(study))
                self._llm.sync(study, trial._trial_id, self._warm, learn_at)
            else:
                self._sync(study, trial._trial_id)
            fraction, promote = 1.0, None
            if self._fidelity is not None:
                assignment = self._fidelity.assign(study, trial)
                fraction = float(assignment.fraction)
                study._storage.set_trial_user_attr(trial._trial_id, FIDELITY_PARAM, fraction)
                trial.user_attrs[FIDELITY_PARAM] = fraction
                if assignment.promote is not None:
                    # `params` carries the scheduler's transfer rules (e.g. steps scaled up).
                    params = getattr(assignment, "params", None)
                    promote = dict(assignment.promote.params if params is None else params)
            rng = np.random.default_rng([self._seed_key, trial.number])
            if self._llm is not None:  # the model writes the whole configuration now
                if promote is None:
                    self._llm.propose(study, trial, fraction, self._warm, learn_at)
                self._draws[trial._trial_id] = _TrialDraw(rng, None, promote)
                return
            agent = self._agent
            n_finished = agent.n_seen if agent is not None else 0
            draw = None
            if agent is not None and promote is None and self._critic is not None:
                draw, promote = self._choose(agent, self._critic, fraction, rng, n_finished)
            elif agent is not None:
                draw = agent.begin(fraction, rng, n_finished)
            self._draws[trial._trial_id] = _TrialDraw(rng, draw, promote)

    def sample_independent(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        with self._lock:
            td = self._draws.get(trial._trial_id)
            if td is None:  # before_trial was skipped (not by Optuna's own flow)
                td = _TrialDraw(np.random.default_rng([self._seed_key, trial.number]), None, None)
                self._draws[trial._trial_id] = td
            if td.preset is not None and param_name in td.preset:
                value = td.preset[param_name]
                internal = param_distribution.to_internal_repr(value)
                if param_distribution._contains(internal):
                    return value
            if self._llm is not None:
                found, value = self._llm.value(trial, param_name, param_distribution)
                if found:
                    return value
            agent = self._agent
            position = agent.index.get(param_name) if agent is not None else None
            if (
                agent is not None
                and position is not None
                and td.draw is not None
                and agent.heads[position].distribution == param_distribution
            ):
                return agent.draw(td.draw, position)
            if self._space is not None:
                warnings.warn(
                    f"RocketSampler: {param_name!r} with {param_distribution!r} is not in the "
                    "sampler's space; it is sampled uniformly.",
                    stacklevel=2,
                )
            head = make_head(param_name, param_distribution, self._settings.n_bins)
            return uniform_value(head, td.rng)

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        with self._lock:
            self._draws.pop(trial._trial_id, None)
            if self._llm is not None:
                self._llm.forget(trial)

    # --- stages --------------------------------------------------------------------------------
    def _sync(self, study: optuna.Study, trial_id: int) -> None:
        """Catch up with a newer stored state; refit the critic and run a stage update
        (its signals stored on trial ``trial_id``) when due."""
        attrs = study._storage.get_study_system_attrs(study._study_id)
        meta = attrs.get("rocket:agent:meta")
        agent = self._agent
        if isinstance(meta, dict) and (
            agent is None or (int(meta["stage"]), int(meta["build"])) > (agent.stage, agent.build)
        ):
            # A state already found not to fit is not decoded again at every trial.
            unfit = meta.get("sha256") == self._unloadable
            saved = None if unfit else load_state(study, attrs)
            loaded = None if saved is None else self._load_agent(saved[2], meta)
            if loaded is not None:
                fixed = self._space is None or [h.name for h in loaded.heads] == list(self._space)
                if fixed and loaded.stage >= (agent.stage if agent is not None else 0):
                    if self._seed is not None:
                        loaded.seed_key = self._seed_key
                    self._seed_key = loaded.seed_key
                    self._agent = agent = loaded
        learn_at = 1.0 if self._fidelity is None else float(self._fidelity.learning_fraction(study))
        trials = study.get_trials(deepcopy=False, states=_FINISHED)
        learn = [t for t in trials if math.isclose(_fraction(t), learn_at, rel_tol=1e-9)]
        warm = [t for t in self._warm if math.isclose(_fraction(t), learn_at, rel_tol=1e-9)]
        n = len(learn) + len(warm)
        s = self._settings
        due = agent is None or n - agent.n_seen >= s.group_size
        # The critic needs the space (candidates are whole configurations) and is refitted
        # whenever the history grew; without either job, the history is not built at all.
        refit = (self._space is not None and s.n_candidates + s.critic_candidates > 1
                 and n != self._critic_n)
        if n < s.n_startup or not (due or refit):
            return
        if self._space is None:
            agent = self._rebuild_if_grown([*self._warm, *trials], agent)
        if agent is None:  # define-by-run and no hyperparameter asked for yet
            return
        maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
        history = [self._row(agent, t, maximize, warm=True) for t in warm]
        ordered = sorted(learn, key=lambda t: (t.datetime_complete is None,
                                               t.datetime_complete or 0, t.number))
        history += [self._row(agent, t, maximize) for t in ordered]
        if refit:
            self._critic = Critic.fit(agent.heads, history, s.critic_gamma)
            self._critic_n = n
        if due:
            self._update(study, trial_id, agent, history, ordered, learn_at, n)

    def _choose(
        self, agent: Agent, critic: Critic, fraction: float, rng: np.random.Generator,
        n_finished: int,
    ) -> tuple[Draw, dict[str, Any] | None]:
        """Draw ``n_candidates`` whole configurations from the policy (in the space's order,
        active hyperparameters only, as ``space.suggest`` asks them) and keep the one the
        critic rates best; the trial is then answered from it."""
        assert self._space is not None
        space = self._space
        first = agent.begin(fraction, rng, n_finished)
        if first.parent is not None or any(name not in agent.index for name in space):
            # Local refinement of a pool member (``refine_max``) stays as drawn: re-ranking
            # those steps concentrated the search around the best member (dev tasks).
            # (A policy warm-started from another space cannot decode this one whole.)
            return first, None
        n = self._settings.n_candidates
        if [h.name for h in agent.heads] == list(space):
            configs = agent.draw_many(fraction, rng, n_finished, n, space)
        else:  # decode one at a time, in the space's order
            configs = []
            for i in range(n):
                d = first if i == 0 else agent.begin(fraction, rng, n_finished)
                d.parent = None  # the other candidates are free draws too
                config: dict[str, Any] = {}
                for name in space:
                    if space.is_active(name, config):
                        config[name] = agent.draw(d, agent.index[name])
                configs.append(config)
        configs += [critic.sample(space, agent.index, rng)
                    for _ in range(self._settings.critic_candidates)]
        encoded = [encode_config(agent.heads, c) for c in configs]
        tokens = np.stack([t for t, _ in encoded])
        units = np.stack([u for _, u in encoded])
        best = int(np.argmax(critic.score(units, tokens)))
        # The trial is answered from the chosen configuration (the preset); ``first`` only
        # answers what the objective asks beyond the space.
        return first, configs[best]

    def _load_agent(self, data: bytes, meta: dict[str, Any]) -> Agent | None:
        """The stored agent, or None (with one warning) when it does not fit this sampler:
        saved with other network sizes (``hidden_size``, ``embed_size``, ``n_bins``) or by
        another version of Rocket. The study's trials are all still there, so a new agent
        learns from them at its next stage and its state then replaces the stored one."""
        try:
            return Agent.from_bytes(data, self._settings)
        except (RuntimeError, KeyError, ValueError, TypeError) as exc:
            self._unloadable = meta.get("sha256")
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            warnings.warn(
                f"RocketSampler: the agent state stored in this study (stage {meta.get('stage')})"
                " does not fit this sampler's settings or Rocket version, so a new agent starts"
                f" and learns from the study's trials. ({reason})",
                stacklevel=3,
            )
            return None

    def _rebuild_if_grown(
        self, trials: Sequence[FrozenTrial], agent: Agent | None
    ) -> Agent | None:
        """Define-by-run: the policy covers every hyperparameter seen so far (in order of
        first appearance, latest distribution); when that set changes, rebuild the network
        (it is retrained on the whole history right away, so little is lost)."""
        dists: dict[str, BaseDistribution] = {}
        for t in sorted(trials, key=lambda t: t.number):
            for name, d in t.distributions.items():
                dists[name] = d
        if agent is not None and [(h.name, h.distribution) for h in agent.heads] == list(
            dists.items()
        ):
            return agent
        if not dists:  # nothing asked yet: keep sampling uniformly
            return None
        new = Agent(self._heads_of(dists), self._settings, self._seed_key,
                    build=0 if agent is None else agent.build + 1)
        if agent is not None:
            new.stage, new.n_seen = agent.stage, agent.n_seen
        self._agent = new
        return new

    def _update(
        self,
        study: optuna.Study,
        trial_id: int,
        agent: Agent,
        history: list[Row],
        ordered: list[FrozenTrial],
        learn_at: float,
        n: int,
    ) -> None:
        """One stage: learn from ``history`` (warm rows, then ``ordered``'s rows last)."""
        maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
        n_new = min(n - agent.n_seen, 4 * self._settings.group_size, len(ordered))
        group_trials = ordered[len(ordered) - n_new:]
        group = history[len(history) - n_new:]
        result = agent.update(history, group)
        agent.n_seen = n
        sign = 1.0 if maximize else -1.0
        best = max((r.score for r in history), default=-math.inf)
        group_values = [
            float(t.values[0]) if t.state == TrialState.COMPLETE and t.values else math.nan
            for t in group_trials
        ]
        signals = stage_signals(
            stage=agent.stage, n_trials=n, fraction=learn_at,
            entropy=result.stats.entropy, kl=result.stats.kl,
            mean_advantage=float(np.mean(result.group_advantages)) if group else 0.0,
            best_value=sign * best if math.isfinite(best) else None,
            group_values=group_values, pool_size=len(agent.pool.rows),
            heads=agent.heads, marginals=result.marginals,
        )
        write_signals(study, trial_id, signals)
        save_state(study, agent.state_bytes(), agent.stage, agent.build)

    def _row(self, agent: Agent, t: FrozenTrial, maximize: bool, warm: bool = False) -> Row:
        key = (agent.build, -1 - t.number if warm else t.number)
        row = self._rows.get(key)
        if row is None:
            row = encode_trial(agent.heads, t, _fraction(t), trial_score(t, maximize))
            self._rows[key] = row
        return row
