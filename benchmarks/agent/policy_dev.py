"""Rocket's policy against the peers, full-data evaluations, paired by (problem, seed).

Every optimizer runs in this one process, on the same problems and seeds, so ratios and
ranks compare runs measured side by side. Each line of ``--out`` (JSON lines, resumable:
finished cells are skipped) is one run: its best-so-far normalised regret after every
evaluation and its optimizer overhead per evaluation.

    python benchmarks/agent/policy_dev.py --budget 50 --seeds 0-9 \
        --optimizers rocket,rocket-frozen,rocket-scratch,rocket-uniform,random,tpe,gp,cmaes \
        --out benchmarks/agent/results/dev.jsonl
    python benchmarks/agent/policy_summary.py benchmarks/agent/results/dev.jsonl --cuts 20,50

Optimizers: ``rocket`` (shipped weights, in-study updates: the default), ``rocket-frozen``
(shipped weights, no in-study updates), ``rocket-scratch`` (``pretrained=False``),
``rocket-uniform`` (the same agent whose policy always draws uniformly: what the policy
adds), ``random``, ``tpe`` (Optuna's default TPESampler, multivariate in Optuna 5), ``gp``
(``GPSampler``), ``cmaes`` (``CmaEsSampler``); ``rocket-set:NAME=VALUE`` (or
``NAME.INDEX=VALUE``) moves one of the policy's starting parameters (e.g.
``rocket-set:rank_gain=3``), for settings studies on development seeds;
``rocket-screen:K`` (the policy draws K configurations and a Gaussian process keeps the
one with the largest expected improvement: ``screen=K``) and ``rocket-uniform-screen:K``
(the same screen over K uniform draws: what the policy adds to the screen).
``--weights`` points ``rocket*`` at another weight file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import optuna
import torch

from rocket_hpo.bench.jobs import code_version
from rocket_hpo.bench.problems import get_problem

# The development subset of shared/benchmarks/yahpo-split.json's ``dev`` instances (all four
# scenarios; every rbv2 instance here passes the plausibility rule). Never a reserved one.
DEV = [
    "yahpo/lcbench/3945", "yahpo/lcbench/7593", "yahpo/lcbench/126025", "yahpo/lcbench/167168",
    "yahpo/rbv2_xgboost/40496", "yahpo/rbv2_xgboost/4134", "yahpo/rbv2_rpart/470",
    "yahpo/rbv2_rpart/41168", "yahpo/iaml_glmnet/1489",
]


def make_sampler(name: str, space: Any, seed: int, weights: str | None) -> Any:
    from rocket_hpo import RocketSampler

    path = {"policy_path": weights} if weights else {}
    if name == "rocket":
        return RocketSampler(space, seed=seed, **path)
    if name.startswith("rocket-set:"):  # rocket-set:rank_gain=3 or bias.0=1.5: one weight moved
        sampler = RocketSampler(space, seed=seed, **path)
        policy = sampler._backend.policy
        key, value = name[len("rocket-set:"):].split("=")
        attr, _, index = key.partition(".")
        with torch.no_grad():
            tensor = getattr(policy, attr)
            if index:
                tensor[int(index)] = float(value)
            else:
                tensor.fill_(float(value))
        return sampler
    if name.startswith("rocket-screen:"):  # rocket-screen:64: the policy's best of 64 draws
        return RocketSampler(space, seed=seed, screen=int(name.split(":")[1]), **path)
    if name == "rocket-frozen":
        return RocketSampler(space, seed=seed, update_steps=0, **path)
    if name == "rocket-scratch":
        return RocketSampler(space, seed=seed, pretrained=False)
    if name == "rocket-uniform" or name.startswith("rocket-uniform-screen:"):
        screen = {"screen": int(name.split(":")[1])} if ":" in name else {}
        sampler = RocketSampler(space, seed=seed, **screen, **path)
        policy = sampler._backend.policy
        with torch.no_grad():
            policy.bias[0] = 50.0  # the uniform share -> 1: every draw uniform
        return sampler
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    raise SystemExit(f"unknown optimizer {name!r}")


def run_one(problem_name: str, optimizer: str, seed: int, budget: int,
            weights: str | None, code: str, seed_offset: int = 0) -> dict[str, Any]:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    problem = get_problem(problem_name)
    sampler = make_sampler(optimizer, problem.space, seed + seed_offset, weights)
    study = optuna.create_study(direction=problem.direction, sampler=sampler)
    regret, best, eval_s = [], math.inf, 0.0
    start = time.perf_counter()
    for _ in range(budget):
        trial = study.ask()
        config = problem.space.suggest(trial)
        t0 = time.perf_counter()
        score, _ = problem.evaluate(config, 1.0)
        eval_s += time.perf_counter() - t0
        study.tell(trial, score)
        best = min(best, problem.regret(score))
        regret.append(best)
    wall = time.perf_counter() - start
    return {"problem": problem_name, "optimizer": optimizer, "seed": seed, "budget": budget,
            "regret": regret, "overhead_ms": 1000 * (wall - eval_s) / budget,
            "code": code, **({"sampler_seed": seed + seed_offset} if seed_offset else {})}


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--problems", default=",".join(DEV))
    p.add_argument("--optimizers", default="rocket,random,tpe,gp,cmaes")
    p.add_argument("--seeds", default="0-9")
    p.add_argument("--budget", type=int, default=50)
    p.add_argument("--weights", default=None)
    p.add_argument("--label", default=None,
                   help="record the (single) optimizer under this name, e.g. 'rocket-critic' "
                        "for the earlier agent run with PYTHONPATH at its tagged commit")
    p.add_argument("--seed-offset", type=int, default=0,
                   help="the samplers get seed + this (the cell keeps its seed): a rerun of "
                        "the same optimizer with another random stream, under --label, shows "
                        "how far two draws of one agent differ in a paired comparison")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            done.add((r["problem"], r["optimizer"], r["seed"], r["budget"]))
    problems = args.problems.split(",")
    # The code this process imported: read once, as it starts (a commit or an edit made
    # while it runs does not change what it runs).
    code = code_version()
    for seed in _seeds(args.seeds):  # seeds outermost: a cut-short run stays balanced
        for prob in problems:
            for opt in args.optimizers.split(","):
                name = args.label or opt
                if (prob, name, seed, args.budget) in done:
                    continue
                r = run_one(prob, opt, seed, args.budget, args.weights, code, args.seed_offset)
                r["optimizer"] = name
                with out.open("a") as f:
                    f.write(json.dumps(r) + "\n")
                print(f"{prob} {opt} seed {seed}: regret {r['regret'][-1]:.4f} "
                      f"({r['overhead_ms']:.1f} ms/eval)", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
