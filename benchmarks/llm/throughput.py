"""Speed of the language-model policy: configurations per second and seconds per update.

On a real task's space (default: cifar10's 24 hyperparameters, 12 of them conditional),
with a prompt holding 16 past results, groups of ``--group``:

    # the tiny random model (CPU figures in results_throughput.md)
    .venv/bin/python benchmarks/llm/throughput.py --shape tiny --threads 1 \
        --out benchmarks/llm/results_throughput.md
    # a randomly initialised model of Qwen2.5-0.5B's shape (no weights needed; 151 936-token
    # vocabulary, 24 layers, width 896): the compute of the real thing
    .venv/bin/python benchmarks/llm/throughput.py --shape qwen2.5-0.5b
    # real weights on disk
    .venv/bin/python benchmarks/llm/throughput.py --model-path ~/models/qwen2.5-0.5b-instruct

The device is the GPU when torch.cuda.is_available(), else the CPU.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore", category=FutureWarning)

from rocket_hpo.agent.llm import LLMAgent, LLMSettings, load_pretrained, pick_device  # noqa: E402
from rocket_hpo.agent.llm.tiny import tiny_model, tiny_tokenizer  # noqa: E402
from rocket_hpo.tasks import get  # noqa: E402


def build(shape: str, model_path: str | None, device: torch.device):  # type: ignore[no-untyped-def]
    if model_path:
        return load_pretrained(model_path, device)
    tok = tiny_tokenizer()
    if shape == "tiny":
        return tiny_model(len(tok)).to(device), tok
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(  # Qwen2.5-0.5B's published shape
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
        num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
        tie_word_embeddings=True, rope_theta=1000000.0,
    )
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = Qwen2ForCausalLM(config).to(dtype=dtype)
    return model.to(device).eval(), tok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=["tiny", "qwen2.5-0.5b"], default="tiny")
    ap.add_argument("--model-path", default=None)
    ap.add_argument("--task", default="cifar10")
    ap.add_argument("--group", type=int, default=8)
    ap.add_argument("--stages", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device()
    space = get(args.task).space
    model, tok = build(args.shape, args.model_path, device)
    agent = LLMAgent(space, model, tok, LLMSettings(group_size=args.group), seed=0)
    rng = np.random.default_rng(0)
    history = [(c, float(rng.random())) for c in space.sample_many(16, seed=0)]
    prompt_tokens = len(agent.prompt(history))
    sample_s, update_s, out_tokens = [], [], []
    for _ in range(args.stages):
        t0 = time.perf_counter()
        group = agent.propose(args.group, history)
        if device.type == "cuda":
            torch.cuda.synchronize()
        sample_s.append(time.perf_counter() - t0)
        out_tokens += [len(t.tokens) for t in group]
        scores = [float(rng.random()) for _ in group]
        history += [(t.config, s) for t, s in zip(group, scores, strict=True)]
        t0 = time.perf_counter()
        agent.update(group, scores, history)
        if device.type == "cuda":
            torch.cuda.synchronize()
        update_s.append(time.perf_counter() - t0)
    what = args.model_path or args.shape
    name = torch.cuda.get_device_name() if device.type == "cuda" else (
        f"CPU {platform.machine()}, {torch.get_num_threads()} torch thread(s)")
    cmd = "`.venv/bin/python benchmarks/llm/throughput.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()
        if (v is not None and k != "threads") or (k == "threads" and v)) + "`"
    row = (f"| {what} | {name} | {args.task} ({len(space)} hps) | {prompt_tokens} | "
           f"{np.mean(out_tokens):.0f} | {args.group / np.median(sample_s):.2f} | "
           f"{np.median(update_s):.2f} |")
    text = "\n".join([
        f"Command: {cmd}",
        "",
        "| model | device | space | prompt tokens | output tokens | configs/s | s/update |",
        "|---|---|---|---|---|---|---|",
        row,
        "",
        f"Medians over {args.stages} stages (groups of {args.group}; each update also replays "
        "the pool, so up to 2x the group's outputs). Load average of the machine at the end: "
        f"{os.getloadavg()[0]:.1f} (2 cores shared with other jobs when measured for the "
        "committed figures). No GPU was available to the session that committed them.",
    ]) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
