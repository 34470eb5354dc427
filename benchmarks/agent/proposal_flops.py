"""Floating-point operations of Rocket's ask+tell, counted by torch's profiler (not timed).

The overhead study (``overhead.py``) times a proposal; this counts its arithmetic, to tell
how much of the time is the network's work (which only fewer draws or rows would cut) and
how much is everything around it. Same space and objective as ``overhead.py``; the count is
the mean over ``--window`` trials after ``--warm`` (a window of 4 holds one stage update).

    .venv/bin/python benchmarks/agent/proposal_flops.py \
        > benchmarks/agent/results/policy/proposal-flops.txt
"""

from __future__ import annotations

import argparse

import optuna
from overhead import SPACE, objective
from torch.profiler import ProfilerActivity, profile

from rocket_hpo import RocketSampler
from rocket_hpo.bench.jobs import code_version


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=120, help="trials before counting")
    ap.add_argument("--window", type=int, default=4, help="trials counted")
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=RocketSampler(SPACE, seed=0))

    def trials(n: int) -> None:
        for _ in range(n):
            trial = study.ask()
            study.tell(trial, objective(SPACE.suggest(trial)))

    trials(args.warm)
    with profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        trials(args.window)
    ops = prof.key_averages()
    total = sum(e.flops for e in ops if e.flops) / args.window
    print(f"code: {code_version()}; trials {args.warm + 1}-{args.warm + args.window}")
    print(f"floating-point operations per ask+tell: {total / 1e9:.3f} GFLOP (mean over the "
          "window, whose stage update is included; the profiler counts matrix products, "
          "additions and multiplications)")
    for e in sorted((e for e in ops if e.flops), key=lambda e: -e.flops)[:4]:
        per = e.flops / args.window / 1e6
        print(f"  {e.key}: {per:.1f} MFLOP in {e.count // args.window} calls")


if __name__ == "__main__":
    main()
