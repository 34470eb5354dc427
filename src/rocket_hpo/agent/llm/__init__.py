"""The language-model policy (``RocketSampler(space, policy="llm", model_path=...)``).

The paper's setting: a causal language model read from a local directory is prompted with
the space and the experience pool (rank-normalised scores), writes the next configuration
as JSON under decoding constrained to the space (every output parses and is valid), and is
trained by the same group optimisation as the compact policy, through LoRA adapters.

Modules: ``_values`` (the candidate values of each hyperparameter), ``_grammar`` (which
tokens may come next), ``_prompt``, ``_decode`` (sampling, and log-probabilities for
training), ``_update`` (the clipped, KL-regularised group update), ``_agent`` (the backend),
``_settings``; ``tiny`` builds a tiny random model and tokenizer offline for tests.

Needs the ``llm`` extra (``pip install 'rocket-hpo[llm]'``: transformers, peft).
"""

import importlib.util

for _module in ("transformers", "peft"):
    if importlib.util.find_spec(_module) is None:
        raise ImportError(
            f"The language-model policy needs {_module!r}, from the 'llm' extra: "
            "pip install 'rocket-hpo[llm]' (or make, which installs it)."
        )

from rocket_hpo.agent.llm._agent import LLMAgent, load_pretrained, pick_device  # noqa: E402
from rocket_hpo.agent.llm._grammar import Grammar, Trace  # noqa: E402
from rocket_hpo.agent.llm._prompt import build_prompt, config_text, user_message  # noqa: E402
from rocket_hpo.agent.llm._settings import LLMSettings  # noqa: E402

__all__ = [
    "Grammar",
    "LLMAgent",
    "LLMSettings",
    "Trace",
    "build_prompt",
    "config_text",
    "load_pretrained",
    "pick_device",
    "user_message",
]
