"""Property-based: mutated study files (keys, types, values, YAML syntax) never give a
traceback; a rejected file gives exit code 2 and one line that names the key (or, for
broken YAML, the line)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocket_hpo.app.cli import main

BASE: dict[str, Any] = {
    "study_name": "fuzz",
    "objective": "fuzz_obj:train",
    "direction": "maximize",
    "metric": "acc",
    "space": {
        "lr": {"type": "float", "low": 1.0e-4, "high": 1.0, "log": True},
        "layers": {"type": "int", "low": 1, "high": 4},
        "opt": {"type": "categorical", "choices": ["adam", "sgd"]},
        "momentum": {"type": "float", "low": 0.0, "high": 0.9, "when": {"opt": ["sgd"]}},
    },
    "trials": 1,
    "seed": 0,
    "workers": 1,
    "sampler": "random",
    "timeout_per_trial": 10,
    "fidelity": {"enabled": False},
}


def _paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out += _paths(value, (*prefix, key))
    return out


PATHS = _paths(BASE)
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
    st.text(max_size=12), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, set[str] | None]:
    """A study file's text and the top-level keys a rejection may name (None: a YAML
    syntax error, which names the line)."""
    data = copy.deepcopy(BASE)
    kind = draw(st.sampled_from(["value", "rename", "delete", "syntax"]))
    if kind == "syntax":
        text = yaml.safe_dump(data, sort_keys=False)
        at = draw(st.integers(0, len(text)))
        junk = draw(st.text(alphabet=":{}[]-#&*!|>'\"%@`\t ,?", min_size=1, max_size=3))
        return text[:at] + junk + text[at:], None
    path = draw(st.sampled_from(PATHS))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    names = {path[0]}
    if kind == "value":
        parent[path[-1]] = draw(VALUES)
    elif kind == "rename":
        new = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10))
        parent[new] = parent.pop(path[-1])
        if len(path) == 1:
            names |= {new, "objective"}  # a lost 'objective' or 'space' is named by its partner
    else:
        del parent[path[-1]]
        names.add("objective")
    return yaml.safe_dump(data, sort_keys=False), names


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "fuzz_obj.py").write_text("def train(config):\n    return 0.5\n")
    return folder


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=mutated())
def test_a_mutated_study_file_is_run_or_rejected_in_one_line(
    case: tuple[str, set[str] | None], folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, keys = case
    path = folder / "study.yaml"
    path.write_text(text)
    capsys.readouterr()
    # The command line caps what a valid mutation may ask for (a million trials or workers).
    code = main(["tune", str(path), "--storage", "memory", "--trials", "1", "--workers", "1"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 2, 3), err
    if code != 2:
        return
    assert err.count("\n") == 1 and err.startswith("rocket: error: "), err
    assert "study.yaml" in err, err
    if keys is not None:
        assert any(f"key '{key}" in err for key in keys), (keys, err)
