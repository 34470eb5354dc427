"""The one exception for "the user's input is wrong" (reported without a traceback)."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(ValueError, TypeError):
    """A mistake in the user's input: a bad argument or setting, an unknown task, an
    unreachable storage.

    It is both a ``ValueError`` and a ``TypeError`` (as scikit-learn's
    ``InvalidParameterError`` is), so a wrong value and a wrong type are one family, and code
    that catches either of the built-in types, as callers did before the two were folded
    together, still catches it. The checks that raise it are in :mod:`rocket_hpo._checks`.
    """
