"""HEBO's suggest/observe loop in its own interpreter (``.venv-hebo``), driven over pipes.

HEBO 0.3.6 pins numpy < 1.25, which the project's numpy 2 rules out, so the harness runs
this file with the interpreter ``make bench-hebo`` creates. It imports nothing from
``rocket_hpo``. Protocol, one JSON object per line:

1. the harness sends ``{"params": [...], "seed": s}`` (HEBO ``DesignSpace`` records);
   the worker answers ``{"ready": true}`` once HEBO is imported and built;
2. then, repeatedly, the harness sends ``{"y": value}`` (the score to minimise of the last
   suggestion, ``null`` before the first one or when that evaluation failed) and the worker
   answers ``{"x": {name: value}}``, HEBO's next suggestion.

The worker exits at the end of its input.
"""

from __future__ import annotations

import json
import os
import random
import sys
from typing import IO, Any


def _send(channel: IO[str], obj: dict[str, Any]) -> None:
    channel.write(json.dumps(obj) + "\n")
    channel.flush()


def main() -> None:
    # The protocol gets its own copy of stdout; whatever HEBO or pymoo print (pymoo announces
    # that its compiled modules are missing) goes to stderr instead.
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    import numpy as np
    import torch
    from hebo.design_space.design_space import DesignSpace
    from hebo.optimizers.hebo import HEBO

    torch.set_num_threads(1)
    spec = json.loads(sys.stdin.readline())
    seed = int(spec["seed"])
    # HEBO draws from the global generators (its acquisition optimiser, its GP's fit).
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    opt = HEBO(DesignSpace().parse(spec["params"]), scramble_seed=seed)
    _send(channel, {"ready": True})
    last = None
    for line in sys.stdin:
        y = json.loads(line)["y"]
        if last is not None and y is not None:
            opt.observe(last, np.array([[float(y)]]))
        last = opt.suggest(n_suggestions=1)
        row = last.iloc[0].to_dict()
        _send(channel, {"x": {k: v.item() if hasattr(v, "item") else v for k, v in row.items()}})


if __name__ == "__main__":
    main()
