"""The compact policy inside a study: proposals from the history, and the stage loop.

:class:`CompactBackend` answers the sampler's hooks the way
:class:`~rocket_hpo.agent.llm._backend.LLMBackend` does for the language model:

- ``sync``: load a newer state another worker saved; when ``group_size`` more trials
  have finished at the learning fidelity, run one stage: the group update of
  :mod:`rocket_hpo.agent.policy` on those trials (advantages relative to the group, a
  clipped ratio and a KL pull to the previous stage's policy, the reference, which is then
  refreshed), save the state and write the stage's signals;
- ``propose``: the policy reads the bounded history (every finished trial, on every data
  fraction, with its fraction; failures rank last) and decodes the configuration (all of
  it when the space is known; one hyperparameter per ``suggest_*`` call in define-by-run).
  With ``screen`` (on by default, space known) it decodes K configurations; a Gaussian
  process over the same context keeps the most promising one and climbs its numbers
  (:mod:`rocket_hpo.agent._screen`); the trial records which of the K it was, and the climb;
- ``value``: the proposed value of one hyperparameter.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import datetime
import io
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import torch
from optuna.distributions import BaseDistribution
from optuna.trial import FrozenTrial, TrialState

from rocket_hpo.agent._advantages import trial_score
from rocket_hpo.agent._checkpoint import (
    load_state,
    read_meta,
    save_state,
    stage_signals,
    write_signals,
)
from rocket_hpo.agent._history import Columns, Context, decode, make_context, stack
from rocket_hpo.agent._screen import CLIMB_STARTS, GaussianProcess, climb, log_expected_improvement
from rocket_hpo.agent._settings import AgentSettings
from rocket_hpo.agent.policy import (
    HistoryPolicy,
    from_state,
    group_loss,
    no_grad_log_prob,
    state_of,
)
from rocket_hpo.fidelity import data_fraction
from rocket_hpo.keys import SCREEN_KEY
from rocket_hpo.space import Space

__all__ = ["CompactBackend"]

_FINISHED = (TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)
STATE_FORMAT = "compact-2"  # states of the earlier GRU agent have no format: refused


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the policy's small tensors on one thread, then give the user's setting back:
    with a busy machine, torch's thread pool made each proposal ten times slower
    (measured: 50 trials of a 4-D study, 26 s with two threads against 2.7 s with one)."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


def _time_order(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    return sorted(trials, key=lambda t: (t.datetime_complete is None,
                                         t.datetime_complete or 0, t.number))


@dataclass
class _Proposal:
    """What a running trial is being given: the decoded part and how to decode the rest."""

    columns: Columns
    context: Context
    partial: np.ndarray[Any, Any]
    fraction: float
    rng: np.random.Generator


class CompactBackend:
    """The compact policy behind ``RocketSampler`` (see the module docstring).

    Args:
        space: the search space, or None (define-by-run: the columns are every
            hyperparameter finished trials asked for).
        policy: the starting policy (pretrained weights, or a new network).
        settings: :class:`AgentSettings`.
        seed_key: seeds every draw (with the trial number).
    """

    def __init__(self, space: Space | None, policy: HistoryPolicy, settings: AgentSettings,
                 seed_key: int) -> None:
        self.space = space
        self.settings = settings
        self.seed_key = seed_key
        self.policy = policy.cpu().eval()
        self.stage = 0
        self.n_seen = 0  # finished trials at the learning fidelity at the last stage
        self.proposals: dict[int, _Proposal] = {}
        self.fixed = Columns.from_space(space) if space is not None else None
        self.unloadable: str | None = None  # checksum of a stored state found not to fit
        self._encoded: dict[tuple[Any, ...], tuple[np.ndarray[Any, Any], float, float]] = {}
        self._encoded_for: tuple[str, ...] = ()
        self._gp_params: tuple[int, torch.Tensor | None] = (-1, None)  # (stage, fitted)

    # --- state -----------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        buf = io.BytesIO()
        torch.save({"format": STATE_FORMAT, "policy": state_of(self.policy),
                    "stage": self.stage, "n_seen": self.n_seen, "seed_key": self.seed_key}, buf)
        return buf.getvalue()

    def load_state_bytes(self, data: bytes) -> None:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise ValueError("the stored state was written by another version of Rocket's agent")
        self.policy = from_state(state["policy"]).eval()
        self.stage, self.n_seen = int(state["stage"]), int(state["n_seen"])

    def start_from(self, data: bytes) -> None:
        """Warm start from another study's state: its policy, counting stages afresh."""
        self.load_state_bytes(data)
        self.stage = self.n_seen = 0

    # --- history ---------------------------------------------------------------------------
    def _columns(self, trials: Sequence[FrozenTrial]) -> Columns:
        if self.fixed is not None:
            return self.fixed
        dists: dict[str, BaseDistribution] = {}
        for t in sorted(trials, key=lambda t: t.number):
            dists.update(t.distributions)
        lacking = [any(n not in t.params for t in trials) for n in dists]
        return Columns.from_distributions(dists, lacking)

    def _rows(self, columns: Columns, trials: Sequence[FrozenTrial], maximize: bool,
              ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(N, D) unit rows, (N,) scores (larger is better) and (N,) data fractions."""
        encoded = self._encode(columns, trials, maximize)
        units = np.stack([e[0] for e in encoded]) if encoded else np.zeros((0, len(columns.heads)))
        return (units, np.array([e[1] for e in encoded], dtype=float),
                np.array([e[2] for e in encoded], dtype=float))

    def _encode(self, columns: Columns, trials: Sequence[FrozenTrial], maximize: bool,
                ) -> list[tuple[np.ndarray[Any, Any], float, float]]:
        """Each trial's (unit row, score, data fraction)."""
        key = tuple(columns.names)
        if key != self._encoded_for:  # the columns changed (define-by-run): encode afresh
            self._encoded, self._encoded_for = {}, key
        out = []
        for t in trials:
            # Finished trials do not change: each is read once (the start time tells a
            # warm-start trial from this study's trial of the same number).
            k = (t.number, t.datetime_start, t.state, maximize)
            cached = self._encoded.get(k)
            if cached is None:
                cached = self._encoded[k] = (columns.encode(self._params(columns, t)),
                                             trial_score(t, maximize), data_fraction(t))
            out.append(cached)
        return out

    @staticmethod
    def _params(columns: Columns, t: FrozenTrial) -> dict[str, Any]:
        """A trial's parameters that match their column (a changed distribution is absent)."""
        return {h.name: t.params[h.name] for h in columns.heads
                if h.name in t.params and t.distributions[h.name] == h.distribution}

    def _context(self, columns: Columns, trials: Sequence[FrozenTrial], maximize: bool,
                 ) -> Context:
        encoded = self._encode(columns, trials, maximize)  # rows stay a list: see make_context
        units = [e[0] for e in encoded] or np.zeros((0, len(columns.heads)))
        return make_context(units, np.array([e[1] for e in encoded], dtype=float),
                            np.array([e[2] for e in encoded], dtype=float), self.settings.context)

    # --- hooks -----------------------------------------------------------------------------
    def sync(self, study: optuna.Study, trial_id: int, warm: Sequence[FrozenTrial],
             learn_at: float) -> None:
        """Catch up with a newer saved state; run a stage when a group has finished."""
        attrs = study._storage.get_study_system_attrs(study._study_id)
        meta = read_meta(attrs) or {}
        newer = int(meta.get("stage", 0)) > self.stage and meta.get("sha256") != self.unloadable
        saved = load_state(study, attrs) if newer else None  # decoded only when it is news
        if saved is not None and saved[0] > self.stage:
            try:
                self.load_state_bytes(saved[2])
            except Exception as exc:  # any state this version cannot read does not fit
                self.unloadable = meta.get("sha256")
                warnings.warn(
                    f"RocketSampler: the agent state stored in this study (stage {saved[0]}) "
                    f"does not fit this version of Rocket ({exc}), so the agent starts from its "
                    "initial policy and learns from the study's trials.", stacklevel=4)
        trials = study.get_trials(deepcopy=False, states=_FINISHED)
        everything = [*warm, *trials]
        learn = [t for t in everything
                 if math.isclose(data_fraction(t), learn_at, rel_tol=1e-9)]
        n = len(learn)
        if n - self.n_seen < self.settings.group_size:
            return
        maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
        learn_ids = {id(t) for t in learn}
        own = _time_order([t for t in trials if id(t) in learn_ids])
        group = own[len(own) - min(n - self.n_seen, 4 * self.settings.group_size):]
        self.n_seen = n
        # Stage numbers only grow, even when a stored state could not be read (a state
        # of another version): a lower stage must never replace a higher one.
        self.stage = max(self.stage, int(meta.get("stage", 0))) + 1
        columns = self._columns(everything)
        stats = self._update(columns, everything, learn, group, maximize)
        self._signals(study, trial_id, columns, everything, learn, group, learn_at, maximize,
                      stats)
        save_state(study, self.state_bytes(), self.stage, 0)

    def _update(self, columns: Columns, everything: Sequence[FrozenTrial],
                learn: Sequence[FrozenTrial], group: Sequence[FrozenTrial], maximize: bool,
                ) -> dict[str, float]:
        """One group update on ``group`` (the stage's trials at the learning fidelity)."""
        s = self.settings
        if s.update_steps == 0 or len(group) < 2:
            return {}
        scores = np.array([trial_score(t, maximize) for t in learn])
        finite = np.sort(scores[np.isfinite(scores)])

        def percentile(t: FrozenTrial) -> float:  # self-play: rank among the study's own
            y = trial_score(t, maximize)
            return 0.0 if not math.isfinite(y) else float(np.searchsorted(finite, y,
                                                                          "right") / len(finite))

        p = np.array([percentile(t) for t in group])
        adv = (p - p.mean()) / (p.std() + 0.1)
        items: list[tuple[Context, int, np.ndarray[Any, Any], float]] = []
        actions, advantages = [], []
        done: list[FrozenTrial] = []
        completed: list[datetime.datetime] = []
        for o in _time_order(everything):
            if o.datetime_complete is not None:
                done.append(o)
                completed.append(o.datetime_complete)
        units, scores_done, fractions = self._rows(columns, done, maximize)
        numbers = np.array([o.number for o in done], dtype=np.int64)
        for t, a in zip(group, adv, strict=True):
            # What the policy saw when it proposed t: the trials finished before t started
            # (a prefix of the completion order).
            k = 0 if t.datetime_start is None else bisect.bisect_right(completed,
                                                                       t.datetime_start)
            keep = np.flatnonzero(numbers[:k] != t.number)
            ctx = make_context(units[keep], scores_done[keep], fractions[keep],
                               self.settings.context)
            row = columns.encode(self._params(columns, t))
            partial = np.full(len(columns.heads), np.nan)
            for j in range(len(columns.heads)):
                if math.isnan(row[j]):
                    continue
                items.append((ctx, j, partial.copy(), data_fraction(t)))
                actions.append(row[j])
                advantages.append(a)
                partial[j] = row[j]
        if not items:
            return {}
        d = stack(columns, items)
        action = torch.tensor(actions, dtype=torch.float32)
        reference = copy.deepcopy(self.policy)
        old = no_grad_log_prob(reference, d, action)
        opt = torch.optim.Adam(self.policy.parameters(), lr=s.learning_rate)
        stats: dict[str, float] = {}
        self.policy.train()
        for _ in range(s.update_steps):
            loss, stats = group_loss(self.policy, d, action, torch.tensor(advantages,
                                     dtype=torch.float32), old, old, clip=s.clip,
                                     kl_coef=s.kl_coef)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), 1.0)
            opt.step()
        self.policy.eval()
        if not all(torch.isfinite(q).all() for q in self.policy.parameters()):
            self.policy = reference  # a diverged update is undone (the reference stands)
            stats = {"kl": math.nan}
        stats["mean_advantage"] = float(np.mean(adv))
        return stats

    def _signals(self, study: optuna.Study, trial_id: int, columns: Columns,
                 everything: Sequence[FrozenTrial], learn: Sequence[FrozenTrial],
                 group: Sequence[FrozenTrial], learn_at: float, maximize: bool,
                 stats: dict[str, float]) -> None:
        """The stage's learning signals; each hyperparameter's distribution is that of 32
        configurations the policy would now propose."""
        ctx = self._context(columns, _time_order(everything), maximize)
        rng = np.random.default_rng([self.seed_key, 1_000_003, self.stage])
        draws, _ = decode(self.policy, columns, [ctx] * 32, range(len(columns.heads)),
                          learn_at, rng, log_probs=False)
        marginals = []
        for j in range(len(columns.heads)):
            u = draws[:, j][~np.isnan(draws[:, j])]
            c = int(columns.n_choices[j])
            width = c or 16
            idx = u.astype(int) if c else np.minimum((u * width).astype(int), width - 1)
            counts = np.bincount(idx, minlength=width).astype(float) + 1e-3
            marginals.append(counts / counts.sum())
        entropy = float(np.mean([-(m * np.log(m)).sum() / math.log(len(m)) for m in marginals])) \
            if marginals else 0.0
        scores = [trial_score(t, maximize) for t in learn]
        best = max(scores, default=-math.inf)
        sign = 1.0 if maximize else -1.0
        signals = stage_signals(
            stage=self.stage, n_trials=len(learn), fraction=learn_at, entropy=entropy,
            kl=stats.get("kl", 0.0), mean_advantage=stats.get("mean_advantage", 0.0),
            best_value=sign * best if math.isfinite(best) else None,
            group_values=[float(t.values[0]) if t.state == TrialState.COMPLETE and t.values
                          else math.nan for t in group],
            pool_size=min(self.settings.context, len(learn)),
            heads=columns.heads, marginals=marginals)
        write_signals(study, trial_id, signals)

    def propose(self, study: optuna.Study, trial: FrozenTrial, fraction: float,
                warm: Sequence[FrozenTrial], learn_at: float) -> None:
        """Decode the configuration ``trial`` gets (all of it, given a space)."""
        trials = [*warm, *_time_order(study.get_trials(deepcopy=False, states=_FINISHED))]
        maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
        columns = self._columns(trials)
        if not self.settings.cheap_results:  # the ablation: only the learning rung's results
            trials = [t for t in trials if math.isclose(data_fraction(t), learn_at)]
        ctx = self._context(columns, trials, maximize)
        rng = np.random.default_rng([self.seed_key, trial.number])
        partial = np.full(len(columns.heads), np.nan)
        if self.fixed is not None:
            partial, screen = self._screened(columns, ctx, fraction, rng)
            if screen is not None:  # the screen's share of the decision, for the report
                study._storage.set_trial_system_attr(trial._trial_id, SCREEN_KEY, screen)
        self.proposals[trial._trial_id] = _Proposal(columns, ctx, partial, fraction, rng)

    def _screened(self, columns: Columns, ctx: Context, fraction: float, rng: np.random.Generator,
                  ) -> tuple[np.ndarray[Any, Any], dict[str, Any] | None]:
        """The policy's draw; with ``screen`` K > 1 and a few differing results, the one of
        its K draws with the largest expected improvement under a Gaussian process fitted
        to the context, climbed (see :mod:`rocket_hpo.agent._screen`); what the screen did."""
        k = self.settings.screen
        finite = ~ctx.failed
        # A model needs results that differ: on a plateau (e.g. a network that has not learned
        # at all) it would only steer away from failures; till then the policy explores alone.
        if k <= 1 or finite.sum() < 3 or np.ptp(ctx.z[finite]) == 0:
            return decode(self.policy, columns, [ctx], range(len(columns.heads)), fraction,
                          rng, log_probs=False)[0][0], None
        draws = decode(self.policy, columns, [ctx] * k, range(len(columns.heads)), fraction,
                       rng, log_probs=False)[0]
        log_f = math.log(fraction)
        here = np.isclose(ctx.log_fraction, log_f) & finite
        best = float(ctx.z[here].max() if here.any() else ctx.z[finite].max())
        # The model's hyperparameters are fitted once per stage (the fit was about half of
        # a screened proposal's cost); every trial updates the posterior with its results.
        stage, fitted = self._gp_params
        try:
            gp = GaussianProcess.fit(ctx.units, ctx.log_fraction, ctx.z, columns.n_choices,
                                     fitted if stage == self.stage else None)
            mean, std = gp.predict(draws, np.full(k, log_f))
        except RuntimeError:  # a kernel matrix no jitter makes positive definite: no screen
            return draws[0], None
        self._gp_params = (self.stage, gp.log_params)
        log_ei = log_expected_improvement(mean, std, best)
        top = torch.argsort(log_ei, descending=True)[:CLIMB_STARTS].numpy()
        s, x, value, moved = climb(gp, draws[top], log_ei[top].numpy(), best, log_f,
                                   columns.snap, self.settings.climb, rng)
        return x, {"draws": k, "chosen": int(top[s]), "log_ei": value, "climbed": moved}

    def value(self, trial: FrozenTrial, name: str, distribution: BaseDistribution,
              ) -> tuple[bool, Any]:
        """(True, value) when the policy has a value of ``name`` that fits ``distribution``;
        in define-by-run the value is decoded now, given the ones decoded before it."""
        p = self.proposals.get(trial._trial_id)
        if p is None or name not in p.columns.names:
            return False, None
        j = p.columns.names.index(name)
        if p.columns.heads[j].distribution != distribution:
            return False, None
        if math.isnan(p.partial[j]):
            # Define-by-run (or an objective that asks beyond the space's conditions): this
            # one is decoded now, given the values decoded before it.
            p.partial = decode(self.policy, p.columns, [p.context], [j], p.fraction, p.rng,
                               active=lambda k, _: True, start=p.partial[None],
                               log_probs=False)[0][0]
        return True, p.columns.value(j, float(p.partial[j]))

    def forget(self, trial: FrozenTrial) -> None:
        self.proposals.pop(trial._trial_id, None)
