"""The prompt: the space and the experience pool, asking for the next configuration as JSON.

Scores are shown rank-normalised (1 = the best seen so far, 0 = the worst, ``failed`` for
runs that failed), so the prompt reads the same whether the objective is an accuracy, a
loss or a BLEU score, and the model never sees the objective's scale.

Example:
    >>> from rocket_hpo.space import Categorical, Float, Space
    >>> space = Space(lr=Float(1e-4, 1.0, log=True), opt=Categorical(["adam", "sgd"]))
    >>> history = [({"lr": 0.01, "opt": "sgd"}, 0.9), ({"lr": 0.5, "opt": "adam"}, 0.2)]
    >>> print(user_message(space, history, n_best=1, n_recent=1))  # doctest: +ELLIPSIS
    You are tuning the hyperparameters of a machine-learning model...
    - lr: float in [0.0001, 1], log scale
    - opt: one of ["adam", "sgd"]
    ...
    {"lr": 0.01, "opt": "sgd"} score 1
    ...
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rocket_hpo.agent._advantages import percentiles
from rocket_hpo.agent.llm._values import format_number
from rocket_hpo.space import Bool, Categorical, Config, Float, Int, Space

__all__ = ["History", "build_prompt", "config_text", "rank_scores", "user_message"]

# One finished trial: its configuration and its score (higher is better; None = failed).
History = Sequence[tuple[Config, float | None]]

SYSTEM = "You propose hyperparameter configurations. Answer with one JSON object only."


def _describe(space: Space, name: str) -> str:
    hp = space[name]
    if isinstance(hp, Bool):
        text = "true or false"
    elif isinstance(hp, Categorical):
        text = "one of " + json.dumps(list(hp.choices))
    elif isinstance(hp, Int):
        text = f"integer in [{hp.low}, {hp.high}]"
        text += f", step {hp.step}" if hp.step != 1 else ""
        text += ", log scale" if hp.log else ""
    else:
        assert isinstance(hp, Float)
        text = f"float in [{format_number(hp.low)}, {format_number(hp.high)}]"
        text += ", log scale" if hp.log else ""
    cond = hp.condition
    if cond is not None:
        if cond.values is None:
            text += f"; only when {json.dumps(cond.parent)} is set"
        else:
            values = ", ".join(json.dumps(v) for v in cond.values)
            text += f"; only when {json.dumps(cond.parent)} is {values}"
    return f"- {name}: {text}"


def _round(x: float) -> str:
    """Four significant digits: enough to tell configurations apart, short to read."""
    if x == 0 or not math.isfinite(x):
        return format_number(x) if math.isfinite(x) else json.dumps(x)
    return format_number(float(f"{x:.4g}"))


def config_text(space: Space, config: Config) -> str:
    """A configuration written as the model writes one: keys in the space's order."""
    parts = []
    for name in space.names:
        if name in config:
            v = config[name]
            is_num = isinstance(v, int | float | np.integer | np.floating)
            if is_num and not isinstance(v, bool) and not isinstance(space[name], Categorical):
                text = str(int(v)) if isinstance(space[name], Int) else _round(float(v))
            else:
                text = json.dumps(v)
            parts.append(f'"{name}": {text}')
    return "{" + ", ".join(parts) + "}"


def rank_scores(scores: Sequence[float | None]) -> list[float | None]:
    """Each score's rank among the finite ones, in [0, 1] (1 = best, ties share; failures
    (None, NaN, inf) are None): the self-play percentiles of ``agent._advantages``."""
    finite = [i for i, s in enumerate(scores) if s is not None and math.isfinite(s)]
    ranks = 1.0 - percentiles(np.array([scores[i] for i in finite], dtype=float))
    out: list[float | None] = [None] * len(scores)
    for i, r in zip(finite, ranks, strict=True):
        out[i] = float(r)
    return out


def user_message(
    space: Space,
    history: History,
    n_best: int = 8,
    n_recent: int = 8,
    fidelity: float | None = None,
) -> str:
    """The request: the space, the best and the most recent results, the fidelity."""
    lines = [
        "You are tuning the hyperparameters of a machine-learning model. Search space:",
        *(_describe(space, n) for n in space.names),
    ]
    if fidelity is not None:
        lines.append(
            f"The configuration will be trained on a fraction {_round(fidelity)} of the data."
        )
    ranks = rank_scores([s for _, s in history])
    sort_key = [-1.0 if r is None else r for r in ranks]
    order = sorted(range(len(history)), key=lambda i: sort_key[i], reverse=True)
    best = [i for i in order if ranks[i] is not None][:n_best]
    recent = [i for i in range(len(history) - 1, -1, -1) if i not in best][:n_recent]

    def row(i: int) -> str:
        r = ranks[i]
        return config_text(space, history[i][0]) + (
            " failed" if r is None else f" score {_round(round(r, 2))}"
        )

    if best:
        lines.append("Best configurations so far (score 1 = best, 0 = worst):")
        lines.extend(row(i) for i in best)
    if recent:
        lines.append("Recent configurations (failed = the run failed):")
        lines.extend(row(i) for i in reversed(recent))
    if not history:
        lines.append("No configuration has been tried yet.")
    lines.append("Propose the next configuration as one JSON object with these keys.")
    return "\n".join(lines)


def build_prompt(tokenizer: Any, message: str) -> list[int]:
    """Token ids of the prompt: the tokenizer's chat template when it has one, else plain."""
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": message}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        text = f"{SYSTEM}\n\n{message}\n\nConfiguration:\n"
    return list(tokenizer.encode(str(text), add_special_tokens=False))
