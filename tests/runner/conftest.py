"""Fixtures for the runner tests: a fresh study name and the real PostgreSQL server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import optuna
import pytest

from rocket_hpo.runner import make_storage

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_up() -> bool:
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test").close()
        return True
    except Exception:
        return False


@pytest.fixture
def study_name() -> str:
    return f"rocket-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_url(study_name: str) -> Iterator[str]:
    """The PostgreSQL URL; the test's study is deleted afterwards."""
    if not _postgres_up():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres, db test)")
    yield PG_URL
    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=study_name, storage=make_storage(PG_URL))
