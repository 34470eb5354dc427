"""Same seed, same study, across refactors: two fixed-seed RocketSampler studies (full data,
and on a SubsetScheduler ladder) over a small mixed space with a condition must propose
exactly what the fixtures hold.

- ``fixtures/proposals.json``: the policy's own draws (``screen=0``);
- ``fixtures/proposals-default.json``: the default settings (the screen on).

``proposals-default.json`` written again when the screen's draw started to climb in
expected improvement (the ``climb`` setting,
``benchmarks/agent/results/policy/tried/climb-README.md``). Both written again with the weights ``compact-v2`` (pretrained with groups that share a
history, commit c6592b1); before that, with the cheaper screen (branch ``screen-speed``): the vectorised ``sample`` draws from a new random stream, and the screen's
model is fitted once per stage with its prior counted once
(``benchmarks/agent/results/policy/tried/speed-README.md``). Before that they held the
proposals of main at 740f63a (``screen=0``) and 53c9d93 (default), unchanged through issue
16's package layout.

    PYTHONPATH=$PWD/src .venv/bin/python tests/test_proposals.py --write

Write them again only for a change meant to alter proposals, and say so in that commit.
Numbers are compared to 1e-5 relative, everything else exactly: the network computes in
float32 and two CPUs' kernels can differ in the last bits (a session on another machine
saw every value within 5e-7 of the fixtures, every choice and fraction the same), so a
refactor that changes what is proposed fails, a machine does not.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import optuna
import pytest

from rocket_hpo import RocketSampler
from rocket_hpo.fidelity import FIDELITY_PARAM, Ladder, SubsetScheduler, data_fraction
from rocket_hpo.space import Categorical, Float, Int, Space

SPACE = Space(
    lr=Float(1e-5, 1.0, log=True),
    width=Int(4, 256, log=True),
    optimizer=Categorical(["adam", "sgd", "rmsprop"]),
    momentum=Float(0.0, 0.99, when=("optimizer", "sgd")),
    dropout=Float(0.0, 0.5),
)
TRIALS = 36
FIXTURES = {  # settings -> the fixture of their proposals
    "screen=0": (Path(__file__).parent / "fixtures" / "proposals.json", {"screen": 0}),
    "default": (Path(__file__).parent / "fixtures" / "proposals-default.json", {}),
}


def score(c: dict[str, Any], fraction: float) -> float:
    """Minimised; a subset adds a fraction-dependent shift, so rungs rank alike but not equal."""
    value = ((math.log10(c["lr"]) + 2.5) ** 2 + abs(math.log2(c["width"]) - 5) / 2
             + {"adam": 0.0, "sgd": 0.3, "rmsprop": 0.6}[c["optimizer"]]
             + (c["dropout"] - 0.2) ** 2)
    if c["optimizer"] == "sgd":
        value += (c["momentum"] - 0.9) ** 2
    return value + 0.1 * (1.0 - fraction)


def run(fidelity: bool, settings: dict[str, Any]) -> list[dict[str, Any]]:
    scheduler = SubsetScheduler(Ladder(1 / 9, 3), seed=3) if fidelity else None
    study = optuna.create_study(sampler=RocketSampler(SPACE, seed=11, fidelity=scheduler, **settings))
    study.optimize(lambda t: score(SPACE.suggest(t), data_fraction(t)), n_trials=TRIALS)
    return [{"params": t.params, "fraction": t.user_attrs.get(FIDELITY_PARAM),
             "origin": t.user_attrs.get("rocket:origin")} for t in study.trials]


def proposals(settings: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return {"full_data": run(False, settings), "subsets": run(True, settings)}


def same(want: Any, have: Any) -> bool:
    """Equal, floats to 1e-5 relative (see the module docstring)."""
    if isinstance(want, float) and isinstance(have, float):
        return math.isclose(want, have, rel_tol=1e-5, abs_tol=1e-12)
    if isinstance(want, dict) and isinstance(have, dict):
        return want.keys() == have.keys() and all(same(want[k], have[k]) for k in want)
    return type(want) is type(have) and want == have


def test_same_tells_float32_noise_from_a_change() -> None:
    want = {"params": {"lr": 0.054025767960702346, "width": 147, "optimizer": "rmsprop"}}
    assert same(want, {"params": {**want["params"], "lr": 0.054025787459134965}})
    assert not same(want, {"params": {**want["params"], "lr": 0.0541}})
    assert not same(want, {"params": {**want["params"], "width": 146}})
    assert not same(want, {"params": {**want["params"], "optimizer": "adam"}})


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_a_fixed_seed_study_proposes_what_it_proposed_before(name: str) -> None:
    fixture, settings = FIXTURES[name]
    expected = json.loads(fixture.read_text())
    got = json.loads(json.dumps(proposals(settings)))  # the same JSON round trip as the fixture's
    for study in expected:
        for number, (want, have) in enumerate(zip(expected[study], got[study], strict=True)):
            assert same(want, have), f"{name}, {study}: trial {number} differs: {have} != {want}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for fixture, settings in FIXTURES.values():
        fixture.write_text(json.dumps(proposals(settings), indent=1) + "\n")
