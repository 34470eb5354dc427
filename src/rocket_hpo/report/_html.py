"""The self-contained HTML page: plotly.js inlined once, one section per figure."""

from __future__ import annotations

import html
import json
from typing import Any

from rocket_hpo.report._data import ReportData
from rocket_hpo.report._figures import SECTIONS

__all__ = ["render"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em;
       color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.caption { color: #555; margin: 0.3em 0 0.6em; }
.no-data { background: #f6f6f6; border-left: 4px solid #bbb; padding: 0.8em 1em; color: #444; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; }
th { color: #555; font-weight: normal; }
.summary td:first-child { color: #555; }
"""


def _summary(d: ReportData) -> str:
    s = d.summary
    rows = [("study", s.name), ("goal", f"{s.direction} {s.metric}"),
            ("trials", f"{s.n_complete} completed, {s.n_failed} failed, {s.n_pruned} pruned, "
                       f"{s.n_running} running"),
            ("cost spent", f"{s.cost:.4g} full-data equivalents")]
    if s.best is not None:
        where = "on the full data" if s.best_is_full else "on a data subset (none on full data)"
        rows.append(("best", f"{s.best.value:.6g} (trial {s.best.number}, {where})"))
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    config = ""
    if s.best is not None:
        params = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                         for k, v in s.best.params.items())
        config = f"<h3>Best configuration</h3><table>{params}</table>"
    return f"<table class='summary'>{cells}</table>{config}"


def render(d: ReportData, figures: dict[str, Any], plotly_js: str) -> str:
    """The whole page as one string."""
    parts = []
    for section in SECTIONS:
        body: str
        if section.key in figures:
            div = figures[section.key].to_html(
                full_html=False, include_plotlyjs=False, div_id=f"plot-{section.key}",
                config={"displaylogo": False, "responsive": True},
            )
            body = f"<div class='plot' data-section='{section.key}'>{div}</div>"
        else:
            note = html.escape(d.notes.get(section.key, "No data recorded for this study."))
            body = f"<p class='no-data' data-section='{section.key}'>{note}</p>"
        caption = section.caption
        if section.key == "importance" and d.importance_note and section.key in figures:
            caption += " " + d.importance_note
        parts.append(f"<section id='{section.key}'><h2>{html.escape(section.title)}</h2>"
                     f"<p class='caption'>{html.escape(caption)}</p>{body}</section>")
    title = f"Rocket report: {d.summary.name}"
    meta = json.dumps({"sections": [s.key for s in SECTIONS], "plots": sorted(figures)})
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{plotly_js}</script></head><body>"
        f"<h1>{html.escape(title)}</h1>{_summary(d)}{''.join(parts)}"
        f"<script type='application/json' id='rocket-report-meta'>{meta}</script>"
        "</body></html>"
    )
