"""``summary.md`` and PNG anytime plots from benchmark records."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from .stats import (
    bootstrap_ci,
    final_regrets,
    mean_ranks,
    normaliser,
    regret_curve,
    time_to_target,
    wilcoxon_vs_best_peer,
)

__all__ = ["summary_markdown", "write_plots", "write_report"]

ORDER = ["rocket", "rocket-cheap", "rocket-asha", "rocket-gain", "rocket-no-cheap", "rocket-full",
         "random", "tpe", "gp", "cmaes",
         "hebo", "tpe-hyperband", "smac", "smac-mf", "dehb"]


def _opts(records: list[dict[str, Any]]) -> list[str]:
    present = {r["optimizer"] for r in records}
    return [o for o in ORDER if o in present] + sorted(present - set(ORDER))


def _fmt(m: float, lo: float, hi: float) -> str:
    return f"{m:.4f} [{lo:.4f}, {hi:.4f}]"


def _cuts(data: dict[str, Any], budgets: list[float]) -> list[float]:
    """The costs at which regret is read: the file's ``meta.cuts``, else the largest budget."""
    cuts = [float(c) for c in data.get("meta", {}).get("cuts") or ()]
    return sorted(set(cuts)) if cuts else [max(budgets)]


def summary_markdown(data: dict[str, Any]) -> str:
    """The summary tables as Markdown: regret and rank at each budget cut, then the tests,
    time to target and overhead at the end of the runs."""
    records = data["records"]
    if not records:
        return "# Benchmark summary\n\nNo records yet.\n"
    opts = _opts(records)
    regrets = final_regrets(records)
    tasks = sorted(regrets)
    budgets = sorted({float(r["budget"]) for r in records})
    seeds = sorted({int(r["seed"]) for r in records})
    cuts = _cuts(data, budgets)
    meta = data.get("meta", {})
    commands = meta.get("commands") or [meta.get("command", "?")]
    lines = [
        "# Benchmark summary",
        "",
        "Commands (all runs in this folder):",
        "",
        *[f"    {c}" for c in commands],
        "",
        f"Budget: {', '.join(f'{b:g}' for b in budgets)} full-fidelity equivalents per run; "
        f"seeds: {len(seeds)}; tasks: {len(tasks)}; records: {len(records)}. Regret is read "
        f"off the same traces at cost {', '.join(f'{c:g}' for c in cuts)}.",
        *_incomplete(regrets, opts, tasks, seeds),
        "",
        "## At a glance: mean normalised regret over tasks [95% interval] and mean rank",
        "",
        "| optimizer | " + " | ".join(f"regret at {c:g} | rank at {c:g}" for c in cuts) + " |",
        "|---|" + "---|---|" * len(cuts),
    ]
    at_cut = {c: final_regrets(records, cut=c) for c in cuts}
    glance = {c: (_mean_over_tasks(at_cut[c], opts, seeds), mean_ranks(at_cut[c])) for c in cuts}
    for o in opts:
        cells = []
        for c in cuts:
            means, ranks = glance[c]
            cells += [means[o], f"{ranks[o]:.2f}" if o in ranks else "–"]
        lines.append(f"| {o} | " + " | ".join(cells) + " |")
    for c in cuts:
        lines += _regret_table(at_cut[c], opts, seeds, c)
    lines += _wilcoxon_section(regrets, tasks, opts)
    lines += _ttt_section(records, regrets, tasks, opts)
    lines += _overhead_section(records, opts)
    lines += ["", "## Plots", "", "Anytime regret (mean over seeds, band = ±1 standard error): "
              "`anytime.png` (per task) and `anytime_mean.png` (mean over tasks).", ""]
    return "\n".join(lines)


def _incomplete(regrets: dict[str, Any], opts: list[str], tasks: list[str],
                seeds: list[int]) -> list[str]:
    """A warning for optimizers that lack some (task, seed) runs: their mean over tasks is
    missing and their ranks count only where they ran."""
    full = len(tasks) * len(seeds)
    have = {o: sum(len(regrets[t].get(o, {})) for t in tasks) for o in opts}
    short = [f"{o} has {have[o]} of {full}" for o in opts if have[o] < full]
    if not short:
        return []
    return ["", f"**Incomplete**: {'; '.join(short)} (task, seed) runs. A mean over tasks needs "
            "every task; ranks are taken among the optimizers present on each task and seed, so "
            "rows with different coverage are not strictly comparable."]


