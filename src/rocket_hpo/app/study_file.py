"""YAML study files: everything ``rocket tune`` needs to run a study, in one file.

A study file names what to tune (a built-in ``task`` or an ``objective`` given as
``module:function`` with its ``space``) and, optionally, how (budget, trials, storage,
seed, workers, sampler, fidelity settings). Command-line options override the file.

Example file::

    study_name: my-mlp            # default: the file name without .yaml
    objective: train_mlp:train    # module:function; the file's folder is importable
    direction: maximize           # maximize | minimize (default maximize)
    metric: val_accuracy          # a label for the value, shown in progress and reports
    space:                        # the search-space YAML form (see rocket_hpo.space)
      lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
      optimizer: {type: categorical, choices: [adam, sgd]}
      momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
    fidelity:                     # data-subset ladder, passed to the fidelity scheduler
      min_fraction: 0.037
      eta: 3
    budget: 20                    # cost in full-data equivalents (a trial on 1/9 costs 1/9)
    trials: 100
    storage: sqlite:///rocket.db
    seed: 0
    workers: 1
    timeout_per_trial: 3600       # seconds; a trial past it fails and its process is ended
    agent: {group_size: 4}        # Rocket's agent settings (rocket_hpo.agent.AgentSettings)
    # agent: {policy: llm, model_path: models/qwen2.5-0.5b}   # the language-model policy
    #   (its settings are rocket_hpo.agent.llm.LLMSettings fields; needs the 'llm' extra)

The objective is called with the configuration (a dict holding only the active
hyperparameters) and, as keyword arguments, whichever of ``fraction`` (the share of the
training data to use), ``seed`` and ``trial`` (the Optuna trial) it declares; it returns the
score. An objective that does not declare ``fraction`` runs every trial on the full data
(no data subsets, no promotions); a ``fidelity`` section then needs it to declare ``trial``
and read the fraction from it (``rocket_hpo.fidelity.data_fraction(trial)``).

Every mistake is a :class:`StudyFileError` naming the file, line and key:
``study.yaml:7: key 'space.lr.low': ...``.

Example:
    >>> spec = load_study_file("task: digits\\ntrials: 5\\n")
    >>> spec.task, spec.trials
    ('digits', 5)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rocket_hpo.app.defaults import SAMPLERS
from rocket_hpo.app.samplers import fidelity_scheduler
from rocket_hpo.errors import UsageError
from rocket_hpo.space import Space, SpaceError
from rocket_hpo.tasks.objective import FileObjective

__all__ = ["StudyFileError", "StudySpec", "load_study_file"]

_KEYS = {
    "study_name": "the study's name in the storage",
    "task": "a built-in task name (instead of objective/space)",
    "objective": "module:function returning the score",
    "direction": "maximize or minimize",
    "metric": "a label for the score",
    "space": "the search space",
    "fidelity": "data-subset ladder settings",
    "budget": "cost limit in full-data equivalents",
    "trials": "number of trials in the study",
    "storage": "Optuna storage URL",
    "seed": "random seed",
    "workers": "parallel worker processes",
    "timeout_per_trial": "seconds one trial may run before it is failed",
    "sampler": "optimizer name",
    "agent": "settings of Rocket's agent (rocket_hpo.agent.AgentSettings fields)",
}


class StudyFileError(UsageError):
    """A mistake in a study file; the message names the file, the line and the key."""


@dataclass
class StudySpec:
    """A parsed, validated study file. ``None`` means "not given: use the default"."""

    path: str
    study_name: str | None = None
    task: str | None = None
    objective: str | None = None
    direction: Literal["maximize", "minimize"] = "maximize"
    metric: str = "score"
    space: Space | None = None
    fidelity: dict[str, Any] = field(default_factory=dict)
    budget: float | None = None
    trials: int | None = None
    storage: str | None = None
    seed: int | None = None
    workers: int | None = None
    timeout_per_trial: float | None = None
    sampler: str | None = None
    folder: str = ""
    """The study file's folder, importable by the objective."""
    agent: dict[str, Any] = field(default_factory=dict)
    """Overrides of Rocket's agent settings (``group_size``, ``update_steps``, ...)."""


def _check_agent(agent: dict[str, Any]) -> None:
    """Check an ``agent`` section: ``policy`` (``compact`` or ``llm``), ``model_path`` (with
    ``llm``) and the chosen policy's settings, by name. Raises UsageError."""
    from rocket_hpo.agent import AgentSettings
    from rocket_hpo.agent._settings import check_policy

    policy = agent.pop("policy", "compact")
    check_policy(policy, agent.pop("model_path", None))
    if policy == "llm":
        from rocket_hpo.agent.llm._settings import LLMSettings

        LLMSettings.from_kwargs(**agent)
    else:
        AgentSettings.from_kwargs(**agent)


