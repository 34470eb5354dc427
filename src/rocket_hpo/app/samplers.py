"""The optimizer ``rocket tune`` runs: a sampler by name, on the data-subset ladder that a
study file's ``fidelity`` section describes.

Example:
    >>> make_sampler("random", 0).__class__.__name__
    'RandomSampler'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import optuna

from rocket_hpo._checks import check_bool, check_known
from rocket_hpo.app.defaults import SAMPLERS
from rocket_hpo.errors import UsageError

__all__ = ["FIDELITY_KEYS", "fidelity_scheduler", "make_sampler"]

FIDELITY_KEYS = {
    "enabled": "false: every trial on the full data",
    "min_fraction": "the smallest data fraction (default: the built-in task's, else 1/27)",
    "eta": "ratio between rungs and promotion rate (default 3)",
    "max_fraction": "the top rung (default 1.0)",
    "start_at_learning_rung": "with ASHA: start new configurations on the rung the policy "
                              "learns from",
    "promotion": "'gain' (default: by expected gain per cost, new configurations on the full "
                 "data until a subset is shown to agree) or 'asha' (the best third of each rung)",
    "transfer": "rules applied on promotion: a list of {param, power, by}",
}
"""The settings of a study file's ``fidelity`` section, with what each means."""


def fidelity_scheduler(settings: Mapping[str, Any] | None, default_on: bool,
                       defaults: Mapping[str, Any] | None = None) -> Any:
    """The data-subset scheduler a ``fidelity`` section describes (``None``: full data only).

    Args:
        settings: the section (see :data:`FIDELITY_KEYS`); ``None`` or empty for defaults.
        default_on: whether an absent section still means "use the ladder" (Rocket's
            sampler: yes; TPE and random search: no).
        defaults: settings the tuned task declares (a built-in task's smallest rung), used
            where the section does not set them; they never turn the ladder on.

    Raises:
        UsageError: a setting is unknown or invalid; the message names it.

    Example:
        >>> fidelity_scheduler({"min_fraction": 0.1, "eta": 3}, default_on=False).ladder.fractions
        (0.1111111111111111, 0.3333333333333333, 1.0)
    """
    from rocket_hpo.fidelity import Ladder, SubsetScheduler, TransferRules

    settings = dict(settings or {})
    check_known(sorted(settings), FIDELITY_KEYS, what="fidelity setting")
    enabled = check_bool("enabled", settings.pop("enabled", default_on or bool(settings)),
                         kind="fidelity setting")
    if not enabled:
        return None
    settings = {**(defaults or {}), **settings}
    try:
        transfer = TransferRules.from_config(settings.pop("transfer", None) or [])
    except UsageError as e:
        raise UsageError(f"The 'transfer' fidelity setting: {e}") from None
    start = settings.pop("start_at_learning_rung", True)
    promotion = settings.pop("promotion", "gain")
    ladder = Ladder(**settings)
    return SubsetScheduler(ladder, transfer=transfer, start_at_learning_rung=start,
                           promotion=promotion)


def make_sampler(
    name: str,
    seed: int,
    space: Any = None,
    fidelity: Mapping[str, Any] | None = None,
    agent: Mapping[str, Any] | None = None,
    fidelity_defaults: Mapping[str, Any] | None = None,
) -> optuna.samplers.BaseSampler:
    """The sampler called ``name``, seeded; ``fidelity`` settings (a study file's
    ``fidelity`` section) put it on the data-subset ladder.

    ``rocket`` always runs on the ladder (default 1/27, 1/9, 1/3, 1 of the data) unless
    ``fidelity`` says ``enabled: false``; ``tpe`` and ``random`` run on the full data unless
    a ``fidelity`` section is given. ``agent`` overrides Rocket's agent settings;
    ``fidelity_defaults`` are the tuned task's own (see :func:`fidelity_scheduler`).
    """
    scheduler = fidelity_scheduler(fidelity, default_on=(name == "rocket"),
                                   defaults=fidelity_defaults)
    if name == "rocket":
        from rocket_hpo.sampler import RocketSampler

        try:
            return RocketSampler(space, seed=seed, fidelity=scheduler, **dict(agent or {}))
        except (TypeError, ValueError) as e:  # e.g. a model folder that is not there
            raise UsageError(f"Cannot build the Rocket sampler: {e}") from None
    base: optuna.samplers.BaseSampler
    if name == "tpe":
        base = optuna.samplers.TPESampler(seed=seed)
    elif name == "random":
        base = optuna.samplers.RandomSampler(seed=seed)
    else:
        raise UsageError(f"Unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}.")
    if scheduler is None:
        return base
    from rocket_hpo.fidelity import FidelitySampler

    return FidelitySampler(base, scheduler)
