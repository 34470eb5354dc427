"""The report, end to end: ``rocket tune`` a Rocket study, ``rocket report`` it, open the page
in headless Chromium (no console errors, data in every plot, a screenshot), and the notes a
study without agent or fidelity data gets instead of empty plots."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import optuna
import pytest
from cdp_browser import Browser, chromium_missing_reason

from rocket_hpo.cli import main
from rocket_hpo.report import build_report, collect

OBJECTIVE = '''
import math


def objective(config, fraction):
    """Smaller subsets give lower, noisier scores: a data-subset ladder's situation."""
    x = config["x"]
    noise = 0.005 * math.sin(37 * x + 11 * fraction) * (1 - fraction)
    bonus = 0.02 * (config.get("momentum") or 0.0)
    kind = 0.0 if config["kind"] == "a" else -0.1
    return -(x - 0.3) ** 2 + kind + bonus + 0.05 * math.log(fraction) + noise
'''

STUDY = """\
study_name: ladder
objective: report_objective:objective
space:
  x: {type: float, low: 0.0, high: 1.0}
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  kind: {type: categorical, choices: [a, b]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {kind: [b]}}
sampler: rocket
fidelity: {min_fraction: 0.111, eta: 3}
agent: {group_size: 4}
budget: 14
seed: 0
"""

SECTIONS = ["history", "cost", "parallel", "importance", "agent", "stages", "agreement"]

# Every plotly graph on the page with the number of data values it draws.
PLOTS_JS = """(() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  let n = 0;
  for (const tr of (gd._fullData || [])) {
    if (tr.type === 'parcoords') {
      n += tr.dimensions.reduce((a, d) => a + (d.values || []).length, 0);
    } else if (tr.type === 'heatmap') {
      n += (tr.z || []).reduce((a, row) => a + row.length, 0);
    } else {
      n += (tr.y || tr.x || []).length;
    }
  }
  const drawn = gd.querySelectorAll('.main-svg').length;
  return {section: gd.closest('[data-section]').dataset.section, values: n, drawn: drawn};
}))()"""


@pytest.fixture(scope="module")
def rocket_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A Rocket study run by ``rocket tune`` on a study file, and its report."""
    folder = tmp_path_factory.mktemp("rocket-study")
    (folder / "report_objective.py").write_text(OBJECTIVE)
    (folder / "ladder.yaml").write_text(STUDY)
    url = f"sqlite:///{folder / 'rocket.db'}"
    assert main(["tune", str(folder / "ladder.yaml"), "--storage", url]) == 0
    assert main(["report", "--storage", url, "--study", "ladder", "--out",
                 str(folder / "report")]) == 0
    return folder / "report", url


def test_a_rocket_study_has_data_for_every_section(rocket_report: tuple[Path, str]) -> None:
    out, url = rocket_report
    data = collect(optuna.load_study(study_name="ladder", storage=url))
    assert data.notes == {}
    assert data.agent is not None and set(data.agent.distributions) >= {"x", "kind", "lr"}
    assert data.agreement is not None and data.agreement.n[0] >= 3
    assert data.history.cost[-1] == pytest.approx(data.summary.cost)
    # The budget stops new trials once spent; the last one may end past it by its own cost.
    # (Fractions such as 1/9 do not add up exactly: allow for rounding below 14.)
    assert 14 - 1e-9 <= data.summary.cost < 15 and min(data.history.fraction) < 0.2
    page = (out / "index.html").read_text()
    assert "no-data" not in page.split("</style>")[1]
    assert sorted(p.name for p in out.glob("*.png")) == sorted(f"{s}.png" for s in SECTIONS)


@pytest.mark.skipif(chromium_missing_reason() is not None, reason=str(chromium_missing_reason()))
def test_the_page_renders_every_plot_offline_without_errors(
    rocket_report: tuple[Path, str],
) -> None:
    out, _ = rocket_report
    page = (out / "index.html").read_text()
    assert not re.search(r"<script[^>]+src=", page), "the page must not load scripts"
    with Browser() as browser:
        browser.open(out / "index.html")
        plots = browser.evaluate(PLOTS_JS)
        meta = json.loads(browser.evaluate(
            "document.getElementById('rocket-report-meta').textContent"))
        browser.screenshot(out / "screenshot.png")
        errors = browser.console_errors
    assert errors == []
    assert [p["section"] for p in plots] == SECTIONS
    assert meta["plots"] == sorted(SECTIONS)
    empty = [p for p in plots if p["values"] == 0 or p["drawn"] == 0]
    assert empty == [], empty
    assert (out / "screenshot.png").stat().st_size > 50_000
    keep = os.environ.get("ROCKET_REPORT_SCREENSHOT")
    if keep:  # refresh the committed example: ROCKET_REPORT_SCREENSHOT=docs/report.png
        shutil.copy(out / "screenshot.png", keep)


def _quad(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -2, 2)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return x * x + (0.0 if kind == "a" else 0.5)


def test_a_plain_study_gets_notes_not_empty_plots(tmp_path: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(_quad, n_trials=8)
    paths = build_report(study, tmp_path / "plain")
    page = paths.html.read_text()
    for section in ("agent", "stages", "agreement"):
        assert f"<p class='no-data' data-section='{section}'>No data recorded" in page
    assert {p.stem for p in paths.pngs} == {"history", "cost", "parallel", "importance"}
    data = collect(study)
    assert data.history.best[-1] == pytest.approx(study.best_value)
    assert data.history.cost == [float(i) for i in range(1, 9)]  # all on the full data


def test_too_few_trials_for_importances_is_said_plainly(tmp_path: Path) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    study.optimize(_quad, n_trials=2)
    data = collect(study)
    assert data.importances == {} and "Too few completed trials" in data.notes["importance"]
    empty = optuna.create_study()
    assert collect(empty).notes["history"] == "No completed trials yet."
    assert build_report(empty, tmp_path / "empty").pngs == []
