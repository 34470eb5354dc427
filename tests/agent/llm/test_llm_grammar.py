"""Candidate values, the token grammar and the prompt (no model needed)."""

from __future__ import annotations

import json
import math

import pytest

from rocket_hpo.agent.llm import Grammar, LLMSettings, build_prompt, user_message
from rocket_hpo.agent.llm._prompt import rank_scores
from rocket_hpo.agent.llm._values import candidates, format_number
from rocket_hpo.space import Bool, Categorical, Float, Int, Space


def _checked(hp, name="x"):
    Space({name: hp})  # validates the hyperparameter
    return hp


def test_log_float_candidates_have_two_significant_digits_and_both_ends():
    c = candidates("lr", _checked(Float(1e-5, 1.0, log=True)))
    assert c.values[0] == 1e-5 and c.values[-1] == 1.0
    assert len(c.values) == 5 * 90 + 1  # 1.0..9.9 for five decades, then 1
    assert all(1e-5 <= v <= 1.0 for v in c.values)
    assert all(float(t) == v for t, v in zip(c.texts, c.values, strict=True))
    assert "e" not in "".join(c.texts)  # positional: leading zeros give the magnitude first
    assert c.values[c.nearest(0.000123456)] == 0.00012


def test_linear_float_grid_is_a_power_of_ten_step_with_exact_ends():
    c = candidates("m", _checked(Float(0.0, 0.99)))
    assert c.texts[:3] == ("0", "0.01", "0.02") and c.texts[-1] == "0.99"
    c = candidates("s", _checked(Float(-3.0, 3.0)))
    assert c.values[0] == -3.0 and c.values[-1] == 3.0 and 0.0 in c.values
    c = candidates("odd", _checked(Float(0.123, 0.4567)))
    assert c.values[0] == 0.123 and c.values[-1] == 0.4567 and len(c.values) <= 102


def test_integer_candidates_are_all_values_or_a_round_grid_on_the_step():
    assert candidates("n", _checked(Int(1, 8))).values == tuple(range(1, 9))
    wide = candidates("w", _checked(Int(0, 100_000, step=5)))
    assert all(v % 5 == 0 for v in wide.values) and wide.values[-1] == 100_000
    assert len(wide.values) <= 256 + 1
    log = candidates("u", _checked(Int(16, 4096, log=True)))
    assert log.values[0] == 16 and log.values[-1] == 4096
    assert all(isinstance(v, int) for v in log.values)


def test_categorical_spellings_are_json():
    c = candidates("c", _checked(Categorical(["a", None, 3, True, 'q"u,o}'])))
    assert [json.loads(t) for t in c.texts] == ["a", None, 3, True, 'q"u,o}']
    assert candidates("b", _checked(Bool())).texts == ("false", "true")
    assert c.nearest(True) == 3 and c.nearest(3) == 2  # True is not the choice 3


def test_format_number_reads_back():
    for x in (1e-5, 0.1 + 0.2, 100.0, -2.5, 12345678.0, 1.2e-9):
        assert float(format_number(x)) == x


def test_encode_writes_json_that_parses_to_the_snapped_configuration(tokenizer, full_space):
    space = full_space
    grammar = Grammar(space, tokenizer)
    for config in space.sample_many(50, seed=1):
        trace = grammar.encode(config)
        text = tokenizer.decode(trace.tokens)
        assert json.loads(text) == trace.config
        space.validate(trace.config)
        assert set(trace.config) == set(config)
        for name, value in config.items():
            if isinstance(value, float):
                lo, hi = float(space[name].low), float(space[name].high)
                if space[name].log:
                    assert abs(math.log(trace.config[name] / value)) <= 0.06
                else:
                    assert abs(trace.config[name] - value) <= 0.01 * (hi - lo) + 1e-12
            elif not isinstance(space[name], Int):
                assert trace.config[name] == value
        assert len(trace.tokens) <= grammar.max_tokens


def test_cursor_refuses_tokens_outside_the_grammar(tokenizer):
    grammar = Grammar(Space(opt=Categorical(["adam", "sgd"])), tokenizer)
    cur = grammar.cursor()
    bad = next(t for t in range(len(tokenizer)) if t not in cur.allowed())
    with pytest.raises(ValueError, match="forced"):
        cur.advance(bad)
    while len(cur.allowed()) == 1:
        cur.advance(cur.allowed()[0])
    bad = next(t for t in range(len(tokenizer)) if t not in cur.allowed())
    with pytest.raises(ValueError, match="not allowed in the value of 'opt'"):
        cur.advance(bad)


def test_grammar_needs_a_hyperparameter(tokenizer):
    with pytest.raises(ValueError, match="needs a space with a hyperparameter"):
        Grammar(Space(), tokenizer)


def test_rank_scores_are_scale_free_and_mark_failures():
    assert rank_scores([0.2, 0.9, float("-inf"), 0.5, None]) == [0.0, 1.0, None, 0.5, None]
    assert rank_scores([10.0, 20.0]) == rank_scores([-5.0, 7.0]) == [0.0, 1.0]


def test_prompt_shows_space_conditions_ranks_failures_and_fidelity(tokenizer, full_space):
    space = full_space
    configs = space.sample_many(5, seed=2)
    history = list(zip(configs, [3.0, 1.0, float("nan"), 2.0, 5.0], strict=True))
    text = user_message(space, history, n_best=2, n_recent=2, fidelity=1 / 9)
    for name in space.names:
        assert f"- {name}: " in text
    assert '- momentum: float in [0, 0.99]; only when "optimizer" is "sgd"' in text
    assert '- nesterov: true or false; only when "momentum" is set' in text
    assert "- units: integer in [16, 4096], log scale" in text
    assert "fraction 0.1111 of the data" in text
    best = text.split("Best configurations")[1].split("Recent")[0]
    assert best.count("score 1\n") == 1 and "score 0.67" in best  # the two best, by rank
    assert "failed" in text.split("Recent configurations")[1]
    assert "5.0" not in best and "3.0" not in best  # raw scores never appear
    ids = build_prompt(tokenizer, text)
    assert tokenizer.decode(ids).endswith("Configuration:\n")


def test_prompt_uses_the_chat_template_when_there_is_one():
    from rocket_hpo.agent.llm.tiny import tiny_tokenizer

    tok = tiny_tokenizer()
    tok.chat_template = (
        "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    text = tok.decode(build_prompt(tok, "hello"))
    assert text.startswith("<system>") and "<user>hello" in text and text.endswith("<assistant>")


def test_settings_validation_names_the_setting():
    with pytest.raises(ValueError, match=r"'lora_rank' setting must be an integer >= 1\. Got 0"):
        LLMSettings(lora_rank=0)
    with pytest.raises(ValueError, match="'elite_fraction' setting must be a number in"):
        LLMSettings(elite_fraction=2.0)
    with pytest.raises(TypeError, match="Unknown setting 'rank'"):
        LLMSettings.from_kwargs(rank=3)
