"""One worker asks at a time: a lock per study, shared by every process that opens it.

Two workers that both see one missing trial and both ask would create a trial too many
(formerly failed as ``surplus``). Holding this lock while a worker reads the study,
decides and asks makes the decision and the new trial one step. PostgreSQL gives a
session-level advisory lock (released by the server if the process dies); a SQLite file
gets an ``flock`` on a lock file in the temporary folder (SQLite is one machine's anyway).
In-memory storages are one process, so need none.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator

import optuna
import sqlalchemy
from optuna.storages import RDBStorage

__all__ = ["ask_lock"]

_PG_CLASS = 0x524F434B  # "ROCK": the first key of Rocket's advisory locks


def _backend(study: optuna.Study) -> object:
    storage = study._storage
    return getattr(storage, "_backend", storage)


@contextlib.contextmanager
def ask_lock(study: optuna.Study) -> Iterator[None]:
    """Hold ``study``'s ask lock for the ``with`` block (a no-op for in-memory storages).

    Example:
        >>> study = optuna.create_study()
        >>> with ask_lock(study):
        ...     trial = study.ask()
    """
    backend = _backend(study)
    if not isinstance(backend, RDBStorage):
        yield
        return
    dialect = backend.engine.dialect.name
    if dialect == "postgresql":
        with backend.engine.connect() as connection:
            keys = {"a": _PG_CLASS, "b": int(study._study_id)}
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:a, :b)"), keys)
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:a, :b)"), keys)
                connection.commit()
        return
    database = sqlalchemy.engine.make_url(str(backend.url)).database
    if dialect != "sqlite" or not database or database == ":memory:":
        yield  # another database: Rocket's workers fall back to yielding surplus trials
        return
    key = hashlib.sha1(f"{os.path.realpath(database)}\0{study._study_id}".encode()).hexdigest()
    path = os.path.join(tempfile.gettempdir(), f"rocket-ask-{key[:16]}.lock")
    try:
        handle = open(path, "a")  # noqa: SIM115 - closed below, after the block
    except OSError:  # e.g. another user's lock file: fall back to yielding surplus trials
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
