"""benchmarks/figures.py: every figure the README quotes has a source that records no dirty
tree (the check itself, and that it catches what it should)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "figures.py"


def _figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("figures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["figures"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_every_quoted_figure_has_a_clean_source() -> None:
    lines, problems = _figures().check()
    assert not problems, problems
    assert len(lines) >= 8


def test_a_dirty_source_a_missing_one_and_a_dropped_quote_are_problems(tmp_path: Path) -> None:
    figures = _figures()
    (tmp_path / "README.md").write_text("Rocket reaches 0.131 / 0.095\n at budgets 20 / 50.\n")
    (tmp_path / "clean.json").write_text('{"code": "76b679e", "x": 1}\n')
    (tmp_path / "dirty.jsonl").write_text('{"code": "76b679e"}\n{"code": "48b861e+dirty"}\n')
    fig = figures.Figure
    entries = (
        fig("clean", "0.131 / 0.095 at budgets", ("clean.json",)),
        fig("dirty", "Rocket reaches", ("dirty.jsonl",)),
        fig("missing", "budgets 20", ("nowhere.json",)),
        fig("dropped", "a sentence the README lost", ("clean.json",)),
    )
    lines, problems = figures.check(tmp_path / "README.md", tmp_path, entries)
    assert problems == [
        "dirty: dirty.jsonl records a dirty tree (48b861e+dirty)",
        "missing: source nowhere.json does not exist",
        "dropped: the README no longer says 'a sentence the README lost'",
    ]
    assert lines[0].split()[-1] == "76b679e"
    # The archived peer rows the README once quoted are caught.
    archived = Path(SCRIPT).parent / "archive" / "peers-b20" / "yahpo-dev" / "results.json"
    assert any(c.endswith("+dirty") for c in figures.commits(archived))
