"""Storages by URL, with heartbeats so that trials of a dead worker are found and re-run."""

from __future__ import annotations

import copy
import importlib.util
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy
from optuna.storages import BaseStorage, InMemoryStorage, RDBStorage
from optuna.trial import TrialState

from rocket_hpo._checks import check_int, check_text, invalid
from rocket_hpo.errors import UsageError
from rocket_hpo.runner._urls import display_url, hide_password

__all__ = [
    "DEFAULT_STORAGE",
    "MEMORY",
    "fail_lost_trials",
    "first_line",
    "heartbeat_interval",
    "make_storage",
    "quiet_heartbeat_warnings",
    "shareable",
    "storage_error",
    "storage_url",
]

DEFAULT_STORAGE = "sqlite:///rocket.db"
"""The storage used when none is named: a SQLite file in the current folder."""

MEMORY = "memory"
"""The URL that asks for an in-memory storage (one process only, lost at exit)."""


@contextmanager
def quiet_heartbeat_warnings() -> Iterator[None]:
    """Silence Optuna's warnings that heartbeats are experimental and meant for ``optimize``.

    Rocket's loop records heartbeats itself, so ask/tell with heartbeats is intended here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
        yield


def make_storage(
    url: str | None = None,
    *,
    heartbeat_interval: int = 5,
    grace_period: int | None = None,
    max_retry: int | None = 3,
) -> BaseStorage:
    """An Optuna storage for ``url``, with heartbeats and re-runs of trials whose worker died.

    Every running trial records a heartbeat every ``heartbeat_interval`` seconds; a running
    trial whose last heartbeat is older than ``grace_period`` seconds (default twice the
    interval) is failed by the next worker that looks, and a copy with the same
    parameters is queued so that another worker runs it again (at most ``max_retry``
    times; ``None`` = without limit).

    Args:
        url: ``sqlite:///path.db`` (the default, ``sqlite:///rocket.db``), a SQLAlchemy URL
            such as ``postgresql://user@host:5432/db`` for many workers on many machines
            (read with psycopg 3, from the ``postgres`` extra; ``postgresql+psycopg2://``
            also works when psycopg2 is installed),
            or ``"memory"`` for an in-memory storage (one process, no heartbeats).
        heartbeat_interval: Seconds between heartbeats of a running trial (>= 1).
        grace_period: Seconds without a heartbeat after which a running trial counts as
            lost (> ``heartbeat_interval``); ``None`` = twice the interval.
        max_retry: How often one lost trial is re-run; ``None`` = without limit.

    Example:
        >>> storage = make_storage("sqlite:///:memory:", heartbeat_interval=2)
        >>> study = optuna.create_study(storage=storage)
    """
    url = DEFAULT_STORAGE if url is None else url
    check_text("storage", url, "a non-empty URL string")
    check_int("heartbeat_interval", heartbeat_interval, 1)
    check_int("grace_period", grace_period, none=True)
    if grace_period is not None and grace_period <= heartbeat_interval:
        raise invalid("grace_period", f"an integer > heartbeat_interval ({heartbeat_interval}) "
                      "or None", grace_period)
    check_int("max_retry", max_retry, 0, none=True)
    if url == MEMORY:
        return InMemoryStorage()
    try:
        return _rdb_storage(url, heartbeat_interval, grace_period, max_retry)
    except UsageError:
        raise
    except Exception as e:  # SQLAlchemy raises many types for a bad or unreachable URL
        raise storage_error("open", _with_driver(url), e) from None


def _rdb_storage(
    url: str, heartbeat_interval: int, grace_period: int | None, max_retry: int | None
) -> BaseStorage:
    url = _with_driver(url)
    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = sqlalchemy.engine.make_url(url).database
        if path and path != ":memory:":
            folder = Path(path).expanduser().resolve().parent
            if not folder.is_dir():
                raise UsageError(
                    f"Cannot open storage {display_url(url)!r}: the folder {str(folder)!r} "
                    f"does not exist."
                )
            engine_kwargs["creator"] = _SQLiteConnect(path)
        else:
            engine_kwargs["connect_args"] = {"timeout": 60}
    else:
        # Long studies outlive server-side connection timeouts; test connections before use.
        engine_kwargs["pool_pre_ping"] = True
    with quiet_heartbeat_warnings():
        return RDBStorage(
            url,
            engine_kwargs=engine_kwargs,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(
                max_retry=max_retry
            ),
        )


def storage_error(verb: str, url: str, error: BaseException) -> UsageError:
    """The one message for a storage that cannot be opened or read: ``Cannot VERB storage
    URL: the driver's first line``, with the password masked."""
    return UsageError(f"Cannot {verb} storage {display_url(url)!r}: {first_line(error, url)}")


