import optuna, sys
from rocket_hpo import RocketSampler
optuna.logging.set_verbosity(optuna.logging.WARNING)
def objective(trial):
    kind = trial.suggest_categorical("kind", ["linear", "poly"])
    x = trial.suggest_float("x", 0.0, 1.0)
    if kind == "poly":
        degree = trial.suggest_int("degree", 2, 5)
        return (x - 0.7) ** 2 + 0.1 * degree
    return (x - 0.2) ** 2 + 0.05
out = []
for seed in range(int(sys.argv[1]), int(sys.argv[2])):
    study = optuna.create_study(sampler=RocketSampler(seed=seed))
    study.optimize(objective, n_trials=30)
    out.append(sum(t.params["kind"] == "linear" and abs(t.params["x"] - 0.2) < 0.1 for t in study.trials[-10:]))
print(out, sum(out[:3]), sum(out))
