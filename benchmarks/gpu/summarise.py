"""The tables of README.md from the device's results (``results/``).

    python benchmarks/gpu/summarise.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

HERE = Path(__file__).parent / "results"


def _rows(name: str) -> dict[str, dict[str, object]]:
    return {r["task"]: r for r in map(json.loads, (HERE / name).read_text().splitlines())}


def tasks_table() -> str:
    cpu, gpu = _rows("tasks-cpu.jsonl"), _rows("tasks-gpu.jsonl")
    warm = _rows("tasks-gpu-warm.jsonl")  # wine warmed the GPU up: its time is not kept
    lines = ["| task | CPU s (1 thread) | GPU s | GPU s, warm | CPU / GPU | val CPU | val GPU |",
             "|---|---|---|---|---|---|---|"]
    for task, g in gpu.items():
        c = cpu[task]
        again = float(warm[task]["seconds"]) if task in warm and task != "wine" else math.inf
        best_gpu = min(float(g["seconds"]), again)
        shown = f"{again:.2f}" if again < math.inf else ""
        lines.append(f"| `{task}` | {c['seconds']:.2f} | {g['seconds']:.2f} | {shown} "
                     f"| {float(c['seconds']) / best_gpu:.1f} | {c['val']:.4f} | {g['val']:.4f} |")
    return "\n".join(lines)


def pretrain_table() -> str:
    lines = ["| run | iterations in one minute |", "|---|---|"]
    for name in ("pretrain-cpu1", "pretrain-cpu4", "pretrain-gpu-alone",
                 "pretrain-gpu-beside-cpu4"):
        n = len((HERE / f"{name}.log").read_text().splitlines())
        lines.append(f"| `{name}` | {n} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(tasks_table(), "", pretrain_table(), sep="\n")
