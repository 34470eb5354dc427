"""A test that needs PostgreSQL is skipped on a machine without it, and fails under CI."""

from __future__ import annotations

import pytest

from postgres_server import require_postgres

DEAD = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1


def test_without_the_server_a_test_skips_on_a_developer_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ROCKET_TEST_POSTGRES", DEAD)
    with pytest.raises(pytest.skip.Exception, match=r"does not answer at .*:1/test"):
        require_postgres()


def test_without_the_server_a_test_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("ROCKET_TEST_POSTGRES", DEAD)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_postgres()


def test_the_server_answers_here(postgres: str) -> None:
    # Under CI this is the test that says plainly that the server is missing.
    assert postgres.startswith("postgresql://")
