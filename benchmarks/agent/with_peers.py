"""Summarise a folder of Rocket runs beside the peers' runs in another folder.

``rocket benchmark`` writes one ``results.json`` per folder; a later Rocket (here: the
screened default) runs into its own folder so the peers' records stay as they were. This
joins the two: the peers' folder's own Rocket runs are renamed ``rocket-unscreened``
(``--old-name``), and the summary is the harness's (``rocket_hpo.bench.summary``).

    .venv/bin/python benchmarks/agent/with_peers.py OURS PEERS OUT.md \
        [--drop hebo,rocket-unscreened] [--only-pairs-of hebo] [--also FOLDER ...]

``--drop`` leaves optimizers out; ``--only-pairs-of NAME`` keeps only the (problem, seed)
pairs that optimizer ran (for a peer with fewer seeds, such as HEBO); ``--also FOLDER``
adds a further folder's records unchanged (more problems run with Rocket and the peers
together, as ``dev-rest-b50`` beside ``yahpo-dev8``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rocket_hpo.bench.summary import summary_markdown


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ours", type=Path)
    p.add_argument("peers", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--old-name", default="rocket-unscreened")
    p.add_argument("--drop", default="")
    p.add_argument("--only-pairs-of", default=None)
    p.add_argument("--also", type=Path, action="append", default=[])
    args = p.parse_args()
    ours = json.loads((args.ours / "results.json").read_text())
    peers = json.loads((args.peers / "results.json").read_text())
    mine = {r["optimizer"] for r in ours["records"]}
    for r in peers["records"]:
        if r["optimizer"] in mine:
            r["optimizer"] = args.old_name
    records = peers["records"] + ours["records"]
    for folder in args.also:
        records += json.loads((folder / "results.json").read_text())["records"]
    if args.only_pairs_of:
        pairs = {(r["task"], r["seed"]) for r in records if r["optimizer"] == args.only_pairs_of}
        records = [r for r in records if (r["task"], r["seed"]) in pairs]
    drop = set(filter(None, args.drop.split(",")))
    records = [r for r in records if r["optimizer"] not in drop]
    args.out.write_text(summary_markdown({**ours, "records": records}))


if __name__ == "__main__":
    main()
