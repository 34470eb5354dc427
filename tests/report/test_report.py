"""The report, end to end: ``rocket tune`` a Rocket study, ``rocket report`` it, open the page
in headless Chromium (no console errors, data in every plot, a screenshot), and the notes a
study without agent or fidelity data gets instead of empty plots."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import optuna
import pytest
from cdp_browser import Browser, chromium_missing_reason

from rocket_hpo.app.cli import main
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
budget: 24
seed: 0
"""

SECTIONS = ["history", "cost", "parallel", "importance", "agreement", "origin", "agent",
            "stages"]
"""The sections drawn as plots; "trials" is a table."""
ALL_SECTIONS = [*SECTIONS[:6], "agent", "stages", "trials"]

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


# Every text of the parallel-coordinates plot (axis titles, tick labels, range labels) with
# its bounding box on the page.
PARCOORDS_TEXT_JS = """(() => Array.from(
  document.querySelectorAll('#parallel .parcoords text')).filter(t => t.textContent.trim())
  .map(t => { const r = t.getBoundingClientRect();
    return {text: t.textContent, cls: t.getAttribute('class') || 'tick',
            x0: r.left, x1: r.right, y0: r.top, y1: r.bottom}; })
  .filter(b => b.x1 > b.x0))()"""

# Per section: its plot's data count, its tables' rows, and its sentences saying why not.
SECTION_CONTENT_JS = """(() => Array.from(document.querySelectorAll('section')).map(s => ({
  section: s.id,
  plots: s.querySelectorAll('.js-plotly-plot').length,
  rows: s.querySelectorAll('.extra tbody tr').length,
  notes: Array.from(s.querySelectorAll('.no-data')).map(p => p.textContent.trim()),
})))()"""


def _overlaps(boxes: list[dict[str, object]]) -> list[tuple[object, object]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if (a["x0"] < b["x1"] and b["x0"] < a["x1"]  # type: ignore[operator]
                    and a["y0"] < b["y1"] and b["y0"] < a["y1"]):  # type: ignore[operator]
                found.append((a["text"], b["text"]))
    return found


def test_a_rocket_study_has_data_for_every_section(rocket_report: tuple[Path, str]) -> None:
    out, url = rocket_report
    data = collect(optuna.load_study(study_name="ladder", storage=url))
    assert data.notes == {}
    assert data.agent is not None and set(data.agent.distributions) >= {"x", "kind", "lr"}
    # The agent panels go to the most important hyperparameters first.
    assert data.agent_names[0] == max(data.importances, key=data.importances.__getitem__)
    assert sum(len(v) for v in data.origins.values()) == len(data.trials)
    assert set(data.origins) <= {"policy", "promotion", "check"}
    assert data.origins["promotion"] and data.origins["check"]
    # Every screened trial is a policy draw; the page says how many the screen chose.
    assert data.screened and set(data.screened) <= set(data.origins["policy"])
    assert data.agreement and data.agreement[0].n >= 3
    assert all(p.sentence.endswith(".") for p in data.agreement)
    assert data.history.cost[-1] == pytest.approx(data.summary.cost)
    # The budget stops new trials once spent; the last one may end past it by its own cost.
    # (Fractions such as 1/9 do not add up exactly: allow for rounding below 24.)
    assert 24 - 1e-9 <= data.summary.cost < 25 and min(data.history.fraction) < 0.2
    page = (out / "index.html").read_text()
    assert "no-data" not in page.split("</style>")[1]
    assert sorted(p.name for p in out.glob("*.png")) == sorted(f"{s}.png" for s in SECTIONS)
    # One table row per trial, with its state and configuration.
    assert page.count("<td class='config'>") == len(data.trials) > 0
    assert f"{len(data.screened)} of the policy&#x27;s were chosen by its screen" in page


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
        labels = browser.evaluate(PARCOORDS_TEXT_JS)
        content = browser.evaluate(SECTION_CONTENT_JS)
        # Sorting the trials table by score (a click on its heading), then again: reversed.
        order = ("Array.from(document.querySelectorAll('table.trials tbody tr'))"
                 ".map(r => parseFloat(r.cells[2].dataset.v))")
        browser.evaluate("document.querySelectorAll('table.trials th')[2].click()")
        ascending = browser.evaluate(order)
        browser.evaluate("document.querySelectorAll('table.trials th')[2].click()")
        descending = browser.evaluate(order)
        browser.screenshot(out / "screenshot.png")
        errors = browser.console_errors
    assert errors == []
    assert [p["section"] for p in plots] == SECTIONS
    assert meta["plots"] == sorted(SECTIONS)
    empty = [p for p in plots if p["values"] == 0 or p["drawn"] == 0]
    assert empty == [], empty
    titles = [b for b in labels if "axis-title" in b["cls"]]
    assert len(titles) >= 4 and len(labels) > len(titles)
    assert _overlaps(labels) == []
    assert [c["section"] for c in content] == ALL_SECTIONS
    assert all(c["plots"] or c["rows"] for c in content), content
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)
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
    data = collect(study)
    not_rocket = ("This study was not run by Rocket's policy (no trial says it was drawn by "
                  "the policy), so there is no {} to show.")
    assert data.notes["agent"] == not_rocket.format("proposal distribution")
    assert data.notes["stages"] == not_rocket.format("learning stage")
    assert data.notes["agreement"].startswith("Every trial ran on the full data")
    for section in ("agent", "stages", "agreement"):
        assert (f"<p class='no-data' data-section='{section}'>{html.escape(data.notes[section])}"
                in page)
    assert "another sampler" not in page
    assert {p.stem for p in paths.pngs} == {"history", "cost", "parallel", "importance",
                                            "origin"}
    assert data.origins == {"sampler": list(range(8))}
    assert "no full-data-only curve" not in page and "itself the full-data-only curve" in page
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


