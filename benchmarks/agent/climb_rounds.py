"""How many rounds of the screen's climb move the proposal: a probe of whether 64 draws leave
the best of them short of the model's optimum nearby.

Two development problems, one seed, 20 trials each, full data; for every screened trial the
number of rounds (of ``--climb``) that raised the expected improvement, as the trial's
``rocket:screen`` record holds it (``climbed``).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/agent/climb_rounds.py --climb 4 8 \
        > benchmarks/agent/results/policy/tried/climb-rounds.txt
"""

from __future__ import annotations

import argparse
import collections

import optuna

from rocket_hpo import RocketSampler
from rocket_hpo.bench.jobs import code_version
from rocket_hpo.bench.problems import get_problem
from rocket_hpo.keys import SCREEN_KEY

PROBLEMS = ("yahpo/lcbench/3945", "yahpo/rbv2_xgboost/4134")  # development instances


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--climb", type=int, nargs="+", default=[4], help="rounds of the climb")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--trials", type=int, default=20)
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print(f"code: {code_version()}; problems {', '.join(PROBLEMS)}; seed {args.seed}; "
          f"{args.trials} trials each")
    for rounds in args.climb:
        moved: collections.Counter[int] = collections.Counter()
        for name in PROBLEMS:
            problem = get_problem(name)
            sampler = RocketSampler(problem.space, seed=args.seed, climb=rounds)
            study = optuna.create_study(direction=problem.direction, sampler=sampler)
            for _ in range(args.trials):
                trial = study.ask()
                study.tell(trial, problem.evaluate(problem.space.suggest(trial), 1.0)[0])
            for t in study.trials:
                record = t.system_attrs.get(SCREEN_KEY)
                if record:
                    moved[record["climbed"]] += 1
        total = sum(moved.values())
        print(f"climb={rounds}: {total} screened trials; moved in k rounds: "
              + ", ".join(f"{k}: {moved[k]}" for k in sorted(moved))
              + f"; in every round: {moved[rounds]} of {total}")


if __name__ == "__main__":
    main()
