"""Where a screened proposal's time goes: wall time of its parts in trials without a stage
update, and the speed of the network's largest matrix product on this CPU.

The counterpart of ``proposal_flops.py`` (which counts the arithmetic): this times the
parts, by wrapping the backend's hooks and the screen's model, over ``--trials`` trials
after ``--warm`` (same space and objective as ``overhead.py``; one torch thread, as
proposals run).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/agent/proposal_profile.py \
        > benchmarks/agent/results/policy/proposal-profile.txt
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import optuna
import torch
from overhead import SPACE, objective

import rocket_hpo.agent._compact as compact
from rocket_hpo import RocketSampler
from rocket_hpo.bench.jobs import code_version

spent: dict[str, float] = defaultdict(float)


def timed(label: str, f: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=200, help="trials before timing")
    ap.add_argument("--trials", type=int, default=500, help="trials timed")
    args = ap.parse_args()
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    compact.decode = timed("decode the draws", compact.decode)  # as _compact calls it
    backend = compact.CompactBackend
    backend.sync = timed("sync (stage bookkeeping)", backend.sync)  # type: ignore[method-assign]
    backend._context = timed("context", backend._context)  # type: ignore[method-assign]
    gp = compact.GaussianProcess
    gp.predict = timed("model: predict", gp.predict)  # type: ignore[method-assign]
    fit = gp.fit.__func__  # type: ignore[attr-defined]
    gp.fit = classmethod(timed("model: posterior update", fit))  # type: ignore[assignment]
    sampler = RocketSampler(SPACE, seed=0)
    study = optuna.create_study(sampler=sampler)
    parts: list[dict[str, float]] = []
    for i in range(args.warm + args.trials):
        spent.clear()
        stage = sampler._backend.stage
        start = time.perf_counter()
        trial = study.ask()
        study.tell(trial, objective(SPACE.suggest(trial)))
        if i >= args.warm and sampler._backend.stage == stage:  # no stage update in it
            parts.append({"ask+tell": time.perf_counter() - start, **spent})
    print(f"code: {code_version()}; trials {args.warm + 1}-{args.warm + args.trials}, "
          f"{len(parts)} without a stage update; median ms")
    for label in parts[0]:
        print(f"  {label:26s} {1000 * np.median([p.get(label, 0.0) for p in parts]):7.2f}")
    layer = torch.nn.Linear(32, 64)  # a set block's first row layer, 64 draws x 48 rows
    x = torch.randn(64 * 48, 32)
    with torch.inference_mode():
        for _ in range(50):
            layer(x)
        start = time.perf_counter()
        for _ in range(1000):
            layer(x)
    seconds = (time.perf_counter() - start) / 1000
    print(f"one (3072 x 32) @ (32 x 64) product: {1e6 * seconds:.0f} us, "
          f"{x.shape[0] * 32 * 64 / seconds / 1e9:.0f} GMAC/s")


if __name__ == "__main__":
    main()
