"""Rocket's screened default (``results.json`` here) beside the peers of ``../dev8-b50``
(random, TPE, GPSampler, CMA-ES, SMAC3 and HEBO; the earlier, unscreened Rocket is kept as
``rocket-unscreened``). Writes ``summary-with-peers.md`` over the (problem, seed) pairs
every optimizer ran (HEBO's count is stated in the README), and
``summary-with-peers-no-hebo.md`` over all 80 pairs without HEBO.

    .venv/bin/python benchmarks/agent/results/dev8-b50-screen/summary_with_peers.py
"""

import json
from pathlib import Path

from rocket_hpo.bench.summary import summary_markdown

HERE = Path(__file__).parent
peers = json.loads((HERE.parent / "dev8-b50" / "results.json").read_text())
ours = json.loads((HERE / "results.json").read_text())
for r in peers["records"]:
    if r["optimizer"] == "rocket-full":
        r["optimizer"] = "rocket-unscreened"
records = peers["records"] + ours["records"]
hebo = {(r["task"], r["seed"]) for r in records if r["optimizer"] == "hebo"}
both = [r for r in records if (r["task"], r["seed"]) in hebo]
(HERE / "summary-with-peers.md").write_text(summary_markdown({**ours, "records": both}))
rest = [r for r in records if r["optimizer"] != "hebo"]
(HERE / "summary-with-peers-no-hebo.md").write_text(summary_markdown({**ours, "records": rest}))
