"""Interactive plotly figures for the HTML page, one per report section."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rocket_hpo._text import format_score
from rocket_hpo.report._data import ReportData

__all__ = ["SECTIONS", "Section", "figures"]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    caption: str


SECTIONS = [
    Section("history", "Optimisation history against cost",
            "Each completed trial at the cost spent when it finished (full-data equivalents: "
            "the compute a trial used relative to its configuration's full-data run, or its "
            "data fraction when it recorded none), coloured by its data fraction; the line is "
            "the best score on the full data so far."),
    Section("cost", "Cost to reach each quality level",
            "The best score on the full data so far against the cost spent so far (failed "
            "trials included): how much each level of quality cost. Right: the cost spent on "
            "each data fraction."),
    Section("parallel", "Parallel coordinates of the most important hyperparameters",
            "Every completed trial as a line through its hyperparameters (axes scaled to [0, 1], "
            "log scale where the space says so), coloured by score."),
    Section("importance", "Hyperparameter importances", "How much of the score's variance "
            "each hyperparameter explains (fANOVA)."),
    Section("agreement", "Rank agreement between rungs",
            "Spearman's rank correlation between adjacent data fractions over the "
            "configurations scored on both, with its confidence interval: how far a cheap "
            "rung's ranking can be trusted. Every pair of rungs is listed below the plot."),
    Section("origin", "Where each configuration came from",
            "Each trial at its number and data fraction, by the origin of its configuration."),
    Section("agent", "The policy's proposal distribution, stage by stage",
            "For the most important hyperparameters: the probability the policy gave each "
            "part of the range from the trial whose start ran each learning stage on (darker "
            "= more likely; each panel on its own scale; the pretrained policy before the "
            "first stage is not recorded), and the values the policy drew (dots)."),
    Section("stages", "Entropy and score per stage",
            "The policy's entropy (exploration left, 1 = uniform), the best score so far and "
            "the mean score of each stage's group, at the data fraction the policy learned "
            "from in that stage."),
    Section("trials", "All trials",
            "Every trial with its data fraction, score, state, why it failed, and its "
            "configuration. Click a column's heading to sort by it."),
]

FIGURELESS = {"trials"}
"""Sections shown as HTML only (no plotly figure, no PNG)."""

_LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
_LAYOUT: dict[str, Any] = {"template": "plotly_white", "height": 420,
                           "margin": {"l": 60, "r": 30, "t": 30, "b": 50}}


def _history(d: ReportData) -> Any:
    import plotly.graph_objects as go

    h = d.history
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=h.cost, y=h.value, mode="markers", name="trial",
        marker={"color": h.fraction, "colorscale": "Viridis", "size": 8,
                "colorbar": {"title": "data fraction"}, "cmin": 0, "cmax": 1},
        text=[f"trial {n}, fraction {f:.3g}" for n, f in zip(h.number, h.fraction, strict=True)],
    ))
    best_x = [c for c, b in zip(h.cost, h.best, strict=True) if b is not None]
    best_y = [b for b in h.best if b is not None]
    if best_y:
        fig.add_trace(go.Scatter(x=best_x, y=best_y, mode="lines", line={"shape": "hv"},
                                 name="best on full data"))
    fig.update_layout(**_LAYOUT, xaxis_title="cost spent (full-data equivalents)",
                      yaxis_title=d.summary.metric, legend=_LEGEND)
    return fig


def _cost(d: ReportData) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    book = d.ledger
    fig = make_subplots(rows=1, cols=2, column_widths=[0.68, 0.32], horizontal_spacing=0.12,
                        subplot_titles=("best on the full data against cost spent",
                                        "cost by data fraction"))
    for curve in [*book.others, book.this]:  # this study last: drawn on top
        x, y = [*curve.cost, curve.total], [*curve.best, curve.best[-1]]
        mine = curve is book.this
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=curve.label,
                                 line={"shape": "hv", "dash": "solid" if mine else "dash",
                                       "width": 3 if mine else 2},
                                 marker={"size": [7] * len(curve.cost) + [0]}),
                      row=1, col=1)
    fractions = list(book.per_fraction)
    fig.add_trace(go.Bar(x=[f"{f:.3g}" for f in fractions], y=list(book.per_fraction.values()),
                         name="spent per fraction", showlegend=False), row=1, col=2)
    # Log cost: a full-data-only study often spends many times what a subset study does.
    ticks = [m * 10.0 ** e for e in range(-2, 5) for m in (1, 2, 5)]
    fig.update_xaxes(title_text="cost spent (full-data equivalents, log scale)", type="log",
                     tickvals=ticks, ticktext=[f"{t:g}" for t in ticks], row=1, col=1)
    fig.update_yaxes(title_text=f"best {d.summary.metric} (full data)", row=1, col=1)
    fig.update_xaxes(title_text="data fraction", type="category", row=1, col=2)
    fig.update_yaxes(title_text="full-data equivalents", row=1, col=2)
    fig.update_layout(**{**_LAYOUT, "margin": {"l": 60, "r": 30, "t": 40, "b": 100}},
                      legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top",
                              "traceorder": "reversed"})
    return fig


def _wrap(name: str, width: int = 11) -> str:
    """A long axis title on two lines, split at the underscore nearest its middle."""
    if len(name) <= width or "_" not in name:
        return name
    cuts = [i for i, ch in enumerate(name) if ch == "_"]
    cut = min(cuts, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut + 1]}<br>{name[cut + 1:]}"


def _parallel(d: ReportData) -> Any:
    import plotly.graph_objects as go

    dims = [{"label": _wrap(a.name), "values": a.position, "range": [-0.12, 1.0],
             "tickvals": a.tickvals, "ticktext": a.ticktext} for a in d.axes]
    # Explicit ticks on the score axis: plotly's range labels above and below it would
    # otherwise collide with a two-line title.
    lo, hi = min(d.axis_values), max(d.axis_values)
    ticks = [lo + (hi - lo) * k / 4 for k in range(5)] if hi > lo else [lo]
    dims.append({"label": _wrap(d.summary.metric), "values": d.axis_values,
                 "tickvals": ticks, "ticktext": [format_score(v) for v in ticks]})
    fig = go.Figure(go.Parcoords(
        dimensions=dims,
        line={"color": d.axis_values, "colorscale": "Viridis", "showscale": True,
              "colorbar": {"tickformat": ".4g"}},
        labelfont={"size": 12}, tickfont={"size": 10}, rangefont={"size": 9},
    ))
    fig.update_layout(**{**_LAYOUT, "height": 480, "margin": {"l": 60, "r": 60, "t": 80, "b": 30}})
    return fig


def _importance(d: ReportData) -> Any:
    import plotly.graph_objects as go

    items = sorted(d.importances.items(), key=lambda kv: kv[1])
    fig = go.Figure(go.Bar(x=[v for _, v in items], y=[k for k, _ in items], orientation="h"))
    fig.update_layout(**{**_LAYOUT, "height": max(260, 28 * len(items) + 80)},
                      xaxis_title="importance (share of variance)")
    return fig


def _unit_ticks(labels: list[str]) -> tuple[list[float], list[str]]:
    """Tick positions on [0, 1] for bins labelled ``labels``, at most six of them."""
    n = len(labels)
    step = max(1, math.ceil(n / 6))
    picks = list(range(0, n, step))
    return [(b + 0.5) / n for b in picks], [labels[b] for b in picks]


def _agent(d: ReportData) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    a = d.agent
    assert a is not None  # only called when the section has data
    names = d.agent_names
    cols = min(2, len(names))
    rows = math.ceil(len(names) / cols)
    by_trial = None not in a.start
    last = max((r.number for r in d.trials), default=0) + 1
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names,
                        horizontal_spacing=0.12, vertical_spacing=min(0.14, 0.6 / rows))
    for i, name in enumerate(names):
        dist = a.distributions[name]
        row, col = i // cols + 1, i % cols + 1
        z = [list(c) for c in zip(*dist.probs, strict=False)]  # (bins, stages)
        n = len(dist.labels)
        edges_y = [b / n for b in range(n + 1)]
        if by_trial:
            starts = [a.start[a.stage.index(s)] for s in dist.stages]
            edges_x: list[float] = [float(x) for x in starts if x is not None]
            edges_x.append(float(max(last, edges_x[-1] + 1)))
        else:
            edges_x = [s - 0.5 for s in dist.stages] + [dist.stages[-1] + 0.5]
        top = max((max(p) for p in dist.probs), default=1.0)
        fig.add_trace(go.Heatmap(
            z=z, x=edges_x, y=edges_y, colorscale="Blues", zmin=0.0, zmax=top, showscale=False,
            name=name, customdata=[[lab] * len(dist.stages) for lab in dist.labels],
            hovertemplate="%{customdata}: p=%{z:.3f}<extra></extra>"), row=row, col=col)
        numbers, positions = d.proposals.get(name, ([], []))
        if by_trial and numbers:
            fig.add_trace(go.Scatter(
                x=numbers, y=positions, mode="markers", name="the policy's draws",
                marker={"size": 5, "color": "#d95f02"}, showlegend=i == 0,
                hovertemplate="trial %{x}<extra></extra>"), row=row, col=col)
        tickvals, ticktext = _unit_ticks(dist.labels)
        fig.update_yaxes(range=[0, 1], tickvals=tickvals, ticktext=ticktext, row=row, col=col)
        fig.update_xaxes(title_text="trial number" if by_trial else "stage", row=row, col=col)
        if by_trial:
            fig.update_xaxes(range=[-0.5, last], row=row, col=col)
    fig.update_layout(**{**_LAYOUT, "height": 260 * rows + 90,
                         "margin": {"l": 90, "r": 30, "t": 60, "b": 50}}, legend=_LEGEND)
    return fig


def _stages(d: ReportData) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    assert d.agent is not None  # only called when the section has data
    a = d.agent
    hover = [f"learning on fraction {f:.3g}" for f in a.fraction]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=a.stage, y=a.entropy, name="entropy", mode="lines+markers",
                             text=hover))
    fig.add_trace(go.Scatter(x=a.stage, y=a.best_value, name=f"best {d.summary.metric}",
                             mode="lines+markers", text=hover), secondary_y=True)
    fig.add_trace(go.Scatter(x=a.stage, y=a.group_mean_value, name="group mean",
                             mode="lines+markers", line={"dash": "dot"}, text=hover),
                  secondary_y=True)
    fig.update_xaxes(title_text="stage", dtick=1)
    fig.update_yaxes(title_text="policy entropy (1 = uniform)", secondary_y=False,
                     tickformat=".3g")
    fig.update_yaxes(title_text=f"{d.summary.metric} at the learning fraction", secondary_y=True,
                     tickformat=".4g")
    fig.update_layout(**{**_LAYOUT, "margin": {"l": 60, "r": 60, "t": 60, "b": 50}},
                      legend=_LEGEND)
    return fig


def _agreement(d: ReportData) -> Any:
    import plotly.graph_objects as go

    pairs = [p for p in d.agreement if p.measured]
    fig = go.Figure(go.Scatter(
        x=[p.label for p in pairs], y=[p.spearman for p in pairs], mode="markers+text",
        marker={"size": 11},
        error_y={"type": "data", "symmetric": False,
                 "array": [p.high - (p.spearman or 0.0) for p in pairs],
                 "arrayminus": [(p.spearman or 0.0) - p.low for p in pairs]},
        text=[f"n={p.n}, {p.status}" for p in pairs], textposition="middle right",
    ))
    fig.update_layout(**{**_LAYOUT, "height": 360},
                      yaxis={"range": [-1.05, 1.1], "title": "Spearman's rho"},
                      xaxis={"title": "adjacent data fractions", "type": "category"})
    return fig


def _origin(d: ReportData) -> Any:
    import plotly.graph_objects as go

    from rocket_hpo.report._trials import ORIGINS

    fraction = {r.number: r.fraction for r in d.trials}
    symbols = {"policy": "circle", "promotion": "triangle-up", "check": "triangle-down",
               "enqueued": "square", "sampler": "circle"}
    fig = go.Figure()
    for origin, numbers in d.origins.items():
        fig.add_trace(go.Scatter(
            x=numbers, y=[fraction[n] for n in numbers], mode="markers",
            name=f"{ORIGINS[origin]} ({len(numbers)})",
            marker={"size": 9, "symbol": symbols.get(origin, "circle")}))
    fractions = sorted(set(fraction.values()))
    fig.update_layout(**{**_LAYOUT, "height": 340}, legend=_LEGEND, xaxis_title="trial number",
                      yaxis={"title": "data fraction", "type": "log" if len(fractions) > 1
                             else "linear", "tickvals": fractions,
                             "ticktext": [f"{f:.3g}" for f in fractions]})
    return fig


_BUILDERS = {"history": _history, "cost": _cost, "parallel": _parallel,
             "importance": _importance, "agreement": _agreement, "origin": _origin,
             "agent": _agent, "stages": _stages}


def figures(d: ReportData) -> dict[str, Any]:
    """The plotly figure of every section that has data, by section key."""
    return {s.key: _BUILDERS[s.key](d) for s in SECTIONS
            if s.key not in d.notes and s.key not in FIGURELESS}
