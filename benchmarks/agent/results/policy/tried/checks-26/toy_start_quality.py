import sys, math, numpy as np, torch
sys.path.insert(0, "tests/agent")
from test_policy import _anytime, HistoryPolicy
for rg, b1 in ((-6, math.log(1e-3)), (6, math.log(1e-3)), (-6, math.log(0.25)), (6, math.log(0.05))):
    torch.manual_seed(0)
    policy = HistoryPolicy(width=16, layers=1)
    with torch.no_grad():
        policy.rank_gain.fill_(rg); policy.size_gain.zero_(); policy.bias[0] = -6; policy.bias[1] = b1
    print(rg, round(b1,2), round(_anytime(policy, range(100, 112)),4), flush=True)
