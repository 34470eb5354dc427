"""Static PNG versions of the report's figures (matplotlib, no browser needed)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rocket_hpo.report._data import ReportData

__all__ = ["write_pngs"]


def _history(d: ReportData, ax: Any) -> None:
    h = d.history
    points = ax.scatter(h.cost, h.value, c=h.fraction, cmap="viridis", vmin=0, vmax=1, s=18)
    ax.figure.colorbar(points, ax=ax, label="data fraction")
    best = [(c, b) for c, b in zip(h.cost, h.best, strict=True) if b is not None]
    if best:
        ax.step([c for c, _ in best], [b for _, b in best], where="post", color="C3",
                label="best on full data")
        ax.legend(loc="best")
    ax.set(xlabel="cost spent (full-data equivalents)", ylabel=d.summary.metric,
           title="Optimisation history against cost")


def _cost(d: ReportData, ax: Any) -> None:
    h = d.history
    trials = range(1, len(h.cost) + 1)
    ax.plot(trials, h.full_equivalent, label="on the full data")
    ax.plot(trials, h.cost, label="spent")
    ax.set(xlabel="completed trials", ylabel="full-data equivalents", title="Cost ledger")
    ax.legend(loc="upper left")


def _parallel(d: ReportData, ax: Any) -> None:
    import matplotlib.pyplot as plt

    values = d.axis_values
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    cmap = plt.get_cmap("viridis")
    xs = range(len(d.axes))
    for j, v in enumerate(values):
        ax.plot(xs, [a.position[j] for a in d.axes], color=cmap((v - lo) / span), alpha=0.6,
                lw=1)
    ax.set_xticks(list(xs), [a.name for a in d.axes], rotation=40, ha="right")
    ax.set(ylim=(-0.15, 1.05), ylabel="position in range", title="Parallel coordinates")
    for x in xs:
        ax.axvline(x, color="0.8", lw=0.8, zorder=0)


def _importance(d: ReportData, ax: Any) -> None:
    items = sorted(d.importances.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items], [v for _, v in items])
    ax.set(xlabel="importance (share of variance)", title="Hyperparameter importances")


def _agent(d: ReportData, fig: Any) -> None:
    assert d.agent is not None  # only called when the section has data
    names = list(d.agent.distributions)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig.set_size_inches(4.2 * cols, 2.8 * rows)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        dist = d.agent.distributions[name]
        z = [list(col) for col in zip(*dist.probs, strict=False)]  # (bins, stages)
        ax.imshow(z, aspect="auto", origin="lower", cmap="Blues", interpolation="nearest",
                  extent=(min(dist.stages) - 0.5, max(dist.stages) + 0.5, -0.5,
                          len(dist.labels) - 0.5))
        step = max(1, len(dist.labels) // 6)
        ax.set_yticks(range(0, len(dist.labels), step), dist.labels[::step], fontsize=7)
        ax.set(title=name, xlabel="stage")
    fig.suptitle("The agent's distribution, stage by stage")


def _stages(d: ReportData, ax: Any) -> None:
    assert d.agent is not None  # only called when the section has data
    a = d.agent
    ax.plot(a.stage, a.entropy, "o-", label="entropy")
    ax.set(xlabel="stage", ylabel="policy entropy (1 = uniform)",
           title="Entropy and score per stage")
    right = ax.twinx()
    right.plot(a.stage, a.best_value, "s-", color="C1", label="best so far")
    right.plot(a.stage, a.group_mean_value, ":", color="C2", label="group mean")
    right.set_ylabel(f"{d.summary.metric} at the learning fraction")
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [str(x.get_label()) for x in lines], loc="lower right")


def _agreement(d: ReportData, ax: Any) -> None:
    a = d.agreement
    assert a is not None  # only called when the section has data
    err = [[s - lo for s, lo in zip(a.spearman, a.low, strict=True)],
           [h - s for h, s in zip(a.high, a.spearman, strict=True)]]
    ax.bar(a.label, a.spearman, yerr=err, capsize=4)
    ax.set(ylim=(-1.05, 1.05), ylabel="Spearman's rho", xlabel="adjacent data fractions",
           title="Rank agreement between rungs")
    ax.axhline(0, color="0.5", lw=0.8)


_AX: dict[str, Callable[[ReportData, Any], None]] = {
    "history": _history, "cost": _cost, "parallel": _parallel, "importance": _importance,
    "stages": _stages, "agreement": _agreement,
}


def write_pngs(d: ReportData, out: Path) -> list[Path]:
    """One PNG per section that has data, written under ``out``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    paths = []
    for key in ("history", "cost", "parallel", "importance", "agent", "stages", "agreement"):
        if key in d.notes:
            continue
        fig = plt.figure(figsize=(8, 4.5))
        if key == "agent":
            _agent(d, fig)
        else:
            _AX[key](d, fig.add_subplot(1, 1, 1))
        fig.tight_layout()
        path = out / f"{key}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
