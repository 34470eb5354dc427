"""Fixtures for the runner tests: a fresh study name and the real PostgreSQL server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import optuna
import pytest

from rocket_hpo.runner import make_storage


@pytest.fixture
def study_name() -> str:
    return f"rocket-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_url(postgres: str, study_name: str) -> Iterator[str]:
    """The PostgreSQL URL (skipped, or failed under CI, when the server does not answer);
    the test's study is deleted afterwards."""
    yield postgres
    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=study_name, storage=make_storage(postgres))
