"""Check that rocket_hpo's direct ONNX evaluation of YAHPO equals yahpo-gym 1.0.2's.

yahpo-gym is not a dependency (it pins ConfigSpace<=0.6.1); to run this check, put it on the
path without its dependencies, e.g.::

    pip download --no-deps yahpo-gym==1.0.2 -d /tmp/yg && cd /tmp/yg && unzip -o -q *.whl
    PYTHONPATH=/tmp/yg .venv/bin/python benchmarks/harness/check_yahpo_parity.py

It samples 200 configurations per scenario (rocket's space, so conditions are honoured),
evaluates them at several fidelities both ways and prints the largest absolute difference.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings

from rocket_hpo.bench.problems import get_problem
from rocket_hpo.tasks.base import data_dir

warnings.filterwarnings("ignore", message="The field 'default'")
os.environ["YAHPO_LOCAL_CONFIG"] = os.path.join(tempfile.mkdtemp(), "yahpo.yaml")
import ConfigSpace  # noqa: E402

if int(ConfigSpace.__version__.split(".")[0]) >= 1:
    # yahpo-gym 1.0.2 calls a method ConfigSpace 1.x removed; ordering does not matter here.
    ConfigSpace.ConfigurationSpace._sort_hyperparameters = lambda self: None
from yahpo_gym import benchmark_set, local_config  # noqa: E402

local_config.init_config()
local_config.set_data_path(str(data_dir() / "yahpo"))

worst = 0.0
for name in ("yahpo/lcbench/3945", "yahpo/rbv2_xgboost/1494", "yahpo/rbv2_rpart/1476",
             "yahpo/iaml_glmnet/1489"):
    p = get_problem(name)
    _, scenario, instance = name.split("/")
    b = benchmark_set.BenchmarkSet(scenario, instance=instance, multithread=False)
    diffs = []
    for i, config in enumerate(p.space.sample_many(200, seed=0)):
        fraction = (0.05, 0.3, 1.0)[i % 3]
        full = dict(config)
        full[p.sc.instance_param] = instance
        full[p.sc.fidelity_param] = (
            int(p.fidelity_value(fraction)) if p.sc.fidelity_param == "epoch"
            else p.fidelity_value(fraction)
        )
        full.update(dict(p.sc.constants))
        ref = b.objective_function(full)[0]
        mine = p.raw(config, fraction)
        diffs.append(max(abs(float(ref[k]) - mine[k]) for k in mine))
    print(f"{name}: max |difference| over 200 configurations = {max(diffs):.3g}")
    worst = max(worst, max(diffs))
sys.exit(0 if worst < 1e-4 else 1)
