"""Where the ``rocket`` console script of an existing install still looks for ``main``.

The command moved to :mod:`rocket_hpo.app.cli` (issue 16) and ``pyproject.toml`` points the
script there, but an install made before the move (``pip install -e .`` writes the script
once) runs ``rocket_hpo.cli:main`` until it is reinstalled (``make`` reinstalls whenever
``pyproject.toml`` changes). Delete this module once no such install is in use.
"""

from rocket_hpo.app.cli import main

__all__ = ["main"]
