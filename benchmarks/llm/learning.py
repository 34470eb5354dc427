"""Does the group update teach the language-model policy? A toy objective, 3 seeds, CPU.

The policy is the tiny random Qwen2 model of ``rocket_hpo.agent.llm.tiny`` (no weights
downloaded), so everything it learns comes from the group updates. For each seed: the
mean toy score of 64 configurations sampled by the untrained model, then ``--stages``
stages (sample a group of 8, score it, update), then 64 configurations again; random
search (64 uniform configurations) is the peer measured in the same run. Also timed:
configurations per second when sampling a batch of 64, and seconds per update.

    .venv/bin/python benchmarks/llm/learning.py --seeds 1 2 3 --out benchmarks/llm/results.md

Seed 0 is the development seed (the unit test's); the figures use the others.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from scipy import stats

os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore", category=FutureWarning)

from rocket_hpo.agent.llm import LLMAgent, LLMSettings, pick_device  # noqa: E402
from rocket_hpo.agent.llm.tiny import tiny_model, tiny_tokenizer  # noqa: E402
from rocket_hpo.space import Categorical, Float, Int, Space  # noqa: E402

SPACE = Space(opt=Categorical(["adam", "sgd", "rmsprop"]), lr=Float(1e-4, 1.0, log=True),
              layers=Int(1, 8))
SETTINGS = LLMSettings(prompt_best=4, prompt_recent=2, learning_rate=5e-3)


def toy_score(c: dict) -> float:
    """Best (0) at sgd, lr = 0.01, 6 layers."""
    return ((1.0 if c["opt"] == "sgd" else 0.0) - abs(math.log10(c["lr"]) + 2.0) / 2.0
            - abs(c["layers"] - 6) / 7.0) - 1.0


def run(seed: int, stages: int, n_eval: int) -> dict:
    tok = tiny_tokenizer()
    agent = LLMAgent(SPACE, tiny_model(len(tok), seed=seed).to(pick_device()), tok, SETTINGS,
                     seed=seed)
    t0 = time.perf_counter()
    before = [toy_score(t.config) for t in agent.propose(n_eval, [])]
    sample_s = time.perf_counter() - t0
    history: list = []
    update_s = []
    for _ in range(stages):
        group = agent.propose(SETTINGS.group_size, history)
        scores = [toy_score(t.config) for t in group]
        history += [(t.config, s) for t, s in zip(group, scores, strict=True)]
        t0 = time.perf_counter()
        agent.update(group, scores, history)
        update_s.append(time.perf_counter() - t0)
    after = [toy_score(t.config) for t in agent.propose(n_eval, history)]
    random = [toy_score(c) for c in SPACE.sample_many(n_eval, seed=seed)]
    return {"seed": seed, "untrained": float(np.mean(before)), "trained": float(np.mean(after)),
            "random_search": float(np.mean(random)),
            "configs_per_s": n_eval / sample_s, "s_per_update": float(np.median(update_s))}


def ci(values: list[float]) -> str:
    m = float(np.mean(values))
    if len(values) < 2:
        return f"{m:.3f}"
    h = float(stats.t.ppf(0.975, len(values) - 1) * stats.sem(values))
    return f"{m:.3f} ± {h:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--stages", type=int, default=6)
    ap.add_argument("--eval", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = [run(s, args.stages, args.eval) for s in args.seeds]
    for r in rows:
        print(json.dumps(r))
    gain = [r["trained"] - r["untrained"] for r in rows]
    lines = [
        "# Language-model policy: learning on a toy objective",
        "",
        f"Command: `.venv/bin/python benchmarks/llm/learning.py --seeds "
        f"{' '.join(map(str, args.seeds))} --stages {args.stages} --eval {args.eval}"
        f"{' --out ' + str(args.out) if args.out else ''}`",
        f"Device: {pick_device().type} ({platform.processor() or platform.machine()}, "
        f"{args.threads} torch thread(s), machine shared with other jobs); tiny random Qwen2 "
        "(2 layers, width 64), LoRA rank 8, groups of 8.",
        "",
        "Mean toy score (0 = optimum) of sampled configurations, mean ± 95% t-interval over "
        f"{len(rows)} seeds:",
        "",
        "| untrained model | after the updates | gain | random search (peer, same run) |",
        "|---|---|---|---|",
        f"| {ci([r['untrained'] for r in rows])} | {ci([r['trained'] for r in rows])} | "
        f"{ci(gain)} | {ci([r['random_search'] for r in rows])} |",
        "",
        "| seed | untrained | trained | random | configs/s (batch of 64) | s/update |",
        "|---|---|---|---|---|---|",
        *(f"| {r['seed']} | {r['untrained']:.3f} | {r['trained']:.3f} | "
          f"{r['random_search']:.3f} | {r['configs_per_s']:.1f} | {r['s_per_update']:.2f} |"
          for r in rows),
        "",
        "GPU: no GPU was available to this session, so no GPU figures are given; run this "
        "command on a machine with CUDA (the device is chosen by torch.cuda.is_available()).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