def first_line(error: BaseException, url: str) -> str:
    """The first line of a driver's ``error``, with ``url``'s password masked."""
    text = str(error).strip()
    return hide_password(text.splitlines()[0], url) if text else type(error).__name__


def _with_driver(url: str) -> str:
    """``url`` with a PostgreSQL driver SQLAlchemy can load.

    SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3 (the ``postgres`` extra);
    ``postgres://`` (Heroku's spelling) means the same. Where only psycopg2 is installed,
    it is used instead, so older set-ups keep working.
    """
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            rest = url[len(scheme) :]
            if importlib.util.find_spec("psycopg") is None and (
                importlib.util.find_spec("psycopg2") is not None
            ):
                return "postgresql+psycopg2://" + rest
            return "postgresql://" + rest
    return url


class _SQLiteConnect:
    """Opens a study's SQLite file in write-ahead-log mode, waiting for locks.

    With the default rollback journal and full synchronisation every commit waits for the
    disk (about ten per trial, 10-20 ms each here). WAL with ``synchronous=NORMAL`` commits
    without waiting, stays consistent when a process is killed (only a power loss may drop
    the last commits), and lets readers work while one process writes. Several processes
    on one machine may share the file; a network file system may not hold it.
    A class, not a closure, so that storages pickle for worker processes.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection


def _backend(storage: BaseStorage) -> BaseStorage:
    """The storage under Optuna's cache layer (``create_study`` wraps RDB storages in one)."""
    return getattr(storage, "_backend", storage)


def storage_url(study: optuna.Study) -> str:
    """The URL of ``study``'s storage, or ``"memory"`` (with its password: for opening the
    storage, never for showing; see :func:`display_url`).

    Example:
        >>> storage_url(optuna.create_study())
        'memory'
    """
    backend = _backend(study._storage)
    if isinstance(backend, RDBStorage):
        return str(backend.url)
    return MEMORY


def shareable(study: optuna.Study) -> bool:
    """Whether other processes can open ``study``'s storage (not in-memory, not ``:memory:``)."""
    url = storage_url(study)
    return url != MEMORY and ":memory:" not in url and url not in ("sqlite://", "sqlite:///")


def heartbeat_interval(study: optuna.Study) -> int | None:
    """The heartbeat interval of ``study``'s storage in seconds; ``None`` when it has none."""
    storage = study._storage
    getter = getattr(storage, "get_heartbeat_interval", None)
    return None if getter is None else getter()


def _grace_period(study: optuna.Study) -> float | None:
    interval = heartbeat_interval(study)
    if interval is None:
        return None
    grace = getattr(_backend(study._storage), "grace_period", None)
    return float(2 * interval if grace is None else grace)


def fail_lost_trials(study: optuna.Study) -> None:
    """Fail the running trials whose worker is gone, and queue their re-runs.

    Optuna's :func:`optuna.storages.fail_stale_trials` only sees trials that recorded at
    least one heartbeat. A worker killed between creating a trial and its first heartbeat
    (a few milliseconds, but ten random kills find that window) leaves a trial that would
    run forever; such a trial, older than the grace period and still without a heartbeat,
    is failed here the same way.
    """
    grace = _grace_period(study)
    if grace is None:
        return
    with quiet_heartbeat_warnings():
        optuna.storages.fail_stale_trials(study)
    backend = _backend(study._storage)
    if not isinstance(backend, RDBStorage):
        return
    now = datetime.now()
    old = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        if t.datetime_start is not None and now - t.datetime_start > timedelta(seconds=grace)
    ]
    if not old:
        return
    # Optuna has no public query for "has this trial ever sent a heartbeat"; the table is
    # part of its RDB schema, read here through its own model.
    from optuna.storages._rdb import models

    with backend.scoped_session() as session:
        ids = [t._trial_id for t in old]
        beating = {
            row[0]
            for row in session.query(models.TrialHeartbeatModel.trial_id)
            .filter(models.TrialHeartbeatModel.trial_id.in_(ids))
            .all()
        }
    callback = backend.get_heartbeat_stale_trial_callback()
    for t in old:
        if t._trial_id in beating:
            continue
        try:
            if not study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another worker failed (or finished) it first
        if callback is not None:
            callback(study, copy.deepcopy(study._storage.get_trial(t._trial_id)))
