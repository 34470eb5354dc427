"""The agent's state and per-stage signals, kept in the study's storage, so a resumed study,
another worker process or a report reads them from there.

Study system attributes (their names are in :mod:`rocket_hpo.keys`):

- ``rocket:agent:meta``: ``{"stage", "build", "slot", "chunks", "sha256", "bytes"}``,
  written last.
- ``rocket:agent:state:<slot>:<i>``: chunk ``i`` of the base64 text of ``torch.save`` of
  the state (policy weights, counters, seed), at most :data:`CHUNK` characters each so
  that every storage backend accepts them; two slots alternate (see :func:`save_state`).

Trial system attribute:

- ``rocket:signals`` on the trial whose start ran a stage update: the learning signals of
  that stage, a JSON object (see :func:`stage_signals`). They used to be study system
  attributes (``rocket:signals:<stage>``, still read). Every trial re-reads all study
  system attributes to sync the agent, so signals kept there made each trial slower as
  the study grew; finished trials are cached by Optuna's storages.

Example:
    >>> import optuna
    >>> study = optuna.create_study()
    >>> save_state(study, b"abc" * 10, stage=3, build=0)
    >>> load_state(study)
    (3, 0, b'abcabcabcabcabcabcabcabcabcabc')
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import optuna
from numpy.typing import NDArray

from rocket_hpo.agent._heads import Head
from rocket_hpo.keys import META_KEY, SIGNALS_KEY, SIGNALS_PREFIX, STATE_PREFIX

__all__ = [
    "CHUNK",
    "load_state",
    "read_signals",
    "save_state",
    "stage_signals",
    "write_signals",
]

CHUNK = 60_000


def save_state(study: optuna.Study, data: bytes, stage: int, build: int) -> None:
    """Write ``data`` (the agent's serialised state) in chunks, then the meta record.

    Two slots alternate: the chunks go to the slot the current meta record does not point
    at, and the meta record is written last, so a writer killed half-way (or a reader
    meeting one) still finds the previous state whole. Only the meta's slot is read.
    """
    text = base64.b64encode(data).decode("ascii")
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    storage, sid = study._storage, study._study_id
    current = read_meta(storage.get_study_system_attrs(sid))
    slot = 1 - int(current.get("slot", 1)) if current else 0
    for i, chunk in enumerate(chunks):
        storage.set_study_system_attr(sid, f"{STATE_PREFIX}{slot}:{i}", chunk)
    meta: dict[str, Any] = {
        "stage": stage,
        "build": build,
        "slot": slot,
        "chunks": len(chunks),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    storage.set_study_system_attr(sid, META_KEY, meta)


def read_meta(attrs: Mapping[str, Any]) -> dict[str, Any] | None:
    meta = attrs.get(META_KEY)
    return meta if isinstance(meta, dict) else None


def load_state(
    study: optuna.Study, attrs: Mapping[str, Any] | None = None
) -> tuple[int, int, bytes] | None:
    """(stage, build, state bytes) saved in ``study``, or None when there is none or a
    concurrent writer left it inconsistent (the caller then keeps its own state)."""
    if attrs is None:
        attrs = study._storage.get_study_system_attrs(study._study_id)
    meta = read_meta(attrs)
    if meta is None:
        return None
    try:
        # Studies saved before the two slots have no "slot" and unnumbered chunks.
        prefix = STATE_PREFIX if "slot" not in meta else f"{STATE_PREFIX}{int(meta['slot'])}:"
        text = "".join(attrs[f"{prefix}{i}"] for i in range(int(meta["chunks"])))
        data = base64.b64decode(text)
    except (KeyError, ValueError, TypeError):
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None
    return int(meta["stage"]), int(meta["build"]), data


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _quantile(head: Head, probs: NDArray[Any], q: float) -> Any:
    """Value at quantile ``q`` of a head's output distribution (uniform inside each bin)."""
    cdf = np.cumsum(probs / probs.sum())
    b = min(int(np.searchsorted(cdf, q)), len(cdf) - 1)
    before = cdf[b - 1] if b > 0 else 0.0
    inside = (q - before) / max(cdf[b] - before, 1e-12)
    return head.value((b + min(max(inside, 0.0), 1.0)) / len(probs))


def summarise_head(head: Head, probs: NDArray[Any]) -> dict[str, Any]:
    """The report's view of one hyperparameter's current distribution."""
    if head.kind == "categorical":
        choices = head.distribution.choices  # type: ignore[attr-defined]
        return {"type": "categorical",
                "probs": {str(c): float(p) for c, p in zip(choices, probs, strict=True)}}
    centres = (np.arange(len(probs)) + 0.5) / len(probs)
    mean_u = float((probs * centres).sum() / probs.sum())
    return {
        "type": "numeric",
        "mean": head.value(mean_u),
        "q10": _quantile(head, probs, 0.1),
        "median": _quantile(head, probs, 0.5),
        "q90": _quantile(head, probs, 0.9),
        "bins": [float(p) for p in probs],
    }


def stage_signals(
    *,
    stage: int,
    n_trials: int,
    fraction: float,
    entropy: float,
    kl: float,
    mean_advantage: float,
    best_value: float | None,
    group_values: list[float],
    pool_size: int,
    heads: list[Head],
    marginals: list[NDArray[Any]],
) -> dict[str, Any]:
    """The JSON record stored under ``rocket:signals:<stage>``.

    Fields: ``stage``; ``n_trials`` (finished trials at the learning fidelity);
    ``fraction`` (that fidelity); ``entropy`` (mean normalised entropy of the policy's
    heads over the pool's contexts, 1 = uniform); ``kl`` (KL to the previous stage's
    policy); ``mean_advantage`` (of the stage's group); ``best_value`` (best objective
    value so far at that fidelity, in the study's direction); ``group_mean_value`` (mean
    objective value of the group's completed trials); ``group_size``; ``n_failed`` (failed
    trials in the group); ``pool_size``; ``hyperparameters``: per name, for categorical
    ones ``{"type": "categorical", "probs": {choice: p}}``, for numeric ones
    ``{"type": "numeric", "mean", "q10", "median", "q90", "bins"}``.
    """
    finite = [v for v in group_values if math.isfinite(v)]
    return {
        "stage": stage,
        "n_trials": n_trials,
        "fraction": fraction,
        "entropy": _finite(entropy),
        "kl": _finite(kl),
        "mean_advantage": _finite(mean_advantage),
        "best_value": best_value,
        "group_mean_value": float(np.mean(finite)) if finite else None,
        "group_size": len(group_values),
        "n_failed": len(group_values) - len(finite),
        "pool_size": pool_size,
        "hyperparameters": {h.name: summarise_head(h, m)
                            for h, m in zip(heads, marginals, strict=True)},
    }


def write_signals(study: optuna.Study, trial_id: int, signals: dict[str, Any]) -> None:
    """Store a stage's signals on the (running) trial whose start ran the update."""
    study._storage.set_trial_system_attr(trial_id, SIGNALS_KEY, signals)


def read_signals(study: optuna.Study) -> list[dict[str, Any]]:
    """All stored per-stage signals of ``study``, in stage order.

    Example:
        >>> import optuna
        >>> read_signals(optuna.create_study())
        []
    """
    attrs = study._storage.get_study_system_attrs(study._study_id)
    found = [attrs[k] for k in sorted(attrs) if k.startswith(SIGNALS_PREFIX)]
    found += [t.system_attrs[SIGNALS_KEY] for t in study.get_trials(deepcopy=False)
              if SIGNALS_KEY in t.system_attrs]
    # One record per stage (two workers may both have run it: the later trial's is kept).
    by_stage = {int(r["stage"]): r for r in found if isinstance(r, dict) and "stage" in r}
    return [by_stage[k] for k in sorted(by_stage)]
