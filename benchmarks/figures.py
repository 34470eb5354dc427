"""Each measured figure the project README quotes, with the file it comes from.

For every entry of ``FIGURES`` this checks that the README still quotes it (the text, with
line breaks and repeated spaces folded), that its source files exist, and what commit each
source records in its ``code``/``commit`` fields. It fails when a quote is gone from the
README, a source is missing, or a source records a dirty tree (``+dirty``: the numbers
came from code that no commit holds). A source that records no commit is listed as such.

    .venv/bin/python benchmarks/figures.py          # the table; exit 1 on a problem

A figure added to the README gets an entry here (``tests/test_figures.py`` runs this).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A commit as the result files write it: "code": "76b679e", "commit": "abc1234+dirty",
# code: 76b679e (YAML/Markdown).
_COMMIT = re.compile(
    r"""["']?\b(?:code|commit)\b["']?\s*[:=]\s*["'`]?([0-9a-f]{7,40}(?:\+dirty)?)\b(\+dirty)?""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    what: str
    quote: str
    """Text the README holds (line breaks and repeated spaces folded to one space)."""
    sources: tuple[str, ...]
    """Files, relative to the repository root, the numbers were read from."""


FIGURES = (
    Figure("chaos run: 8 workers, 2000 trials, no loss (the earlier agent)",
           "2000 trials, 0 lost, 0 run twice",
           ("benchmarks/runtime/results/chaos_workers.json",)),
    Figure("kill -9 of rocket tune --workers 2, PostgreSQL, 150 trials",
           "the agent's saved stage never went back (it ended at stage 40)",
           ("benchmarks/runtime/results/cli_kill_resume_postgres_policy.json",)),
    Figure("kill -9 at 10 random moments, PostgreSQL, 60 trials",
           "8 trials lost with their process and re-run, exactly 60 completed",
           ("benchmarks/runtime/results/kill_resume_postgres.json",)),
    Figure("Ray: 50 trials on a local cluster",
           "Ray: 50 trials on `ray.init(num_cpus=2)` in 28 s",
           ("benchmarks/runtime/results/ray_run.json",)),
    Figure("LLM policy on a toy objective",
           "-1.40 ± 0.17 to -0.88 ± 0.25",
           ("benchmarks/llm/results.md",)),
    Figure("pretraining for a minute on an H200 machine: CUDA against one CPU thread",
           "a minute of pretraining ran 67 iterations with CUDA against 95 on one",
           ("benchmarks/gpu/results/pretrain-gpu-alone.log",
            "benchmarks/gpu/results/pretrain-cpu1.log", "benchmarks/gpu/results/CODE.md")),
    Figure("the language-model policy on an H200",
           "the tiny model's group update takes 0.62 s against 7.35 s on one CPU thread",
           ("benchmarks/gpu/results/throughput.md", "benchmarks/gpu/results/CODE.md")),
    Figure("data subsets on the data-rich tasks at budget 50",
           "At budget 50 they are still not cheaper (1.00 and 0.96)",
           ("benchmarks/fidelity/results_rich_b50/mnist_full/results.json",
            "benchmarks/fidelity/results_rich_b50/etth1_multi/results.json")),
    Figure("the peers, HEBO and Rocket on yahpo-dev8, budgets 20 and 50",
           "| gp | 0.082 [0.068, 0.096] | **2.42** | **0.044** [0.038, 0.050] | 2.36 | 423 ms |",
           ("benchmarks/agent/results/dev8-b50/results.json",
            "benchmarks/agent/results/dev8-b50-v2/results.json")),
    Figure("the other 10 dev problems and all 18, without HEBO",
           "all 18 problems without HEBO (180 cells, `summary-all-18-without-hebo.md`): mean rank "
           "at 20 / 50 Rocket 2.21 / 1.82, GPSampler 2.36 / 2.26",
           ("benchmarks/agent/results/dev-rest-b50/results.json",
            "benchmarks/agent/results/dev8-b50/results.json",
            "benchmarks/agent/results/dev8-b50-v2/results.json")),
    Figure("data subsets on the data-rich tasks, budget 20 (the default with checks)",
           "reaches its final score, over the cost at which Rocket with subsets reaches it, is "
           "0.85 and 0.95 (median over seeds; above 1 the subsets are cheaper)",
           ("benchmarks/fidelity/results_rich_b20/results.json",
            "benchmarks/fidelity/results_rich_b20/analysis.md",
            "benchmarks/fidelity/results_rich_b20/oracle_bound.md")),
    Figure("data subsets on the rbv2_xgboost dev instances, budget 50 (the default with checks)",
           "regret minus rocket-full -0.004 [-0.026, +0.018] at 20 and +0.008 [-0.013, +0.028] "
           "at 50, where the previous default (ASHA) was +0.063 and +0.070",
           ("benchmarks/fidelity/results_xgb_dev_b50/results.json",
            "benchmarks/fidelity/results_xgb_dev_b50/paired.md")),
    Figure("rocket tune against the references, 16 tasks, 5 seeds (fe37940, ba14da1)",
           "interval on 9 of the 16 tasks (`mnist`, `sst2`, `etth1_h24`, `etth1_h168`, `fsdd`,",
           ("benchmarks/tasks/tuned.jsonl", "benchmarks/tasks/tuned.md",
            "benchmarks/tasks/results.jsonl")),
    Figure("rocket tune against the references, per (task, seed)",
           "per (task, seed) it is higher in 64 of 80, equal in 9 and lower in 7",
           ("benchmarks/tasks/tuned.jsonl", "benchmarks/tasks/tuned.md")),
    Figure("the same table with the scheduler before the checks (dc934b6)",
           "it was better on 1 task and higher in 32 of 48 (equal 14, lower 2)",
           ("benchmarks/tasks/tuned-before-checks/tuned.jsonl",
            "benchmarks/tasks/tuned-before-checks/tuned.md")),
    Figure("HEBO's row on yahpo-dev8, all 80 runs",
           "| hebo | 0.092 [0.086, 0.099] | 3.20 | 0.059 [0.052, 0.068] | 2.69 | 5.3 s |",
           ("benchmarks/agent/results/dev8-b50/results.json",)),
    Figure("Rocket's row on yahpo-dev8 (compact-v2)",
           "| rocket (full data) | 0.082 [0.071, 0.093] | 2.58 | 0.047 [0.039, 0.055] | "
           "**2.35** | 132 ms |",
           ("benchmarks/agent/results/dev8-b50-v2/results.json",)),
    Figure("compact-v2 against compact-v1 on yahpo-dev8",
           "wins 45 and 50 pairs of 80 at 20 and 50 but its mean regret is level",
           ("benchmarks/agent/results/dev8-b50-v2/results.json",
            "benchmarks/agent/results/dev8-b50-speed/results.json")),
    Figure("Rocket's first screen on yahpo-dev8, among eight",
           "0.049, ranks among the eight with the policy before the screen 2.69 / 2.38)",
           ("benchmarks/agent/results/dev8-b50/results.json",
            "benchmarks/agent/results/dev8-b50-screen/results.json")),
    Figure("Rocket's policy before the screen on yahpo-dev8",
           "and with the policy before the screen (0.128 / 0.092)",
           ("benchmarks/agent/results/dev8-b50/results.json",)),
    Figure("the climb against the peers, nine dev problems, three streams",
           "1.69 / 1.44 against GPSampler's 1.97 / 1.91, TPE's 2.99 / 2.89",
           ("benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-gp.jsonl")),
    Figure("the climb against the screen before it, nine dev problems",
           "-0.0022 [-0.0107, +0.0068] in mean regret at 20",
           ("benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-streams.jsonl")),
    Figure("the climb on mfh3/mfh6, three streams",
           "rank 1.67 / 1.50 at 20 / 50 against GPSampler's 1.95 / 1.60",
           ("benchmarks/agent/results/unseen/mfh-climb-streams.jsonl",
            "benchmarks/agent/results/unseen/mfh-streams.jsonl")),
    Figure("what the policy adds under the climb, three streams",
           "[-0.0177, +0.0001] at 20 and -0.0116 [-0.0189, -0.0020] at 50",
           ("benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-uniform-climb-streams.jsonl")),
    Figure("leave rbv2_rpart out, with the climb",
           "1.90 / 1.68 against GPSampler's 2.08 / 2.45 and TPE's 3.70 / 3.65",
           ("benchmarks/agent/results/policy/loso-rbv2_rpart-climb.jsonl",
            "benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl")),
    Figure("budget 100 on the lcbench dev instances with the climb, three streams",
           "1.54 / 1.48 / 1.56 at 20 / 50 / 100 against GPSampler's 1.80 / 1.82 / 1.80",
           ("benchmarks/agent/results/policy/lcbench-b100-climb-streams.jsonl",
            "benchmarks/agent/results/policy/lcbench-b100-streams.jsonl")),
    Figure("what pretraining adds under the climb, three streams",
           "scratch +0.0044 [-0.0053, +0.0143] at 20 and +0.0041 [-0.0039, +0.0141] at 50",
           ("benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-scratch-climb-streams.jsonl")),
    Figure("overhead with the climb, 1000 trials",
           "1000-trial study is 52.1 ms, the same screen without the climb (`climb=0`) 43.2 ms",
           ("benchmarks/agent/results/policy/overhead-climb.json",)),
    Figure("without in-study updates under the climb, three streams",
           "cells at 20 than the default (rank difference +0.19 [+0.08, +0.31], mean regret level,",
           ("benchmarks/agent/results/policy/dev-b50-climb-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-frozen-climb-streams.jsonl")),
    Figure("compact-v2 against the peers, nine dev problems",
           "Rocket 0.080 / 0.037, GPSampler 0.081 / 0.046, TPE 0.122 / 0.080",
           ("benchmarks/agent/results/policy/dev-b50.jsonl",
            "benchmarks/agent/results/policy/dev-b50-gp.jsonl",
            "benchmarks/agent/results/policy/dev-b50-step.jsonl")),
    Figure("compact-v2 unscreened, and against from scratch",
           "62 wins but a mean difference within noise, -0.003 [-0.016, +0.009] at 20",
           ("benchmarks/agent/results/policy/dev-b50-step.jsonl",
            "benchmarks/agent/results/policy/dev-b50-speed-rocket-scratch.jsonl")),
    Figure("what pretraining adds, three streams",
           "from-scratch network (`pretrained=False`) by 0.0095 [0.0030, 0.0162] in mean regret",
           ("benchmarks/agent/results/policy/dev-b50-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-scratch-streams.jsonl")),
    Figure("what the policy adds to the screen, compact-v2, three streams",
           "does worse by 0.030 [0.022, 0.037] at 20 and 0.037 [0.030, 0.044] at 50",
           ("benchmarks/agent/results/policy/dev-b50-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-uniform-streams.jsonl")),
    Figure("budget 100 on the lcbench dev instances, compact-v2, three streams",
           "(1.62 / 1.51 / 1.50 against GPSampler's 1.72 / 1.80 / 1.81;",
           ("benchmarks/agent/results/policy/lcbench-b100.jsonl",
            "benchmarks/agent/results/policy/lcbench-b100-v2.jsonl",
            "benchmarks/agent/results/policy/lcbench-b100-streams.jsonl")),
    Figure("mfh3/mfh6 with compact-v2",
           "Rocket and GPSampler tie in mean rank at 20 (2.15;",
           ("benchmarks/agent/results/unseen/mfh/results.json",
            "benchmarks/agent/results/unseen/mfh-v2/results.json")),
    Figure("overhead at 1000 trials, a later quiet run",
           "21.1 against 10.8 ms in a later quiet run, `overhead-session33.json`",
           ("benchmarks/agent/results/policy/overhead-session33.json",)),
    Figure("mfh3/mfh6, three streams of Rocket, GPSampler and TPE",
           "GPSampler edges it at 50 (1.53 against 1.58, +0.05 [-0.25, +0.35]);",
           ("benchmarks/agent/results/unseen/mfh-streams.jsonl",
            "benchmarks/agent/results/unseen/summary-mfh-streams.md")),
    Figure("four deep-learning tasks with compact-v2 (and compact-v1 before)",
           "Rocket's mean rank is 1.82 against GPSampler's 2.65 and TPE's 2.77",
           ("benchmarks/agent/results/unseen/dl/results.json",
            "benchmarks/agent/results/unseen/dl-v2/results.json",
            "benchmarks/agent/results/unseen/dl-screen/results.json")),
    Figure("leave one scenario out, step groups",
           "as `compact-v2` (-0.0001 [-0.004, +0.003] at 50;",
           ("benchmarks/agent/results/policy/loso-rbv2_rpart-v2.jsonl",
            "benchmarks/agent/results/policy/dev-b50-step.jsonl")),
    Figure("overhead per ask+tell, 1000 trials, the screen with 64 and 48 draws, TPE",
           "Rocket's median ask+tell over a 1000-trial study is 22.6 ms, against TPE's 11.5 ms",
           ("benchmarks/agent/results/policy/overhead-decode.json",
            "benchmarks/agent/results/policy/overhead-decode-before.json")),
    Figure("Rocket, GPSampler and TPE over three random streams, reported dev cells",
           "0.073 / 0.036, GPSampler 0.079 / 0.045, TPE 0.121 / 0.079; mean rank 1.85 / 1.63",
           ("benchmarks/agent/results/policy/dev-b50-streams.jsonl",
            "benchmarks/agent/results/policy/dev-b50-step.jsonl",
            "benchmarks/agent/results/policy/dev-b50-gp.jsonl",
            "benchmarks/agent/results/policy/dev-b50.jsonl")),
    Figure("screen size over three random streams, development seeds",
           "(-0.003 [-0.008, +0.002] on development seeds, three random streams each;",
           ("benchmarks/agent/results/policy/tried/size-dev-seeds10-29.jsonl",
            "benchmarks/agent/results/policy/tried/streams-dev-seeds10-29.jsonl")),
)


def _fold(text: str) -> str:
    return " ".join(text.split())


def commits(path: Path) -> list[str]:
    """The distinct commits ``path`` records, in order of first appearance."""
    found: dict[str, None] = {}
    for match in _COMMIT.finditer(path.read_text(errors="replace")):
        found[match.group(1) + (match.group(2) or "")] = None
    return list(found)


def check(readme: Path = ROOT / "README.md", root: Path = ROOT,
          figures: tuple[Figure, ...] = FIGURES) -> tuple[list[str], list[str]]:
    """(table lines, problems) for ``figures`` against ``readme``."""
    text = _fold(readme.read_text())
    lines, problems = [], []
    for fig in figures:
        if _fold(fig.quote) not in text:
            problems.append(f"{fig.what}: the README no longer says {fig.quote!r}")
        for source in fig.sources:
            path = root / source
            if not path.is_file():
                problems.append(f"{fig.what}: source {source} does not exist")
                continue
            found = commits(path)
            dirty = [c for c in found if c.endswith("+dirty")]
            if dirty:
                problems.append(f"{fig.what}: {source} records a dirty tree ({', '.join(dirty)})")
            lines.append(f"{fig.what:70s} {source:62s} {', '.join(found) or 'no commit recorded'}")
    return lines, problems


def main() -> int:
    lines, problems = check()
    print(f"{'figure':70s} {'source':62s} commit")
    print("\n".join(lines))
    for p in problems:
        print(f"PROBLEM: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
