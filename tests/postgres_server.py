"""The PostgreSQL server the tests that need one run against.

Without ``CI`` in the environment, a test that needs the server is skipped when it does not
answer (a developer's machine may have none); with ``CI`` set it fails, so a CI machine
without the server cannot pass silently. ``ROCKET_TEST_POSTGRES`` points the tests at
another server (default: the project's ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import os

import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The server's URL, without a password (trust authentication)."""
    return os.environ.get("ROCKET_TEST_POSTGRES", DEFAULT_URL)


def _answer(url: str) -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as e:  # any reason it cannot be used is the same answer: no server
        return f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e) else ''}"
    return None


def require_postgres() -> str:
    """The URL of a server that answers; otherwise skip the test, or fail it under ``CI``."""
    url = postgres_url()
    problem = _answer(url)
    if problem is None:
        return url
    message = f"PostgreSQL does not answer at {url} ({problem})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so the tests that need it fail instead of skipping",
                    pytrace=False)
    pytest.skip(message)
