"""Time each built-in task's reference training on this machine's GPU or CPU.

One full-fidelity training of the reference configuration plus its validation and test
scoring (``make_table.measure``), per task, on the device torch picks (the GPU when
``torch.cuda.is_available()``; hide it with ``CUDA_VISIBLE_DEVICES=``). Writes one JSON
line per task with the wall seconds, the device and the scores, so that a GPU run and a
CPU run of the same machine can be set side by side (``summarise.py``).

    python benchmarks/gpu/tasks_device.py --out gpu.jsonl --tasks mnist trec
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tasks"))
from make_table import measure  # the table's own measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--tasks", nargs="+", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    device = torch.cuda.get_device_name(0) if cuda else f"cpu ({platform.machine()})"
    for name in args.tasks:
        start = time.perf_counter()
        try:
            row = measure(name, args.seed)
        except Exception as e:  # record and go on: one task's failure must not hide the rest
            row = {"task": name, "seed": args.seed, "error": f"{type(e).__name__}: {e}"}
        row.update(device=device, cuda=cuda, threads=args.threads, torch=torch.__version__,
                   wall_with_load=time.perf_counter() - start)
        print(json.dumps(row), flush=True)
        with open(args.out, "a") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
