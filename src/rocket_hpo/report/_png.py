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
    book = d.ledger
    for curve in [*book.others, book.this]:  # this study last: drawn on top
        ax.step([*curve.cost, curve.total], [*curve.best, curve.best[-1]], where="post",
                ls="-" if curve is book.this else "--", marker="o",
                markevery=list(range(len(curve.cost))), label=curve.label)
    ax.set_xscale("log")
    ax.set(xlabel="cost spent (full-data equivalents, log scale)",
           ylabel=f"best {d.summary.metric} (full data)", title="Cost to reach each quality level")
    ax.legend(loc="lower right")


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
    ax.set_xticks(list(xs), [a.name for a in d.axes], rotation=30, ha="right")
    ax.set(ylim=(-0.15, 1.05), ylabel="position in range",
           title=f"Parallel coordinates: the {len(d.axes)} most important hyperparameters")
    for x in xs:
        ax.axvline(x, color="0.8", lw=0.8, zorder=0)


def _importance(d: ReportData, ax: Any) -> None:
    items = sorted(d.importances.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items], [v for _, v in items])
    ax.set(xlabel="importance (share of variance)", title="Hyperparameter importances")


def _agent(d: ReportData, fig: Any) -> None:
    a = d.agent
    assert a is not None  # only called when the section has data
    names = d.agent_names
    cols = min(2, len(names))
    rows = math.ceil(len(names) / cols)
    fig.set_size_inches(5.5 * cols, 2.8 * rows + 0.6)
    by_trial = None not in a.start
    last = max((r.number for r in d.trials), default=0) + 1
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        dist = a.distributions[name]
        z = [list(col) for col in zip(*dist.probs, strict=False)]  # (bins, stages)
        n = len(dist.labels)
        if by_trial:
            edges = [float(a.start[a.stage.index(s)] or 0) for s in dist.stages]
            edges.append(max(float(last), edges[-1] + 1))
        else:
            edges = [s - 0.5 for s in dist.stages] + [dist.stages[-1] + 0.5]
        ax.pcolormesh(edges, [b / n for b in range(n + 1)], z, cmap="Blues", vmin=0.0)
        numbers, positions = d.proposals.get(name, ([], []))
        if by_trial and numbers:
            ax.scatter(numbers, positions, s=8, color="#d95f02", label="the policy's draws")
            ax.set_xlim(-0.5, last)
        step = max(1, math.ceil(n / 6))
        ax.set_yticks([(b + 0.5) / n for b in range(0, n, step)], dist.labels[::step],
                      fontsize=7)
        ax.set(title=name, xlabel="trial number" if by_trial else "stage", ylim=(0, 1))
    fig.suptitle("The policy's proposal distribution, stage by stage")


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
    pairs = [p for p in d.agreement if p.measured]
    rho = [p.spearman or 0.0 for p in pairs]
    err = [[r - p.low for r, p in zip(rho, pairs, strict=True)],
           [p.high - r for r, p in zip(rho, pairs, strict=True)]]
    ax.errorbar([p.label for p in pairs], rho, yerr=err, fmt="o", capsize=4)
    for p, r in zip(pairs, rho, strict=True):
        ax.annotate(f" n={p.n}, {p.status}", (p.label, r), fontsize=8)
    ax.set(ylim=(-1.05, 1.05), ylabel="Spearman's rho", xlabel="adjacent data fractions",
           title="Rank agreement between rungs")
    ax.axhline(0, color="0.5", lw=0.8)


def _origin(d: ReportData, ax: Any) -> None:
    from rocket_hpo.report._trials import ORIGINS

    fraction = {r.number: r.fraction for r in d.trials}
    markers = {"promotion": "^", "check": "v", "enqueued": "s"}
    for origin, numbers in d.origins.items():
        ax.scatter(numbers, [fraction[n] for n in numbers], marker=markers.get(origin, "o"),
                   label=f"{ORIGINS[origin]} ({len(numbers)})", s=22)
    fractions = sorted(set(fraction.values()))
    if len(fractions) > 1:
        ax.set_yscale("log")
    ax.set_yticks(fractions, [f"{f:.3g}" for f in fractions])
    ax.minorticks_off()
    ax.set(xlabel="trial number", ylabel="data fraction",
           title="Where each configuration came from")
    ax.legend(loc="best", fontsize=8)


_AX: dict[str, Callable[[ReportData, Any], None]] = {
    "history": _history, "cost": _cost, "parallel": _parallel, "importance": _importance,
    "stages": _stages, "agreement": _agreement, "origin": _origin,
}


def write_pngs(d: ReportData, out: Path) -> list[Path]:
    """One PNG per section that has data, written under ``out``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    paths = []
    from rocket_hpo.report._figures import FIGURELESS, SECTIONS

    for key in (s.key for s in SECTIONS):
        if key in d.notes or key in FIGURELESS:
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
