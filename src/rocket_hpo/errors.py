"""Exceptions that mean "the user's input is wrong" (reported without a traceback)."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(ValueError):
    """A mistake in the user's input: a bad option, an unknown task, an unreachable storage."""
