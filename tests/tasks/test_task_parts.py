"""The pieces the tasks share: optimizers, schedules, the training loop's divergence checks,
augmentations, features and metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from rocket_hpo.space import Space
from rocket_hpo.tasks import DivergenceError
from rocket_hpo.tasks._augment import cutout, random_flip, random_shift, stripe_mask
from rocket_hpo.tasks._hyperparameters import OPTIMIZERS, reference_training, training_space
from rocket_hpo.tasks._training import build_optimizer, fit, lr_multiplier, predict
from rocket_hpo.tasks.anomaly import auroc
from rocket_hpo.tasks.audio import mel_filterbank
from rocket_hpo.tasks.text import Vocabulary, tokenize


def test_training_space_conditions_follow_the_optimizer_and_scheduler() -> None:
    space = Space(training_space(max_epochs=10))
    for config in space.sample_many(200, seed=1):
        assert ("momentum" in config) == (config["optimizer"] in ("sgd", "rmsprop"))
        assert ("beta2" in config) == (config["optimizer"] in ("adam", "adamw"))
        assert ("step_gamma" in config) == (config["scheduler"] == "step")
        assert ("warmup" in config) == (config["scheduler"] != "onecycle")
        assert ("clip_norm" in config) == config["grad_clip"]
    space.validate(reference_training(epochs=3, batch_size=16))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_is_built_from_a_sampled_configuration(name: str) -> None:
    space = Space(training_space(max_epochs=3))
    config = next(c for c in space.sample_many(100, seed=0) if c["optimizer"] == name)
    opt = build_optimizer(nn.Linear(2, 1).parameters(), config)
    assert opt.param_groups[0]["lr"] == config["lr"]
    assert type(opt).__name__.lower() == {"rmsprop": "rmsprop"}.get(name, name)


def test_schedules() -> None:
    cosine = {"scheduler": "cosine", "warmup": 0.0}
    assert lr_multiplier(cosine, 0, 100, 10) == 1.0
    assert lr_multiplier(cosine, 50, 100, 10) == pytest.approx(0.5)
    step = {"scheduler": "step", "step_every": 2, "step_gamma": 0.1, "warmup": 0.0}
    assert lr_multiplier(step, 19, 100, 10) == 1.0  # epoch 1.9
    assert lr_multiplier(step, 20, 100, 10) == pytest.approx(0.1)  # epoch 2
    expo = {"scheduler": "exponential", "exp_gamma": 0.5, "warmup": 0.0}
    assert lr_multiplier(expo, 30, 100, 10) == pytest.approx(0.125)
    warm = {"scheduler": "constant", "warmup": 0.2}
    ramp = [lr_multiplier(warm, s, 100, 10) for s in range(25)]
    assert ramp[0] < 0.1 and ramp == sorted(ramp) and ramp[-1] == 1.0
    one = {"scheduler": "onecycle"}
    assert lr_multiplier(one, 0, 100, 10) == pytest.approx(1 / 25)
    assert lr_multiplier(one, 30, 100, 10) == pytest.approx(1.0)
    assert lr_multiplier(one, 100, 100, 10) == pytest.approx(1e-4)


def _regression(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 4, generator=g)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]])


def test_fit_learns_and_is_bounded_by_max_steps() -> None:
    x, y = _regression()
    config = {**reference_training(epochs=50, batch_size=32, dropout=None), "lr": 0.1}
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    mse = nn.MSELoss()
    info = fit(model, x, y, config, lambda o, _, t: mse(o, t), generator=torch.Generator(),
               max_steps=120)  # fmt: skip
    assert info.steps == 120 and info.epochs == pytest.approx(15)
    assert float(mse(predict(model, x), y)) < 0.05


def test_fit_raises_divergence_with_a_reason() -> None:
    x, y = _regression()
    config = {
        **reference_training(epochs=20, batch_size=8, dropout=None),
        "optimizer": "sgd", "lr": 1.0, "momentum": 0.99, "nesterov": False,
    }  # fmt: skip
    del config["beta1"], config["beta2"], config["eps"]
    mse = nn.MSELoss()
    with pytest.raises(DivergenceError, match=r"(exploded|became) .* at step \d+ \(epoch \d+\)"):
        fit(nn.Linear(4, 1), x, y * 100, config, lambda o, _, t: mse(o, t),
            generator=torch.Generator(), max_steps=10_000)  # fmt: skip


def test_predict_rejects_non_finite_outputs() -> None:
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.fill_(math.inf)
    with pytest.raises(DivergenceError, match="NaN or inf"):
        predict(model, torch.ones(3, 2))


def test_augmentations_keep_shape_and_are_seeded() -> None:
    x = torch.randn(16, 3, 8, 8)
    for aug in (
        lambda g: random_shift(x, 2, g),
        lambda g: random_flip(x, g),
        lambda g: cutout(x, 4, g),
        lambda g: stripe_mask(x, 3, 2, g),
        lambda g: stripe_mask(x, 3, 3, g),
    ):
        a, b = aug(torch.Generator().manual_seed(5)), aug(torch.Generator().manual_seed(5))
        assert a.shape == x.shape and torch.equal(a, b)
    shifted = random_shift(torch.ones(64, 1, 8, 8), 2, torch.Generator().manual_seed(0))
    assert 0 < float(shifted.mean()) < 1  # zeros came in from the padding
    holes = cutout(torch.ones(64, 1, 8, 8), 4, torch.Generator().manual_seed(0))
    assert (holes == 0).sum(dim=(1, 2, 3)).max() == 16  # a 4 x 4 square when fully inside


def test_mel_filterbank_triangles_cover_the_spectrum() -> None:
    bank = mel_filterbank(40, 256, 8000)
    assert bank.shape == (40, 129) and float(bank.min()) >= 0 and float(bank.max()) <= 1
    peaks = bank.argmax(dim=1)
    assert torch.all(peaks[1:] >= peaks[:-1])  # centres rise with the band index
    assert (bank.sum(dim=0)[1:-1] > 0).all()  # every inner frequency bin is covered


def test_auroc_matches_scikit_learn() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = rng.normal(size=200) + labels
    scores[:20] = scores[20:40]  # some ties
    assert auroc(torch.tensor(scores), torch.tensor(labels)) == pytest.approx(
        roc_auc_score(labels, scores)
    )


def test_tokenizer_and_vocabulary() -> None:
    assert tokenize("It's GREAT, isn't it?") == ["it's", "great", ",", "isn't", "it", "?"]
    vocab = Vocabulary([["a", "b", "a"], ["b", "c"]], min_count=2)
    assert len(vocab) == 4  # pad, unknown, a, b
    assert vocab.encode(["c", "a", "b", "a"], length=3).tolist() == [1, 2, 3]


def test_token_corruption_spares_protected_tokens_and_targets() -> None:
    from rocket_hpo.tasks._augment import token_corruption

    x = torch.tensor([[5, 6, 7, 0, 0]] * 200)
    y = torch.zeros(200, dtype=torch.long)
    out, same_y = token_corruption(0.3, (1, 2), protect=0)(x, y, torch.Generator())
    assert torch.equal(same_y, y) and (out[:, 3:] == 0).all()
    changed = float((out[:, :3] == 1).float().mean())
    assert 0.25 < changed < 0.35  # about the asked rate
