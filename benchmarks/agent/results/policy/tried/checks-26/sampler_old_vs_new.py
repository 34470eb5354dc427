import sys, time, math, importlib.util
sys.path.insert(0, "benchmarks/agent")
import optuna, numpy as np, torch
from overhead import SPACE, objective
from rocket_hpo import RocketSampler
from rocket_hpo.agent._history import stack
from rocket_hpo.agent.policy import sample as new_sample
spec = importlib.util.spec_from_file_location("oldp", "/tmp/old_policy.py"); oldp = importlib.util.module_from_spec(spec); sys.modules["oldp"] = oldp; spec.loader.exec_module(oldp)
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = RocketSampler(SPACE, seed=0, screen=0)
study = optuna.create_study(sampler=s)
study.optimize(lambda t: objective(SPACE.suggest(t)), n_trials=30)
be = s._backend
trials = list(study.get_trials(deepcopy=False))
cols = be._columns(trials); ctx = be._context(cols, trials, False)
for j in range(7):
    p = np.full(7, np.nan)
    d = stack(cols, [(ctx, j, p, 1.0)])
    with torch.inference_mode():
        m = be.policy(d)
        old = oldp.HistoryPolicy(**be.policy.config); old.load_state_dict(be.policy.state_dict()); old.eval()
        m_old = old(d)
    diffmix = max(float((getattr(m, f) - getattr(m_old, f)).abs().nan_to_num().max()) for f in ("uniform","centres","sigma","smooth"))
    B = 400000
    idx = torch.zeros(B, dtype=torch.long)
    mb = m.take(idx)
    a = new_sample(mb, np.random.default_rng(1))
    b = oldp.sample(mb, np.random.default_rng(2))
    c = int(cols.n_choices[j])
    if c:
        ha = np.bincount(a.astype(int), minlength=c)/B; hb = np.bincount(b.astype(int), minlength=c)/B
    else:
        ha = np.histogram(a, np.linspace(0,1,21))[0]/B; hb = np.histogram(b, np.linspace(0,1,21))[0]/B
    from scipy.stats import chi2_contingency
    ca = ha*B; cb = hb*B; keep = (ca+cb) > 0
    chi = chi2_contingency(np.stack([ca[keep], cb[keep]]))
    print(j, cols.names[j], "max bin diff %.4f" % np.abs(ha-hb).max(), "means %.4f %.4f" % (a.mean(), b.mean()), "chi2 p=%.3g" % chi.pvalue, flush=True)