def _key_lines(node: Any, prefix: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Map dotted key paths ('space.lr.low') to their 1-based line in the file."""
    import yaml

    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            out[path] = key_node.start_mark.line + 1
            _key_lines(value_node, path, out)
    return out


class _Reader:
    """Reads typed values from the parsed mapping, raising errors with file:line: key."""

    def __init__(self, source: str, data: Mapping[str, Any], lines: dict[str, int]) -> None:
        self.source, self.data, self.lines = source, data, lines

    def error(self, key: str, message: str) -> StudyFileError:
        probe = key
        while probe not in self.lines and "." in probe:  # the closest enclosing key has a line
            probe = probe.rsplit(".", 1)[0]
        line = self.lines.get(probe)
        where = f"{self.source}:{line}" if line else self.source
        return StudyFileError(f"{where}: key {key!r}: {message}")

    def str_(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string. Got {value!r}.")
        return value

    def int_(self, key: str, minimum: int) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(key, f"must be an integer >= {minimum}. Got {value!r}.")
        return value

    def positive(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            raise self.error(key, f"must be a number > 0. Got {value!r}.")
        return float(value)


def _space_error_key(message: str, space_data: Mapping[str, Any]) -> str:
    """The 'space.NAME' key a SpaceError is about (the first hyperparameter it quotes)."""
    for quoted in re.findall(r"'([^']+)'", message):
        if quoted in space_data:
            return f"space.{quoted}"
    return "space"


def load_study_file(path_or_text: str | Path) -> StudySpec:
    """Read and validate a study file (a path ending in .yaml/.yml, or YAML text).

    Raises:
        StudyFileError: one line naming the file, line and key of the first mistake.
    """
    import yaml

    text, source, folder = str(path_or_text), "<study>", ""
    if "\n" not in text and Path(text).suffix in {".yaml", ".yml"}:
        path = Path(text)
        if not path.is_file():
            raise StudyFileError(f"{text}: study file does not exist.")
        source, folder, text = text, str(path.resolve().parent), path.read_text()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark is not None and context_mark.line != getattr(mark, "line", -1):
            problem += f" ({context} started on line {context_mark.line + 1})"
        raise StudyFileError(f"{where}: not valid YAML: {problem}.") from None
    if not isinstance(data, Mapping):
        raise StudyFileError(f"{source}: a study file must be a mapping of keys to values.")
    reader = _Reader(source, data, _key_lines(root))
    for key in data:
        if key not in _KEYS:
            raise reader.error(str(key), f"unknown key; allowed keys: {', '.join(_KEYS)}.")

    spec = StudySpec(path=source)
    spec.study_name = reader.str_("study_name")
    if spec.study_name is None and source != "<study>":
        spec.study_name = Path(source).stem
    spec.task, spec.objective = reader.str_("task"), reader.str_("objective")
    if (spec.task is None) == (spec.objective is None):
        raise reader.error("objective", "give exactly one of 'task' (a built-in task) or "
                           "'objective' (module:function with a 'space').")
    direction = data.get("direction", "maximize")
    if direction not in ("maximize", "minimize"):
        raise reader.error("direction", f"must be 'maximize' or 'minimize'. Got {direction!r}.")
    spec.direction = direction
    spec.metric = reader.str_("metric") or "score"
    if "space" in data:
        try:
            spec.space = Space.from_dict(data["space"])
        except SpaceError as e:
            raise reader.error(_space_error_key(str(e), data["space"] or {}), str(e)) from None
    objective = None
    if spec.objective is not None:
        if spec.space is None:
            raise reader.error("objective", "an objective needs a 'space' key.")
        objective = FileObjective(spec.objective, folder)
        try:
            objective.load()
        except UsageError as e:
            raise reader.error("objective", str(e)) from None
    elif spec.space is not None:
        raise reader.error("space", "a built-in task brings its own space; drop 'space'.")
    fidelity = data.get("fidelity") or {}
    if not isinstance(fidelity, Mapping):
        raise reader.error("fidelity", f"must be a mapping of settings. Got {fidelity!r}.")
    spec.fidelity = dict(fidelity)
    try:
        fidelity_scheduler(spec.fidelity, default_on=True)
    except UsageError as e:
        key = next((f"fidelity.{k}" for k in re.findall(r"'([^']+)'", str(e))
                    if k in spec.fidelity), "fidelity")
        raise reader.error(key, str(e)) from None
    if (objective is not None and spec.fidelity and spec.fidelity.get("enabled") is not False
            and not objective.accepts("fraction") and not objective.accepts("trial")):
        raise reader.error("fidelity", f"the objective {spec.objective!r} declares neither "
                           f"'fraction' nor 'trial', so it cannot train on a data subset; add "
                           f"a 'fraction' parameter or drop the section.")
    agent = data.get("agent") or {}
    if not isinstance(agent, Mapping):
        raise reader.error("agent", f"must be a mapping of settings. Got {agent!r}.")
    try:
        if agent:  # importing the agent loads torch: only when there is something to check
            _check_agent(dict(agent))
    except (TypeError, ValueError, ImportError) as e:  # ImportError: the llm extra missing
        key = next((f"agent.{k}" for k in re.findall(r"'([^']+)'", str(e)) if k in agent),
                   "agent")
        raise reader.error(key, str(e)) from None
    spec.agent = dict(agent)
    if isinstance(spec.agent.get("model_path"), str):  # relative to the study file's folder
        base = Path(folder) if folder else Path.cwd()
        model = Path(spec.agent["model_path"]).expanduser()
        spec.agent["model_path"] = str((base / model).resolve())
    spec.budget = reader.positive("budget")
    spec.trials = reader.int_("trials", 1)
    spec.storage = reader.str_("storage")
    spec.seed = reader.int_("seed", 0)
    spec.workers = reader.int_("workers", 1)
    spec.timeout_per_trial = reader.positive("timeout_per_trial")
    spec.sampler = reader.str_("sampler")
    if spec.sampler is not None and spec.sampler not in SAMPLERS:
        raise reader.error("sampler", f"must be one of {', '.join(SAMPLERS)}. "
                           f"Got {spec.sampler!r}.")
    spec.folder = folder
    return spec
