"""Interactive plotly figures for the HTML page, one per report section."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rocket_hpo.report._data import ReportData

__all__ = ["SECTIONS", "Section", "figures"]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    caption: str


SECTIONS = [
    Section("history", "Optimisation history against cost",
            "Each completed trial at the cost spent when it finished (full-data equivalents: a "
            "trial on 1/9 of the data costs 1/9), coloured by its data fraction; the line is the "
            "best score on the full data so far."),
    Section("cost", "Cost ledger",
            "Cost actually spent against what the same evaluations would have cost on the full "
            "data, and how the spending splits across data fractions."),
    Section("parallel", "Parallel coordinates",
            "Every completed trial as a line through its hyperparameters (axes scaled to [0, 1], "
            "log scale where the space says so), coloured by score."),
    Section("importance", "Hyperparameter importances", "How much of the score's variance "
            "each hyperparameter explains (fANOVA)."),
    Section("agent", "The agent's distribution, stage by stage",
            "For each hyperparameter, the probability the policy gave each bin at the end of "
            "each stage: where its beliefs moved (darker = more likely; each panel on its own "
            "scale)."),
    Section("stages", "Entropy and score per stage",
            "The policy's entropy (exploration left, 1 = uniform), the best score so far and "
            "the mean score of each stage's group, at the data fraction the policy learned "
            "from in that stage."),
    Section("agreement", "Rank agreement between rungs",
            "Spearman's rank correlation between adjacent data fractions over the "
            "configurations scored on both, with its confidence interval: how far a cheap "
            "rung's ranking can be trusted."),
]

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

    h = d.history
    fig = make_subplots(rows=1, cols=2, column_widths=[0.65, 0.35],
                        subplot_titles=("cumulative cost", "cost by data fraction"))
    trials = list(range(1, len(h.cost) + 1))
    fig.add_trace(go.Scatter(x=trials, y=h.full_equivalent, name="on the full data",
                             mode="lines"), row=1, col=1)
    fig.add_trace(go.Scatter(x=trials, y=h.cost, name="spent", mode="lines"), row=1, col=1)
    per: dict[float, float] = {}
    for f in h.fraction:
        per[f] = per.get(f, 0.0) + f
    fractions = sorted(per)
    fig.add_trace(go.Bar(x=[f"{f:.3g}" for f in fractions], y=[per[f] for f in fractions],
                         name="spent per fraction"), row=1, col=2)
    fig.update_xaxes(title_text="completed trials", row=1, col=1)
    fig.update_xaxes(title_text="data fraction", type="category", row=1, col=2)
    fig.update_yaxes(title_text="full-data equivalents", row=1, col=1)
    fig.update_layout(**{**_LAYOUT, "margin": {"l": 60, "r": 30, "t": 40, "b": 90}},
                      legend={"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"})
    return fig


def _parallel(d: ReportData) -> Any:
    import plotly.graph_objects as go

    dims = [{"label": a.name, "values": a.position, "range": [-0.12, 1.0],
             "tickvals": a.tickvals, "ticktext": a.ticktext} for a in d.axes]
    dims.append({"label": d.summary.metric, "values": d.axis_values})
    fig = go.Figure(go.Parcoords(
        dimensions=dims,
        line={"color": d.axis_values, "colorscale": "Viridis", "showscale": True},
    ))
    fig.update_layout(**{**_LAYOUT, "height": 460, "margin": {"l": 80, "r": 80, "t": 60, "b": 30}})
    return fig


def _importance(d: ReportData) -> Any:
    import plotly.graph_objects as go

    items = sorted(d.importances.items(), key=lambda kv: kv[1])
    fig = go.Figure(go.Bar(x=[v for _, v in items], y=[k for k, _ in items], orientation="h"))
    fig.update_layout(**{**_LAYOUT, "height": max(260, 28 * len(items) + 80)},
                      xaxis_title="importance (share of variance)")
    return fig


def _agent(d: ReportData) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    assert d.agent is not None  # only called when the section has data
    names = list(d.agent.distributions)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names,
                        horizontal_spacing=0.08, vertical_spacing=min(0.12, 0.5 / rows))
    for i, name in enumerate(names):
        dist = d.agent.distributions[name]
        z = [list(col) for col in zip(*dist.probs, strict=False)]  # (bins, stages)
        # Each panel on its own scale: 16 numeric bins never reach a two-way choice's peak.
        top = max((max(p) for p in dist.probs), default=1.0)
        fig.add_trace(go.Heatmap(z=z, x=dist.stages, y=dist.labels, colorscale="Blues",
                                 zmin=0.0, zmax=top, showscale=False, name=name,
                                 hovertemplate="stage %{x}<br>%{y}: p=%{z:.3f}<extra></extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(**{**_LAYOUT, "height": 260 * rows + 60})
    fig.update_xaxes(title_text="stage")
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
    fig.update_xaxes(title_text="stage")
    fig.update_yaxes(title_text="policy entropy (1 = uniform)", secondary_y=False)
    fig.update_yaxes(title_text=f"{d.summary.metric} at the learning fraction", secondary_y=True)
    fig.update_layout(**{**_LAYOUT, "margin": {"l": 60, "r": 60, "t": 60, "b": 50}},
                      legend=_LEGEND)
    return fig


def _agreement(d: ReportData) -> Any:
    import plotly.graph_objects as go

    a = d.agreement
    assert a is not None  # only called when the section has data
    fig = go.Figure(go.Bar(
        x=a.label, y=a.spearman,
        error_y={"type": "data", "symmetric": False,
                 "array": [h - s for h, s in zip(a.high, a.spearman, strict=True)],
                 "arrayminus": [s - lo for s, lo in zip(a.spearman, a.low, strict=True)]},
        text=[f"n={n}, {st}" for n, st in zip(a.n, a.status, strict=True)],
        textposition="outside",
    ))
    fig.update_layout(**_LAYOUT, yaxis={"range": [-1.05, 1.15], "title": "Spearman's rho"},
                      xaxis_title="adjacent data fractions")
    return fig


_BUILDERS = {"history": _history, "cost": _cost, "parallel": _parallel,
             "importance": _importance, "agent": _agent, "stages": _stages,
             "agreement": _agreement}


def figures(d: ReportData) -> dict[str, Any]:
    """The plotly figure of every section that has data, by section key."""
    return {s.key: _BUILDERS[s.key](d) for s in SECTIONS if s.key not in d.notes}
