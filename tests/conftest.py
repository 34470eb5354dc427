"""Fixtures for every test folder."""

from __future__ import annotations

import pytest

from postgres_server import require_postgres


@pytest.fixture
def postgres() -> str:
    """The URL of the real PostgreSQL server (see ``postgres_server``: skip, or fail in CI)."""
    return require_postgres()
