import sys, numpy as np, torch
sys.path.insert(0, "tests/agent")
from test_policy import _anytime, HistoryPolicy, PretrainSettings, SyntheticTask, Space, Float, pretrain
import rocket_hpo.agent.pretrain.train as T
from rocket_hpo.agent.policy import group_loss
grads = []
orig = T.group_loss
def spy(policy, d, action, adv, old, ref, clip, kl_coef):
    loss, stats = orig(policy, d, action, adv, old, ref, clip=clip, kl_coef=kl_coef)
    g = torch.autograd.grad(loss, policy.rank_gain, retain_graph=True)[0]
    grads.append(float(g))
    return loss, stats
T.group_loss = spy
lr = float(sys.argv[1]); its = int(sys.argv[2])
for seed in range(3):
    grads.clear()
    torch.manual_seed(seed)
    policy = HistoryPolicy(width=16, layers=1)
    with torch.no_grad():
        policy.rank_gain.fill_(-6.0); policy.size_gain.zero_(); policy.bias[0] = -3.0
    before = _anytime(policy, range(100, 112))
    settings = PretrainSettings(group_size=16, horizon=(16, 16), iterations=its, learning_rate=lr, stage_every=2, synthetic_share=0.0)
    tasks = [SyntheticTask(np.random.default_rng(s), Space(x=Float(0, 1), y=Float(0, 1))) for s in range(8)]
    log = pretrain(policy, settings, tasks=tasks, seed=seed)
    after = _anytime(policy, range(100, 112))
    g = np.array(grads)
    print(seed, round(before,4), round(after,4), "rank_gain", round(policy.rank_gain.item(),2), "grad>0 share", round((g>0).mean(),2), "mean grad", round(g.mean(),4), flush=True)