def _seeded(study: optuna.Study, values: list[float], fraction: float) -> None:
    for i, v in enumerate(values):
        study.add_trial(optuna.trial.create_trial(
            params={"x": float(i)}, distributions={"x": optuna.distributions.FloatDistribution(
                0, 100)}, value=v, user_attrs={"rocket:fraction": fraction}))


def test_the_ledger_reads_cost_to_reach_beside_a_full_data_only_study() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.InMemoryStorage()
    subsets = optuna.create_study(storage=storage, study_name="subsets", direction="maximize")
    full = optuna.create_study(storage=storage, study_name="full", direction="maximize")
    other = optuna.create_study(storage=storage, study_name="other task", direction="maximize")
    for s, target in ((subsets, "wine"), (full, "wine"), (other, "digits")):
        s.set_user_attr("rocket:target", target)
    _seeded(subsets, [0.5, 0.6, 0.9], 0.25)  # cost 0.75, nothing on the full data yet
    _seeded(subsets, [0.8, 0.95], 1.0)  # reached 0.8 at cost 1.75, 0.95 at 2.75
    _seeded(full, [0.7, 0.8, 0.85, 0.95], 1.0)
    _seeded(other, [0.99], 1.0)
    book = collect(subsets).ledger
    assert [c.label for c in book.others] == ["full data only: full"]
    assert book.this.cost == pytest.approx([1.75, 2.75]) and book.this.best == [0.8, 0.95]
    assert book.levels == [0.95, 0.85, 0.8, 0.7]
    assert book.this.cost_to_reach(0.95, maximize=True) == pytest.approx(2.75)
    assert book.others[0].cost_to_reach(0.95, maximize=True) == 4.0
    assert book.others[0].cost_to_reach(0.99, maximize=True) is None
    assert book.per_fraction == pytest.approx({0.25: 0.75, 1.0: 2.0})
    assert "'full'" in book.comparison_note
    alone = optuna.create_study(direction="maximize")
    _seeded(alone, [0.5], 0.25)
    _seeded(alone, [0.6], 1.0)
    note = collect(alone).ledger.comparison_note
    assert note.startswith("There is no full-data-only curve to compare with")


def test_every_rung_pair_is_listed_with_a_sentence() -> None:
    study = optuna.create_study()
    study.set_user_attr("rocket:agreement", [
        {"rung": 0, "fractions": [1 / 9, 1 / 3], "n": 8, "spearman": 0.8, "low": 0.4,
         "high": 0.95, "confidence": 0.8, "status": "agrees"},
        {"rung": 1, "fractions": [1 / 3, 1.0], "n": 3, "spearman": 1.0, "low": -1.0,
         "high": 1.0, "confidence": 0.8, "status": "unknown"},
        {"rung": 2, "fractions": [1.0, 3.0], "n": 1, "spearman": None, "low": -1.0,
         "high": 1.0, "confidence": 0.8, "status": "unknown"},
    ])
    pairs = collect(study).agreement
    assert [p.label for p in pairs] == ["0.111 vs 0.333", "0.333 vs 1", "1 vs 3"]
    assert [p.measured for p in pairs] == [True, False, False]
    assert pairs[0].sentence == ("Rho 0.8000 over 8 configurations, 80% interval 0.4000 to "
                                 "0.9500: the cheaper rung ranks configurations as the larger "
                                 "one does.")
    assert pairs[1].sentence.startswith("Too few to judge: rho is 1.000 over only 3")
    assert pairs[2].sentence.startswith("Too few to judge: 1 configuration scored on both")
