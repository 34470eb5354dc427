"""Rocket: hyperparameter optimisation by a self-play RL policy, as an Optuna sampler.

Public names are listed in ``__all__``; the sampler (and with it torch) is imported lazily,
on first use of ``rocket_hpo.RocketSampler``, so ``import rocket_hpo`` stays cheap.

Where things live, one concept per folder, from the command down to the shared facts: a
module imports only from rows below its own (one exception: pretraining reads the
benchmark's YAHPO problems), and ``tests/test_layout.py`` checks that no import cycle exists.

- ``app/``: the ``rocket`` command (``cli``, ``tune``, ``study_file``, ``status`` for
  ``rocket status`` and ``rocket best``, ``dashboard``, ``progress``, ``samplers``,
  ``defaults``).
- ``bench/``: the benchmark harness (problems, optimizer adapters with Rocket's among them,
  parallel ``jobs``, ``stats``, the Markdown/PNG ``summary``).
- ``report/``: the HTML and PNG report of one study. ``integrations/``: Ray Tune.
- ``sampler.py``: :class:`RocketSampler`, the Optuna hooks only, over the agent's backend
  interface and the fidelity hook.
- ``agent/``: the policy, its in-study stage loop (``_compact``), its saved state
  (``_checkpoint``), pretraining (``pretrain/``) and the language-model policy (``llm/``).
- ``tasks/``: the built-in deep-learning tasks, their registry, and the one Optuna
  objective wrapper (``tasks.base.TrialObjective``, beside ``Task`` and ``EvalResult``, which
  it serves; ``tasks.objective`` holds what it trains through: a task by name, a study
  file's ``module:function``).
- ``fidelity/``: the data-subset ladder: the hook (``hook``: :class:`FidelityHook` and
  its ``Assignment``), the scheduler, rank agreement, transfer rules, the cost ledger, and
  any Optuna sampler on the ladder (``on_ladder``).
- ``runner/``: the only code that opens storages (by URL), runs workers, and counts trials
  and their cost; ``summarize`` and ``load_study`` for the commands and the report.
- ``space/``: typed hyperparameters, conditions, their YAML and Optuna forms.
- ``keys.py``: every attribute name stored in a study, and :func:`~rocket_hpo.keys.data_fraction`,
  the one reader of a trial's data fraction (its cost too). ``errors.py``: ``UsageError``,
  the one exception for a user's mistake (a ``ValueError`` and a ``TypeError``), and
  ``_checks.py``: the checks that raise it, in one message format.
  ``_text.py``: how a score is written.

The mistakes users make, and the exception each raises, are tabled in ``docs/errors.md``.

Example:
    >>> import rocket_hpo
    >>> "RocketSampler" in rocket_hpo.__all__
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rocket_hpo.agent import AgentSettings
    from rocket_hpo.fidelity import Ladder, SubsetScheduler, data_fraction
    from rocket_hpo.sampler import RocketSampler

__all__ = ["AgentSettings", "Ladder", "RocketSampler", "SubsetScheduler", "data_fraction"]

# The data-subset fidelity API, also imported lazily (it needs optuna).
_FIDELITY = ("Ladder", "SubsetScheduler", "data_fraction")


def __getattr__(name: str) -> Any:
    if name == "RocketSampler":
        from rocket_hpo.sampler import RocketSampler

        return RocketSampler
    if name in _FIDELITY:
        from rocket_hpo import fidelity

        return getattr(fidelity, name)
    if name == "AgentSettings":
        from rocket_hpo.agent import AgentSettings

        return AgentSettings
    raise AttributeError(f"module 'rocket_hpo' has no attribute {name!r}")
