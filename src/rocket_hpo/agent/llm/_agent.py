"""The language-model agent: a causal LM with LoRA adapters that writes configurations as
JSON under the space's grammar and learns from each stage's group by the group update.

Example:
    >>> from rocket_hpo.agent.llm.tiny import tiny_model, tiny_tokenizer
    >>> from rocket_hpo.space import Categorical, Float, Space
    >>> space = Space(lr=Float(1e-4, 1.0, log=True), opt=Categorical(["adam", "sgd"]))
    >>> tok = tiny_tokenizer()
    >>> agent = LLMAgent(space, tiny_model(len(tok)), tok, seed=0)
    >>> traces = agent.propose(4, history=[])
    >>> all(space.validate(t.config) is None for t in traces)
    True
    >>> stats = agent.update(traces, [0.1, 0.9, 0.5, 0.2], history=[])
    >>> agent.stage
    1
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rocket_hpo.agent._advantages import group_advantages, pool_size, pool_weights, select_pool
from rocket_hpo.agent.llm._decode import sample
from rocket_hpo.agent.llm._grammar import Grammar, Trace
from rocket_hpo.agent.llm._prompt import History, build_prompt, user_message
from rocket_hpo.agent.llm._settings import LLMSettings
from rocket_hpo.agent.llm._update import UpdateStats, lm_group_update
from rocket_hpo.errors import UsageError
from rocket_hpo.space import Config, Space

__all__ = ["LLMAgent", "load_pretrained", "pick_device"]


def pick_device() -> torch.device:
    """The GPU when one is present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_pretrained(model_path: str | Path, device: torch.device | None = None) -> Any:
    """(model, tokenizer) from a local directory; never downloads (``local_files_only``).

    Raises:
        UsageError: naming the path, when it is not a directory with a model in it.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(model_path).expanduser()
    if not (path / "config.json").is_file():
        raise UsageError(
            "The 'model_path' must be a local directory holding a Hugging Face causal LM "
            f"(config.json, weights, tokenizer). Got {str(model_path)!r}, which has no "
            "config.json. Nothing is downloaded at run time: save the model there first."
        )
    device = device or pick_device()
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=dtype)
    model = model.to(device)  # type: ignore[arg-type]
    return model.eval(), tokenizer


def _fingerprint(model: Any) -> dict[str, Any]:
    """What must match for saved adapters to fit a model."""
    c = model.config
    return {"model_type": c.model_type, "vocab_size": int(c.vocab_size),
            "hidden_size": int(c.hidden_size), "layers": int(c.num_hidden_layers)}


class LLMAgent:
    """The policy backend ``policy="llm"`` (see DESIGN.md, section 2).

    Args:
        space: the search space (conditions included); required, as the grammar is built
            from it.
        model: a Hugging Face causal LM (its weights stay frozen; LoRA adapters are added).
        tokenizer: its tokenizer.
        settings: :class:`LLMSettings`.
        seed: seeds the sampling generator and the adapters' initialisation.
    """

    def __init__(
        self,
        space: Space,
        model: Any,
        tokenizer: Any,
        settings: LLMSettings | None = None,
        seed: int = 0,
    ) -> None:
        from peft import LoraConfig, get_peft_model

        self.space = space
        self.settings = s = settings or LLMSettings()
        self.tokenizer = tokenizer
        self.grammar = Grammar(space, tokenizer, s.log_digits, s.linear_values, s.int_values,
                               s.count_prior)
        self.fingerprint = _fingerprint(model)
        lora = LoraConfig(r=s.lora_rank, lora_alpha=s.lora_alpha,  # type: ignore[arg-type]
                          lora_dropout=0.0,
                          target_modules="all-linear")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)  # LoRA's A matrices are initialised at random
            self.model = get_peft_model(model, lora).eval()
        self.device = next(self.model.parameters()).device
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=s.learning_rate, weight_decay=0.0)
        self.generator = torch.Generator(device=self.device).manual_seed(seed)
        self.stage = 0

    @classmethod
    def from_pretrained(
        cls,
        space: Space,
        model_path: str | Path,
        settings: LLMSettings | None = None,
        seed: int = 0,
        device: torch.device | None = None,
    ) -> LLMAgent:
        """An agent on the causal LM saved in ``model_path`` (see :func:`load_pretrained`)."""
        model, tokenizer = load_pretrained(model_path, device)
        return cls(space, model, tokenizer, settings, seed)

    # --- proposing -----------------------------------------------------------------------
    def prompt(self, history: History, fidelity: float | None = None) -> list[int]:
        """Token ids of the prompt for the next proposal (history scores: larger is better,
        non-finite = failed)."""
        s = self.settings
        message = user_message(self.space, history, s.prompt_best, s.prompt_recent, fidelity)
        return build_prompt(self.tokenizer, message)

    def propose(self, n: int, history: History, fidelity: float | None = None) -> list[Trace]:
        """``n`` configurations (each valid by construction) with their decoding traces."""
        prompt = self.prompt(history, fidelity)
        s = self.settings
        return sample(self.model, self.grammar, prompt, n, self.generator,
                      s.batch_size, s.temperature)

    # --- learning --------------------------------------------------------------------------
    def update(
        self,
        group: Sequence[Trace | Config],
        scores: Sequence[float],
        history: History,
        fidelity: float | None = None,
    ) -> tuple[UpdateStats, np.ndarray[Any, np.dtype[np.float64]]]:
        """One stage: the group's self-play advantages plus a replay of the pool, then the
        adapters become the next stage's reference (implicitly: the reference of an update
        is the policy it starts from).

        Args:
            group: this stage's outputs: traces sampled here, or configurations (sampled
                by another worker, or given), which are re-encoded under the current prompt.
            scores: their scores (larger is better; -inf or NaN = failed).
            history: every finished (configuration, score) so far, group included.

        Returns:
            the update's statistics and the group's advantages.
        """
        s = self.settings
        group_scores = np.array([_score(x) for x in scores])
        hist_scores = np.array([_score(sc) for _, sc in history])
        if len(hist_scores) < len(group_scores):
            hist_scores = np.concatenate([hist_scores, group_scores])
        adv = group_advantages(group_scores, hist_scores)
        prompt = self.prompt(history, fidelity)
        traces: list[Trace] = []
        old: list[torch.Tensor | None] = []
        for item in group:
            if isinstance(item, Trace):
                traces.append(item)
                old.append(torch.tensor(item.logprobs))
            else:
                traces.append(self._encode(item, prompt))
                old.append(None)
        size = pool_size(len(hist_scores), s.elite_fraction, s.max_elites)
        idx: list[int] = select_pool(hist_scores, size).tolist() if len(history) else []
        pool = [self._encode(history[i][0], prompt) for i in idx]
        k, g = len(pool), len(traces)
        weight = np.concatenate([pool_weights(k) / max(k, 1) if k else np.zeros(0),
                                 np.full(g, s.group_weight / max(g, 1))])
        advantage = np.concatenate([np.ones(k), adv])
        no_old: list[torch.Tensor | None] = [None] * k
        stats = lm_group_update(
            self.model, self.optimizer, pool + traces, no_old + old,
            torch.tensor(advantage, dtype=torch.float32), torch.tensor(weight, dtype=torch.float32),
            steps=s.update_steps, clip=s.clip, kl_coef=s.kl_coef,
            entropy_floor=s.entropy_floor, entropy_coef=s.entropy_coef,
            temperature=s.temperature,
        )
        self.stage += 1
        return stats, adv

    def _encode(self, config: Config, prompt: list[int]) -> Trace:
        trace = self.grammar.encode(config)
        trace.prompt = list(prompt)
        return trace

    # --- state -----------------------------------------------------------------------------
    def state_bytes(self) -> bytes:
        """Adapters, optimiser, sampling generator and stage counter (not the base model)."""
        from peft import get_peft_model_state_dict

        adapters = {k: v.detach().cpu() for k, v in get_peft_model_state_dict(self.model).items()}
        state = {
            "version": 1,
            "backend": "llm",
            "fingerprint": self.fingerprint,
            "stage": self.stage,
            "adapters": adapters,
            "optimizer": self.optimizer.state_dict(),
            "generator": self.generator.get_state(),
        }
        buf = io.BytesIO()
        torch.save(state, buf)
        return buf.getvalue()

    def load_state_bytes(self, data: bytes) -> None:
        """Continue from :meth:`state_bytes` of an agent on the same base model.

        Raises:
            UsageError: when the saved state is not the language-model backend's or was
                made on a different model.
        """
        from peft import set_peft_model_state_dict

        state = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
        if state.get("backend") != "llm":
            raise UsageError("The saved agent state is not a language-model policy's.")
        if state["fingerprint"] != self.fingerprint:
            raise UsageError(
                f"The saved adapters were trained on a model {state['fingerprint']}; "
                f"the 'model_path' given holds {self.fingerprint}."
            )
        set_peft_model_state_dict(self.model, state["adapters"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.generator.set_state(state["generator"])
        self.stage = int(state["stage"])


def _score(x: Any) -> float:
    v = float(x) if x is not None else -math.inf
    return v if math.isfinite(v) else -math.inf
