import sys, numpy as np, torch
sys.path.insert(0, "tests/agent")
from test_policy import _anytime, HistoryPolicy, PretrainSettings, SyntheticTask, Space, Float, pretrain
for seed in range(4):
    torch.manual_seed(seed)
    policy = HistoryPolicy(width=16, layers=1)
    with torch.no_grad():
        policy.rank_gain.fill_(-6.0); policy.size_gain.zero_(); policy.bias[0] = -3.0
    before = _anytime(policy, range(100, 112))
    settings = PretrainSettings(group_size=16, horizon=(16, 16), iterations=24, learning_rate=3e-2, stage_every=2, synthetic_share=0.0)
    tasks = [SyntheticTask(np.random.default_rng(s), Space(x=Float(0, 1), y=Float(0, 1))) for s in range(8)]
    log = pretrain(policy, settings, tasks=tasks, seed=seed)
    after = _anytime(policy, range(100, 112))
    print(seed, round(before,4), round(after,4), round(after-before,4), "rank_gain", float(policy.rank_gain), flush=True)
