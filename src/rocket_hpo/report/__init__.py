"""A report on a stored study: one self-contained HTML page plus PNG figures.

The page shows the optimisation history against cost; the cost to reach each quality level
(beside the full-data-only studies of the same task in the same storage); parallel
coordinates of the most important hyperparameters and the importances; the rank agreement
of every pair of adjacent rungs of the data-subset ladder; where each trial's configuration
came from; the policy's proposal distribution stage by stage for the most important
hyperparameters, with its entropy and score per stage; and a sortable table of every trial.
plotly.js is inlined, so the page works offline. A section whose data the study does not
hold shows a sentence saying why instead of a plot.

Example:
    >>> paths = write_report("sqlite:///rocket.db", "rocket-digits", "report")  # doctest: +SKIP
    >>> paths.html
    PosixPath('report/index.html')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import optuna

from rocket_hpo.errors import UsageError
from rocket_hpo.report._data import ReportData, collect
from rocket_hpo.runner import load_study

__all__ = ["ReportData", "ReportPaths", "build_report", "collect", "write_report"]


@dataclass
class ReportPaths:
    html: Path
    pngs: list[Path]


def build_report(study: optuna.Study, out: str | Path) -> ReportPaths:
    """Write ``index.html`` and one PNG per section with data into the folder ``out``."""
    from plotly.offline import get_plotlyjs

    from rocket_hpo.report._figures import figures
    from rocket_hpo.report._html import render
    from rocket_hpo.report._png import write_pngs

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out must be a folder. Got the file {str(folder)!r}.")
    folder.mkdir(parents=True, exist_ok=True)
    data = collect(study)
    page = render(data, figures(data), get_plotlyjs())
    html_path = folder / "index.html"
    html_path.write_text(page, encoding="utf-8")
    return ReportPaths(html=html_path, pngs=write_pngs(data, folder))


def write_report(storage: str, study_name: str | None, out: str | Path) -> ReportPaths:
    """:func:`build_report` for the study ``study_name`` in ``storage``."""
    return build_report(load_study(storage, study_name), out)
