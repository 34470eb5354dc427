"""The package's layout rules, checked on the source (issue 16): no module over 400 lines, no
import cycle, every stored attribute name written once (in ``keys.py``), and one function
reading a trial's data fraction.

Run as a script to print what each check sees: ``.venv/bin/python tests/test_layout.py``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "rocket_hpo"
KEYS = PACKAGE / "keys.py"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def long_modules() -> list[str]:
    return [f"{p.relative_to(SRC)}: {n} lines" for p in _modules().values()
            if (n := len(p.read_text().splitlines())) > MAX_LINES]


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, at import time or inside a function
    (a lazy import closes a cycle as surely, only later); ``if TYPE_CHECKING`` blocks aside."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    checking = {id(n) for node in ast.walk(tree)
                if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in modules and m != name}


def _related(a: str, b: str) -> bool:
    """Whether one of the two is a package holding the other: a package's ``__init__`` that
    imports its own modules (a registry, re-exports) is not a cycle with them."""
    return a.startswith(b + ".") or b.startswith(a + ".")


def import_cycles() -> list[list[str]]:
    """Cycles of imports between the package's modules (see :func:`_imports`)."""
    modules = _modules()
    graph = {n: {m for m in _imports(n, p, modules) if not _related(n, m)}
             for n, p in modules.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    return cycles


def _stored_names() -> set[str]:
    tree = ast.parse(KEYS.read_text())
    return {node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:  # module, class and function docstrings, and attribute docs
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    ids.add(id(stmt.value))
    return ids


def stored_name_literals() -> list[str]:
    """String literals outside ``keys.py`` that spell a stored attribute name (or any
    ``rocket:`` name), docstrings aside."""
    names = _stored_names()
    hits = []
    for path in _modules().values():
        if path == KEYS:
            continue
        tree = ast.parse(path.read_text())
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip
                    and (node.value in names or re.match(r"rocket:\S", node.value))):
                hits.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}")
    return hits


def fraction_readers() -> list[str]:
    """Places outside ``keys.py`` that read the fraction attribute itself (``.get(KEY)``,
    ``[KEY]`` on a mapping other than the one being written), instead of calling
    :func:`rocket_hpo.keys.data_fraction`."""
    hits = []
    for path in _modules().values():
        if path == KEYS:
            continue
        tree = ast.parse(path.read_text())
        written = {id(t) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   for t in node.targets}
        for node in ast.walk(tree):
            key = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and node.args):
                key = node.args[0]
            elif isinstance(node, ast.Subscript) and id(node) not in written:
                key = node.slice
            if isinstance(key, ast.Name) and key.id == "FIDELITY_PARAM":
                hits.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}")
    return hits


def test_no_module_is_over_400_lines() -> None:
    assert long_modules() == []


def test_no_import_cycle() -> None:
    assert import_cycles() == []


def test_stored_attribute_names_are_written_only_in_keys() -> None:
    assert stored_name_literals() == []


def test_one_function_reads_a_trials_fraction() -> None:
    assert fraction_readers() == []


if __name__ == "__main__":
    checks = {"modules over 400 lines": long_modules(), "import cycles": import_cycles(),
              "stored names as literals outside keys.py": stored_name_literals(),
              "fraction reads outside keys.data_fraction": fraction_readers()}
    for title, found in checks.items():
        print(f"{title}: {len(found)}")
        for item in found:
            print(f"  {item}")
    sys.exit(1 if any(checks.values()) else 0)
