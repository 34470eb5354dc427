"""Decoding constrained to a search space: which tokens may come next, and what they mean.

The model writes ``{"lr": 0.001, "optimizer": "sgd", "momentum": 0.9}``: keys in the
space's order, a key exactly when its condition holds on the values written before it.
A :class:`Cursor` walks that text one token at a time and says which tokens are allowed:

- fixed text (``{``, ``"lr":``, `` "optimizer":``) is *forced*: one allowed token at a time;
- a value is a path in a :class:`TokenTrie` over the tokenisations of the key's candidate
  spellings (see ``_values``). At a node that spells a whole candidate, the separator that
  must follow that value (``,`` if a later key is active, ``}`` otherwise) is allowed next
  to the node's children; spellings never contain ``,`` or ``}``, so the separator ends
  the value unambiguously.

A count prior (log of the number of candidates under each allowed token) is added to the
model's logits, so that a model with no preference samples the candidates uniformly rather
than favouring short spellings; see :meth:`Cursor.allowed_bias`.

So every finished output parses and is valid, with no retry; the configuration is read
from the trie (which candidate was completed), not re-parsed from the text. Each piece of
text is tokenised on its own and the pieces' tokens are concatenated, which for byte-level
tokenisers (GPT-2, Qwen, Llama 3) decodes to exactly the concatenated text.

Example:
    >>> from rocket_hpo.agent.llm.tiny import tiny_tokenizer
    >>> from rocket_hpo.space import Categorical, Float, Space
    >>> space = Space(opt=Categorical(["adam", "sgd"]), mom=Float(0, 0.9, when=("opt", "sgd")))
    >>> grammar = Grammar(space, tiny_tokenizer())
    >>> ids = grammar.encode({"opt": "sgd", "mom": 0.5}).tokens
    >>> grammar.tokenizer.decode(ids)
    '{"opt": "sgd", "mom": 0.5}'
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from rocket_hpo.agent.llm._values import Candidates, candidates
from rocket_hpo.space import Config, Space

__all__ = ["Cursor", "Grammar", "TokenTrie", "Trace"]


class TokenTrie:
    """A trie over token sequences; ``leaf[node]`` is the candidate a node spells, or -1."""

    def __init__(self, sequences: list[list[int]]) -> None:
        self.children: list[dict[int, int]] = [{}]
        self.leaf: list[int] = [-1]
        for index, seq in enumerate(sequences):
            node = 0
            for tok in seq:
                nxt = self.children[node].get(tok)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][tok] = nxt
                    self.children.append({})
                    self.leaf.append(-1)
                node = nxt
            if self.leaf[node] != -1 or node == 0:
                raise ValueError(f"Two candidates share the token sequence {seq}.")
            self.leaf[node] = index
        # Candidates spelt under each node (children are created after their parents).
        self.count = [1 if leaf >= 0 else 0 for leaf in self.leaf]
        for node in range(len(self.children) - 1, -1, -1):
            self.count[node] += sum(self.count[c] for c in self.children[node].values())


@dataclass
class Trace:
    """One decoded configuration and the choices that produced it.

    ``tokens`` are all generated tokens; ``steps[i]`` is the index in ``tokens`` of the i-th
    *choice* (a step with more than one allowed token), ``allowed[i]`` its allowed tokens
    and ``logprobs[i]`` the log-probability of the chosen one under the masked distribution
    of the policy that sampled it (forced steps have probability 1 and carry no gradient).
    """

    config: Config
    tokens: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    allowed: list[list[int]] = field(default_factory=list)
    bias: list[list[float]] = field(default_factory=list)  # added to the logits (count prior)
    logprobs: list[float] = field(default_factory=list)
    prompt: list[int] = field(default_factory=list)


class Grammar:
    """The token-level grammar of a space's JSON configurations for one tokenizer.

    Args:
        space: the search space.
        tokenizer: a Hugging Face tokenizer (``encode(text, add_special_tokens=False)``).
        log_digits, linear_values, int_values: resolution of numbers (see ``_values``).
        count_prior: add the count prior to the logits (see :meth:`Cursor.allowed_bias`).
    """

    def __init__(
        self,
        space: Space,
        tokenizer: Any,
        log_digits: int = 2,
        linear_values: int = 100,
        int_values: int = 256,
        count_prior: bool = True,
    ) -> None:
        self.space = space
        self.count_prior = count_prior
        self.tokenizer = tokenizer
        self.names = space.names
        if len(space) == 0:
            raise ValueError("The language-model policy needs a space with a hyperparameter.")
        self.open = self._ids("{")
        self.comma, self.close = self._single(","), self._single("}")
        self.keys: dict[str, list[int]] = {}
        self.cands: dict[str, Candidates] = {}
        self.tries: dict[str, TokenTrie] = {}
        self.spellings: dict[str, list[list[int]]] = {}
        for i, (name, hp) in enumerate(space.items()):
            # The space goes with the value (' 0.001', ' "adam"'), as byte-level BPE
            # tokenisers split words, so each piece is tokenised as it is in running text.
            self.keys[name] = self._ids(("" if i == 0 else " ") + f'"{name}":')
            cand = candidates(name, hp, log_digits, linear_values, int_values)
            seqs = [self._ids(" " + text) for text in cand.texts]
            trie = TokenTrie(seqs)
            for node, leaf in enumerate(trie.leaf):
                if leaf >= 0 and {self.comma, self.close} & set(trie.children[node]):
                    raise ValueError(
                        f"A value of {name!r} spelt {cand.texts[leaf]!r} may go on with a "
                        "separator token, so its end would be ambiguous."
                    )
            self.cands[name], self.tries[name], self.spellings[name] = cand, trie, seqs
        # An upper bound on the tokens of any output (every key, its longest value, a separator).
        self.max_tokens = len(self.open) + sum(
            len(self.keys[n]) + max(len(s) for s in self.spellings[n]) + 1 for n in self.names
        )

    def _ids(self, text: str) -> list[int]:
        ids = list(self.tokenizer.encode(text, add_special_tokens=False))
        if not ids:
            raise ValueError(f"The tokenizer encodes {text!r} as no tokens.")
        return ids

    def _single(self, text: str) -> int:
        ids = self._ids(text)
        if len(ids) != 1:
            raise ValueError(
                f"Constrained decoding needs {text!r} to be one token; this tokenizer "
                f"writes it as {ids}."
            )
        return ids[0]

    def cursor(self) -> Cursor:
        return Cursor(self)

    def encode(self, config: Config) -> Trace:
        """The tokens (and choices) that write ``config``, numbers snapped to candidates."""
        cur = self.cursor()
        trace = Trace(config={})
        targets: deque[int] = deque()
        while not cur.done:
            allowed, bias = cur.allowed_bias()
            if cur.node == 0 and not targets and cur.in_value:
                cand = self.cands[cur.name]
                targets.extend(self.spellings[cur.name][cand.nearest(config[cur.name])])
            if cur.in_value and not targets:
                tok = cur.separator()
            elif cur.in_value:
                tok = targets.popleft()
            else:
                tok = allowed[0]
            if len(allowed) > 1:
                trace.steps.append(len(trace.tokens))
                trace.allowed.append(allowed)
                trace.bias.append(bias)
            trace.tokens.append(tok)
            cur.advance(tok)
        trace.config = cur.config
        return trace


class Cursor:
    """Where one output stands in the grammar; ``allowed()`` then ``advance(token)``."""

    def __init__(self, grammar: Grammar) -> None:
        self.g = grammar
        self.config: Config = {}
        self.index = 0  # the first key never has a condition, so it is always written
        self.name = grammar.names[0]
        self.forced: deque[int] = deque(grammar.open + grammar.keys[self.name])
        self.node = 0  # position in the current key's value trie
        self.done = False

    @property
    def in_value(self) -> bool:
        return not self.forced and not self.done

    def separator(self) -> int:
        """The separator that ends the candidate spelled at the current node: ``,`` when a
        later key is active once the current key takes that value, else ``}``."""
        value = self.g.cands[self.name].values[self.g.tries[self.name].leaf[self.node]]
        config = {**self.config, self.name: value}
        later = self.g.names[self.index + 1 :]
        more = any(self.g.space.is_active(n, config) for n in later)
        return self.g.comma if more else self.g.close

    def allowed_bias(self) -> tuple[list[int], list[float]]:
        """Tokens allowed next, and what to add to their logits: with the grammar's count
        prior, log of the number of candidate values each token leads to (the separator
        ends one), so that a model indifferent between tokens samples the values uniformly
        (log-uniformly on log scales) instead of favouring short spellings; else zeros."""
        allowed = self.allowed()
        if len(allowed) == 1 or not self.g.count_prior:
            return allowed, [0.0] * len(allowed)
        trie = self.g.tries[self.name]
        children = trie.children[self.node]
        return allowed, [math.log(trie.count[children[t]]) if t in children else 0.0
                         for t in allowed]

    def allowed(self) -> list[int]:
        """Tokens allowed next (never empty while not done)."""
        if self.done:
            raise ValueError("The configuration is complete; no token may follow.")
        if self.forced:
            return [self.forced[0]]
        trie = self.g.tries[self.name]
        out = list(trie.children[self.node])
        if trie.leaf[self.node] >= 0:
            out.append(self.separator())
        return out

    def advance(self, token: int) -> None:
        if self.forced:
            if token != self.forced[0]:
                raise ValueError(f"Token {token} is not the forced token {self.forced[0]}.")
            self.forced.popleft()
            return
        trie = self.g.tries[self.name]
        child = trie.children[self.node].get(token)
        if child is not None:
            self.node = child
            return
        if trie.leaf[self.node] < 0 or token != self.separator():
            raise ValueError(f"Token {token} is not allowed in the value of {self.name!r}.")
        self.config[self.name] = self.g.cands[self.name].values[trie.leaf[self.node]]
        if token == self.g.close:
            self.done = True
            return
        self.index += 1
        names = self.g.names
        while not self.g.space.is_active(names[self.index], self.config):
            self.index += 1  # a comma was allowed only because some later key is active
        self.name, self.node = names[self.index], 0
        self.forced.extend(self.g.keys[self.name])
