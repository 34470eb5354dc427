"""Do the data-rich tasks need transfer rules? Rank agreement of the 1/9 rung with full data,
with and without candidate rules applied on promotion (issue 15).

A transfer rule changes a configuration's hyperparameters when the subset scheduler moves
it to more data (``rocket_hpo.fidelity.TransferRules``). A task needs a rule when the
configurations that rank best on a subset do better on the full data *with* the rule than
without it. For every task of ``rocket_hpo.tasks.DATA_RICH`` this takes the first
``--configs`` uniform configurations of ``rank_agreement_rich.json`` (their scores on 1/9
and on the full data, training seed 0, are there), applies each candidate rule set for a
promotion from 1/9 to the full data, trains the changed configuration on the full data
(seed 0; a configuration the rules leave unchanged keeps its recorded score) and reports,
per rule set:

* Spearman's rho between the 1/9 scores and the full-data scores with the rules, against
  rho without them, and the paired difference with a 95 % bootstrap interval (2,000
  resamples of the configurations, seed 0);
* what a scheduler promoting the 1/9 rung's best tenth would get on the full data: their
  mean and best full-data score with and without the rules, and the paired difference
  (with minus without, better > 0) with its 95 % t interval.

Candidate rule sets (the ones the built-in tasks' hyperparameters admit; their epochs
already scale the steps with the data, since a subset trains the same epochs on fewer rows):

* ``batch-lr``: the batch grows as the square root of the data, the learning rate with the
  batch (the linear scaling rule);
* ``weight-decay``: weight decay shrinks as the data grows (the L2 prior's weight per
  example falls as 1/n).

Results go to ``transfer_agreement.json`` (rewritten after every training, read back on
start: a killed run resumes) and ``transfer_agreement.md`` beside this script. From the
project root, the rule sets compared on the first 100 configurations, then the one chosen
confirmed on the other 100:

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=src nohup nice -n 10 \\
        .venv/bin/python benchmarks/fidelity/transfer_agreement.py \\
        >> benchmarks/fidelity/transfer_agreement.log 2>&1 &
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=src nohup nice -n 10 \\
        .venv/bin/python benchmarks/fidelity/transfer_agreement.py --skip 100 \\
        --rules weight-decay --out benchmarks/fidelity/transfer_agreement_held_out.json \\
        >> benchmarks/fidelity/transfer_agreement_held_out.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from paired import paired_difference
from rank_agreement_rich import _evaluate, _key, _ranked, _rho, bootstrap_interval, save

from rocket_hpo.fidelity import Scale, TransferRules

HERE = Path(__file__).parent
SOURCE = HERE / "rank_agreement_rich.json"
FROM, TO = 1 / 9, 1.0
RULE_SETS = {
    "batch-lr": TransferRules(Scale("batch_size", power=0.5), Scale("lr", by="batch_size")),
    "weight-decay": TransferRules(Scale("weight_decay", power=-1.0)),
}
TOP_SHARE = 0.1


def _difference(low: np.ndarray, without: np.ndarray, with_: np.ndarray,
                ) -> tuple[float, float]:
    """95 % bootstrap interval of rho(low, with_) - rho(low, without), paired by config."""
    return bootstrap_interval(lambda i: _rho(low[i], with_[i]) - _rho(low[i], without[i]),
                              len(low))


def summarise(task: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    maximize = task.direction == "maximize"
    low = _ranked([r["low"] for r in rows], maximize)
    without = _ranked([r["full"] for r in rows], maximize)
    order = np.argsort(-low if maximize else low, kind="stable")
    top = order[: max(1, round(TOP_SHARE * len(rows)))]
    out: dict[str, Any] = {"n_configs": len(rows), "rho_without": _rho(low, without)}

    def promoted(scores: list[float | None]) -> dict[str, float]:
        # a diverged training counts as the worst real score of the promoted set
        real = [s for s in (scores[i] for i in top) if s is not None]
        worst = (min(real) if maximize else max(real)) if real else math.nan
        got = [worst if scores[i] is None else scores[i] for i in top]
        return {"mean": float(np.mean(got)),
                "best": float(max(got) if maximize else min(got)),
                "diverged": sum(scores[i] is None for i in top)}

    out["top_without"] = promoted([r["full"] for r in rows])
    sign = 1.0 if maximize else -1.0
    out["rule_sets"] = list(rows[0]["rules"])  # the ones this file measured
    for name in out["rule_sets"]:
        with_ = _ranked([r["rules"][name]["score"] for r in rows], maximize)
        lo, hi = _difference(low, without, with_)
        # the promoted configurations, paired: full-data score with the rules minus
        # without (better > 0; pairs where either diverged are left out)
        gains = [sign * (r["rules"][name]["score"] - r["full"]) for r in (rows[i] for i in top)
                 if r["rules"][name]["score"] is not None and r["full"] is not None]
        mean, gain_low, gain_high = paired_difference(gains) if len(gains) > 1 else (
            math.nan, math.nan, math.nan)
        out[name] = {"rho": _rho(low, with_), "diff_low": lo, "diff_high": hi,
                     "changed": sum(bool(r["rules"][name]["changes"]) for r in rows),
                     "top": promoted([r["rules"][name]["score"] for r in rows]),
                     "top_gain": mean, "top_gain_low": gain_low, "top_gain_high": gain_high}
    return out


def _markdown(data: dict[str, Any]) -> str:
    first, last = data["meta"].get("range", (0, 100))
    lines = [
        "# Transfer rules on the data-rich tasks: rank agreement of 1/9 with full data",
        "",
        f"Produced by `benchmarks/fidelity/transfer_agreement.py` at commit "
        f"{', '.join(data['meta']['commits'])} (its docstring has the protocol), on "
        f"configurations {first}-{last - 1} of `rank_agreement_rich.json`. rho: "
        "Spearman between the 1/9 scores and the full-data scores of the same "
        "configurations, without rules or with the rule set applied on promotion "
        "(diverged trainings ranked last); diff: rho with minus rho without, [95 % "
        f"bootstrap interval]; promoted best {TOP_SHARE:.0%}: the configurations the 1/9 "
        "rung ranks best, their mean and best full-data validation score, and their "
        "full-data score with the rules minus without, paired (mean [95 % t interval]).",
        "",
        "| task | configs | rule set | configurations changed | rho | diff [95 % CI] | "
        f"promoted best {TOP_SHARE:.0%}: mean | best | gain with the rules (better > 0) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in data["tasks"].items():
        s = entry.get("summary")
        if not s:
            continue
        t = s["top_without"]
        lines.append(f"| {name} | {s['n_configs']} | none | | {s['rho_without']:.3f} | | "
                     f"{t['mean']:.4f} | {t['best']:.4f} | |")
        for rule in s["rule_sets"]:
            r = s[rule]
            lines.append(
                f"| {name} | {s['n_configs']} | {rule} | {r['changed']} | {r['rho']:.3f} | "
                f"{r['rho'] - s['rho_without']:+.3f} [{r['diff_low']:+.3f}, "
                f"{r['diff_high']:+.3f}] | {r['top']['mean']:.4f} | {r['top']['best']:.4f} | "
                f"{r['top_gain']:+.4f} [{r['top_gain_low']:+.4f}, {r['top_gain_high']:+.4f}] |")
    return "\n".join(lines) + "\n"


def main() -> None:
    import torch

    from rocket_hpo import tasks

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(tasks.DATA_RICH))
    parser.add_argument("--configs", type=int, default=100)
    parser.add_argument("--skip", type=int, default=0,
                        help="start after this many configurations (a held-out set)")
    parser.add_argument("--rules", nargs="+", choices=sorted(RULE_SETS),
                        default=list(RULE_SETS), help="the rule sets to measure")
    parser.add_argument("--out", type=Path, default=HERE / "transfer_agreement.json")
    parser.add_argument("--render", action="store_true",
                        help="only summarise the rows in --out again")
    args = parser.parse_args()
    chosen = {name: RULE_SETS[name] for name in args.rules}
    if args.render:
        data = json.loads(args.out.read_text())
        for name, entry in data["tasks"].items():
            entry["summary"] = summarise(tasks.get(name), entry["rows"])
        save(args.out, data, _markdown)
        return
    torch.set_num_threads(1)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    source = json.loads(SOURCE.read_text())["tasks"]
    data: dict[str, Any] = {"meta": {"commits": []}, "tasks": {}}
    if args.out.exists():
        data = json.loads(args.out.read_text())
        print(f"resuming from {args.out}", flush=True)
    data["meta"]["range"] = [args.skip, args.skip + args.configs]
    for name in args.tasks:
        task = tasks.get(name)
        dists = task.space.to_optuna()
        entry = data["tasks"].setdefault(name, {"rows": []})
        done = {r["index"] for r in entry["rows"]}
        for record in source[name]["records"][args.skip: args.skip + args.configs]:
            if record["index"] in done:
                continue
            if commit not in data["meta"]["commits"]:
                data["meta"]["commits"].append(commit)  # every commit rows were made at
            config = record["config"]
            row: dict[str, Any] = {"index": record["index"],
                                   "low": record["rungs"][_key(FROM)]["score"],
                                   "full": record["rungs"][_key(TO)]["score"], "rules": {}}
            for rule, rules in chosen.items():
                changed, changes = rules.apply(config, dists, FROM, TO)
                score = (_evaluate(task, changed, TO)["score"] if changes else row["full"])
                row["rules"][rule] = {"changes": changes, "score": score}
            entry["rows"].append(row)
            entry["rows"].sort(key=lambda r: r["index"])
            entry["summary"] = summarise(task, entry["rows"]) if len(entry["rows"]) >= 3 \
                else None
            save(args.out, data, _markdown)
            print(f"{name} {len(entry['rows'])}/{args.configs} config {record['index']}: "
                  f"1/9 {row['low']}, full {row['full']}, " + ", ".join(
                      f"{k} {v['score']}" for k, v in row["rules"].items()), flush=True)
    save(args.out, data, _markdown)


if __name__ == "__main__":
    main()
