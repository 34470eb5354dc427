"""The self-contained HTML page: plotly.js inlined once, one section per figure."""

from __future__ import annotations

import html
import json
from typing import Any

from rocket_hpo._text import format_score
from rocket_hpo.report._data import ReportData
from rocket_hpo.report._figures import FIGURELESS, SECTIONS
from rocket_hpo.report._trials import ORIGINS

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
.extra { margin: 0.6em 0; } .extra table { font-size: 0.92em; }
.extra td, .extra th { border-bottom: 1px solid #eee; vertical-align: top; }
.trials-wrap { max-height: 640px; overflow: auto; border: 1px solid #ddd; }
table.trials { font-size: 0.85em; width: 100%; }
table.trials th { position: sticky; top: 0; background: #f4f4f4; cursor: pointer;
                  white-space: nowrap; }
table.trials th[aria-sort=ascending]::after { content: " \\25B2"; }
table.trials th[aria-sort=descending]::after { content: " \\25BC"; }
table.trials td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.trials td.config { font-family: ui-monospace, monospace; font-size: 0.95em; }
table.trials .kv { white-space: nowrap; }
"""

# Sorts table.trials by the clicked column: numbers by data-v, text as text; again = reverse.
_SORT_JS = """
document.querySelectorAll('table.trials').forEach(table => {
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const down = th.getAttribute('aria-sort') === 'ascending';
    table.querySelectorAll('th').forEach(h => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', down ? 'descending' : 'ascending');
    const body = table.tBodies[0];
    const key = tr => { const td = tr.cells[col];
      return td.dataset.v !== undefined ? parseFloat(td.dataset.v) : td.textContent; };
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      const c = typeof x === 'number' ? (isNaN(x) - isNaN(y) || x - y || 0)
                                       : String(x).localeCompare(String(y));
      return down ? -c : c;
    });
    rows.forEach(r => body.appendChild(r));
  }));
});
"""


def _summary(d: ReportData) -> str:
    s = d.summary
    rows = [("study", s.name), ("goal", f"{s.direction} {s.metric}"),
            ("trials", f"{s.n_complete} completed, {s.n_failed} failed, {s.n_pruned} pruned, "
                       f"{s.n_running} running"),
            ("cost spent", f"{s.cost:.4g} full-data equivalents")]
    if s.best is not None:
        where = "on the full data" if s.best_is_full else "on a data subset (none on full data)"
        rows.append(("best", f"{format_score(s.best.value)} (trial {s.best.number}, {where})"))
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    config = ""
    if s.best is not None:
        params = "".join(
            f"<tr><td>{html.escape(k)}</td><td>"
            f"{html.escape(format_score(v) if isinstance(v, float) else str(v))}</td></tr>"
            for k, v in s.best.params.items())
        config = f"<h3>Best configuration</h3><table>{params}</table>"
    return f"<table class='summary'>{cells}</table>{config}"


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are already escaped."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(cell if cell.startswith("<td") else f"<td>{cell}</td>"
                                    for cell in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _config(params: dict[str, Any]) -> str:
    """Escaped ``name=value`` items, each kept on one line (a wrap never splits 1.2e-05)."""
    return ", ".join("<span class='kv'>" + html.escape(
        f"{k}={format_score(v) if isinstance(v, float) else v}") + "</span>"
        for k, v in params.items())


def _trials(d: ReportData) -> str:
    def num(v: float | None, text: str) -> str:
        return f"<td class='num' data-v='{'NaN' if v is None else repr(float(v))}'>{text}</td>"

    rows = [[num(r.number, str(r.number)), num(r.fraction, f"{r.fraction:.3g}"),
             num(r.cost, f"{r.cost:.3g}" + ("" if r.measured else " (fraction)")),
             num(r.value, format_score(r.value)), html.escape(r.state),
             html.escape(r.reason), html.escape(r.origin),
             f"<td class='config'>{_config(r.params)}</td>"] for r in d.trials]
    head = ["trial", "fraction", "cost", html.escape(d.summary.metric), "state", "fail reason",
            "origin", "configuration"]
    return f"<div class='trials-wrap'>{_table(head, rows, 'trials')}</div>"


def _cost(d: ReportData) -> str:
    book = d.ledger
    maximize = d.summary.direction == "maximize"
    curves = [book.this, *book.others]
    text = f"<p>{html.escape(book.comparison_note)}</p>"
    if not book.levels:
        return text

    def cost(c: float | None) -> str:
        return "not reached" if c is None else f"{c:.3g}"

    head = [f"{'at least' if maximize else 'at most'} {html.escape(d.summary.metric)}",
            *(html.escape(c.label) for c in curves)]
    rows = [[format_score(level), *(cost(c.cost_to_reach(level, maximize)) for c in curves)]
            for level in book.levels]
    return (f"{text}<p>Cost (full-data equivalents) at which each study first reached each "
            f"quality on the full data:</p>{_table(head, rows)}")


def _extra(d: ReportData, key: str) -> str:
    """What a section shows besides its plot (or its note), as HTML."""
    if key == "parallel" and d.axes:
        text = d.axes_note
        if d.hidden_axes:
            text += f" Left off the plot (less important): {', '.join(d.hidden_axes)}."
        return f"<p>{html.escape(text)}</p>"
    if key == "agreement" and d.agreement:
        rows = [[html.escape(p.label), str(p.n),
                 "-" if p.spearman is None else format_score(p.spearman),
                 f"{format_score(p.low)} to {format_score(p.high)}" if p.measured else "-",
                 html.escape(p.sentence)] for p in d.agreement]
        return _table(["rungs (data fractions)", "configurations on both", "rho", "interval",
                       "what it says"], rows)
    if key == "cost" and "cost" not in d.notes:
        return _cost(d)
    if key == "origin" and d.origins:
        parts = [f"{len(v)} {ORIGINS[k]}" for k, v in d.origins.items()]
        if d.screened:  # why a policy draw was the one evaluated
            parts.append(f"{len(d.screened)} of the policy's were chosen by its screen (a "
                         "Gaussian process picking the most promising of the policy's draws)")
        return f"<p>{html.escape('; '.join(parts))}.</p>"
    if key == "agent" and d.agent is not None and d.agent_names:
        n = len(d.agent.stage)
        text = (f"{n} learning stage{'s' if n != 1 else ''} recorded (the policy learns from "
                f"data fraction {d.agent.fraction[-1]:.3g}). ")
        rest = [k for k in d.agent.distributions if k not in d.agent_names]
        if rest:
            text += f"Not drawn (less important): {', '.join(rest)}."
        return f"<p>{html.escape(text)}</p>"
    if key == "trials" and d.trials:
        return _trials(d)
    return ""


def render(d: ReportData, figures: dict[str, Any], plotly_js: str) -> str:
    """The whole page as one string."""
    parts = []
    for section in SECTIONS:
        body: str
        if section.key in FIGURELESS and section.key not in d.notes:
            body = ""
        elif section.key in figures:
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
        extra = _extra(d, section.key)
        if extra:
            body += f"<div class='extra' data-section='{section.key}'>{extra}</div>"
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
        f"<script type='text/javascript'>{_SORT_JS}</script>"
        "</body></html>"
    )
