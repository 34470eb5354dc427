"""What each rung of the ladder costs under the tasks' step caps (issue 15, honest cost).

For every built-in PyTorch task and 200 uniform configurations of its space (seed 0), the
compute a rung uses relative to the same configuration's full-data run (examples processed
over the full run's, ``rocket_hpo.tasks._training.planned_compute``: what ``fit`` runs,
computed without training), divided by the rung's nominal fraction. 1 means the fraction
is the honest cost; above 1, the step cap makes the subset run more passes than the full
data, so the nominal fraction undercharges it. Also the share of configurations whose
full-data run is capped. Needs the task data (``$ROCKET_DATA`` or ``../shared/data``).

    PYTHONPATH=src OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fidelity/rung_cost.py \
        > benchmarks/fidelity/rung_cost.md
"""

from __future__ import annotations

import statistics
import subprocess

from rocket_hpo import tasks
from rocket_hpo.fidelity.subsets import nested_subset
from rocket_hpo.tasks._torch_task import TorchTask
from rocket_hpo.tasks._training import planned_compute

FRACTIONS = (1 / 27, 1 / 9, 1 / 3)
N_CONFIGS = 200


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    print("# Rung cost relative to the nominal fraction, under the step caps\n")
    print(f"Produced by `benchmarks/fidelity/rung_cost.py` at commit {commit}; "
          f"{N_CONFIGS} uniform configurations per task (seed 0). Cell: cost / fraction, "
          "median, mean (max).\n")
    print("| task | train rows | step cap | capped at full data | 1/27 | 1/9 | 1/3 |")
    print("|---|---|---|---|---|---|---|")
    for name in tasks.names():
        task = tasks.get(name)
        if not isinstance(task, TorchTask):
            continue  # digits trains whole passes, no cap: its cost is its rows' share
        splits = task._splits
        n_full = len(splits.y_train)
        rows = splits.strata if splits.strata is not None else n_full
        sizes = {f: len(nested_subset(rows, f, 0)) for f in FRACTIONS}
        capped, ratios = 0, {f: list[float]() for f in FRACTIONS}
        for config in task.space.sample_many(N_CONFIGS, seed=0):
            epochs, batch = int(config["epochs"]), int(config["batch_size"])
            full = planned_compute(n_full, batch, epochs, task.max_steps)
            capped += epochs * -(-n_full // min(batch, n_full)) > task.max_steps
            for f, n in sizes.items():
                used = planned_compute(n, batch, epochs, task.max_steps)
                ratios[f].append(used.examples / full.examples / f)
        cells = " | ".join(f"{statistics.median(r):.2f}, {statistics.mean(r):.2f} "
                           f"({max(r):.2f})" for r in ratios.values())
        print(f"| {name} | {n_full} | {task.max_steps} | {100 * capped / N_CONFIGS:.0f} % | "
              f"{cells} |")


if __name__ == "__main__":
    main()