def _mean_over_tasks(regrets: dict[str, Any], opts: list[str], seeds: list[int]) -> dict[str, str]:
    """Per optimizer: the mean over tasks per seed, then its bootstrap over seeds (a seed
    counts only if the optimizer has it on every task)."""
    tasks = sorted(regrets)
    out = {}
    for o in opts:
        per_seed = [
            float(np.mean([regrets[t][o][s] for t in tasks]))
            for s in seeds
            if all(o in regrets[t] and s in regrets[t][o] for t in tasks)
        ]
        out[o] = _fmt(*bootstrap_ci(per_seed)) if per_seed else "–"
    return out


def _regret_table(regrets: dict[str, Any], opts: list[str], seeds: list[int],
                  cut: float) -> list[str]:
    tasks = sorted(regrets)
    lines = [
        "",
        f"## Normalised regret at cost {cut:g} (mean [95% bootstrap interval]; lower is better)",
        "",
        "| task | " + " | ".join(opts) + " |",
        "|---|" + "---|" * len(opts),
    ]
    for t in tasks:
        cells = []
        means = {o: float(np.mean(list(regrets[t][o].values()))) for o in opts if o in regrets[t]}
        best = min(means.values()) if means else math.nan
        for o in opts:
            if o not in regrets[t]:
                cells.append("–")
                continue
            m, lo, hi = bootstrap_ci(list(regrets[t][o].values()))
            cell = _fmt(m, lo, hi)
            cells.append(f"**{cell}**" if m == best else cell)
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    means_over = _mean_over_tasks(regrets, opts, seeds)
    lines.append("| **mean over tasks** | " + " | ".join(means_over[o] for o in opts) + " |")
    ranks = mean_ranks(regrets)
    lines.append("| **mean rank** | " + " | ".join(
        f"{ranks[o]:.2f}" if o in ranks else "–" for o in opts) + " |")
    return lines


def _wilcoxon_section(regrets: dict[str, Any], tasks: list[str], opts: list[str]) -> list[str]:
    # The agent under test: 'rocket' when it ran, else its first variant in these records.
    ours = next((o for o in opts if o.startswith("rocket")), "rocket")
    lines = ["", f"## {ours} against the best peer per task at the end of the runs "
             "(two-sided Wilcoxon signed-rank, paired by seed)", ""]
    rows = [(t, wilcoxon_vs_best_peer(regrets[t], ours)) for t in tasks]
    if all(w is None for _, w in rows):
        return [*lines, "Rocket is not in these records.", ""]
    lines += ["| task | best peer | Rocket mean | peer mean | median diff | p | verdict |",
              "|---|---|---|---|---|---|---|"]
    for t, w in rows:
        if w is None:
            continue
        mine = float(np.mean(list(regrets[t][ours].values())))
        theirs = float(np.mean(list(regrets[t][w["peer"]].values())))
        p = w["p"]
        if math.isnan(p) or p >= 0.05:
            verdict = "no significant difference"
        else:
            verdict = "Rocket better" if w["median_diff"] < 0 else "Rocket worse"
        p_text = "–" if math.isnan(p) else f"{p:.3g}"
        lines.append(f"| {t} | {w['peer']} | {mine:.4f} | {theirs:.4f} | "
                     f"{w['median_diff']:+.4f} | {p_text} | {verdict} |")
    return lines


def _ttt_section(records: list[dict[str, Any]], regrets: dict[str, Any], tasks: list[str],
                 opts: list[str]) -> list[str]:
    ref_name = "random" if "random" in opts else None
    lines = ["", "## Time to target", "",
             "Target per task: the mean final regret of "
             + ("random search" if ref_name else "the worst optimizer")
             + " (the reference). Cell: the cost at which the optimizer's mean regret curve "
             "(over seeds) first reaches the target, as a ratio to the cost at which the "
             "reference's own curve reaches it (lower is faster; – = never within the budget), "
             "and in how many seeds the optimizer's own run reached the target.", "",
             "| task | " + " | ".join(opts) + " |", "|---|" + "---|" * len(opts)]
    norm = normaliser(records)
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by[(r["task"], r["optimizer"])].append(r)
    for t in tasks:
        budget = max(float(r["budget"]) for o in regrets[t] for r in by[(t, o)])
        grid = np.linspace(0.0, budget, 2001)
        means = {o: float(np.mean(list(regrets[t][o].values()))) for o in regrets[t]}
        worst = max(means, key=lambda o: means[o])
        ref = ref_name if ref_name is not None and ref_name in means else worst
        target = means[ref]
        ref_cost = _reach(by[(t, ref)], grid, target, norm)
        cells = []
        for o in opts:
            if o not in means:
                cells.append("–")
                continue
            cost = _reach(by[(t, o)], grid, target, norm)
            seeds = [time_to_target(r, target, norm) for r in by[(t, o)]]
            hit = sum(math.isfinite(v) for v in seeds)
            ratio = f"{cost / ref_cost:.2f}" if math.isfinite(cost) and ref_cost > 0 else "–"
            cells.append(f"{ratio} ({hit}/{len(seeds)})")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return lines


