import sys, math, time, weakref, numpy as np, torch
sys.path.insert(0, "tests/agent")
from test_policy import HistoryPolicy, PretrainSettings, SyntheticTask, Space, Float, pretrain
from rocket_hpo.agent.pretrain.train import rollout, quality
def absolute(policy, seeds):
    out = []
    for s in seeds:
        rng = np.random.default_rng(s)
        task = SyntheticTask(rng, Space(x=Float(0, 1), y=Float(0, 1)))
        _, scores, _, _ = rollout(policy, task, 8, 10, 24, rng)
        best = np.maximum.accumulate(scores, axis=1)
        out.append(quality(task, best, np.random.default_rng(0), weakref.WeakKeyDictionary()).mean())
    return float(np.mean(out))
# usage: python THIS MODE(step|episode) ITERATIONS LR START(narrow|worst|default)
mode = sys.argv[1]; its = int(sys.argv[2]); lr = float(sys.argv[3]); start = sys.argv[4]
for seed in range(4):
    torch.manual_seed(seed)
    policy = HistoryPolicy(width=16, layers=1)
    with torch.no_grad():
        if start == "narrow":
            policy.size_gain.zero_(); policy.bias[0] = -6; policy.bias[1] = math.log(1e-3)
        elif start == "worst":
            policy.rank_gain.fill_(-6.0); policy.size_gain.zero_(); policy.bias[0] = -3.0
    before = absolute(policy, range(100, 116))
    settings = PretrainSettings(group_size=16, horizon=(16, 16), iterations=its, learning_rate=lr,
                                stage_every=2, synthetic_share=0.0, groups=mode)
    tasks = [SyntheticTask(np.random.default_rng(s), Space(x=Float(0, 1), y=Float(0, 1))) for s in range(8)]
    t0 = time.time()
    pretrain(policy, settings, tasks=tasks, seed=seed)
    after = absolute(policy, range(100, 116))
    print(mode, start, seed, round(before, 4), round(after, 4), round(after - before, 4), "rank_gain", round(policy.rank_gain.item(), 2), f"{time.time()-t0:.1f}s", flush=True)
