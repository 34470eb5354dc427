"""The folder's summary over the optimizers that ran every (problem, seed) pair: HEBO has
only seed 0 here, and ranks taken with it on some pairs only are not comparable.

    .venv/bin/python benchmarks/agent/results/dev8-b50/summary_without_hebo.py
"""

import json
from pathlib import Path

from rocket_hpo.bench.summary import summary_markdown

HERE = Path(__file__).parent
data = json.loads((HERE / "results.json").read_text())
data["records"] = [r for r in data["records"] if r["optimizer"] != "hebo"]
(HERE / "summary-without-hebo.md").write_text(summary_markdown(data))