def _reach(records: list[dict[str, Any]], grid: np.ndarray[Any, Any], target: float,
           norm: dict[str, tuple[float, float, bool]]) -> float:
    """First cost in ``grid`` where the mean regret curve of ``records`` is <= ``target``."""
    curve = np.mean([regret_curve(r, grid, norm) for r in records], axis=0)
    hit = np.flatnonzero(curve <= target + 1e-12)
    return float(grid[hit[0]]) if hit.size else math.inf


def _overhead_section(records: list[dict[str, Any]], opts: list[str]) -> list[str]:
    lines = ["", "## Optimizer overhead (wall time outside the objective)", "",
             "| optimizer | ms per evaluation | s per run | evaluations per run |",
             "|---|---|---|---|"]
    for o in opts:
        rs = [r for r in records if r["optimizer"] == o]
        per_eval = 1e3 * sum(r["overhead_s"] for r in rs) / max(sum(r["n_evals"] for r in rs), 1)
        lines.append(f"| {o} | {per_eval:.1f} | {np.mean([r['overhead_s'] for r in rs]):.2f} | "
                     f"{np.mean([r['n_evals'] for r in rs]):.0f} |")
    return lines


def write_plots(data: dict[str, Any], out: Path) -> list[Path]:
    """``anytime.png`` (one panel per task) and ``anytime_mean.png``; returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    records = data["records"]
    if not records:
        return []
    opts = _opts(records)
    tasks = sorted({r["task"] for r in records})
    budget = max(float(r["budget"]) for r in records)
    grid = np.linspace(0.0, budget, 300)
    norm = normaliser(records)
    curves: dict[tuple[str, str], np.ndarray[Any, Any]] = {}
    for t in tasks:
        for o in opts:
            rs = [r for r in records if r["task"] == t and r["optimizer"] == o]
            if rs:
                curves[(t, o)] = np.stack([regret_curve(r, grid, norm) for r in rs])
    ncol = min(4, len(tasks))
    nrow = math.ceil(len(tasks) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 3.2 * nrow), squeeze=False)
    # One colour per optimizer across all panels, one legend for the figure.
    colors = {o: f"C{i % 10}" for i, o in enumerate(opts)}
    for ax, t in zip(axes.flat, tasks, strict=False):
        for o in opts:
            if (t, o) in curves:
                _band(ax, grid, curves[(t, o)], o, colors[o])
        ax.set_title(t, fontsize=9)
        _regret_axis(ax)
        ax.set_xlabel("cost (full-fidelity equivalents)", fontsize=8)
        ax.set_ylabel("normalised regret", fontsize=8)
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    handles = [Line2D([], [], color=colors[o], label=o) for o in opts]
    fig.legend(handles=handles, loc="lower center", ncol=len(opts), fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    paths = [out / "anytime.png"]
    fig.savefig(paths[0], dpi=90)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for o in opts:
        per_task = [curves[(t, o)].mean(axis=0) for t in tasks if (t, o) in curves]
        if len(per_task) == len(tasks):
            ax.plot(grid, np.mean(per_task, axis=0), label=o, color=colors[o])
    _regret_axis(ax)
    ax.set_xlabel("cost (full-fidelity equivalents)")
    ax.set_ylabel("mean normalised regret over tasks")
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out / "anytime_mean.png")
    fig.savefig(paths[1], dpi=90)
    plt.close(fig)
    return paths


def _regret_axis(ax: Any) -> None:
    """Log-like scale that still shows regrets <= 0 (a score above the reference best)."""
    from matplotlib.ticker import SymmetricalLogLocator

    ax.set_yscale("symlog", linthresh=1e-3)
    ax.yaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=1e-3, subs=(1, 2, 5)))
    ax.tick_params(axis="y", labelsize=7)


def _band(ax: Any, grid: np.ndarray[Any, Any], c: np.ndarray[Any, Any], label: str,
          color: str) -> None:
    mean = c.mean(axis=0)
    se = c.std(axis=0, ddof=1) / math.sqrt(len(c)) if len(c) > 1 else np.zeros_like(mean)
    ax.plot(grid, mean, label=label, lw=1.2, color=color)
    ax.fill_between(grid, mean - se, mean + se, color=color, alpha=0.15, lw=0)


def write_report(data: dict[str, Any], out: Path) -> None:
    """Write ``summary.md`` and the plots into ``out``."""
    out = Path(out)
    (out / "summary.md").write_text(summary_markdown(data))
    write_plots(data, out)
