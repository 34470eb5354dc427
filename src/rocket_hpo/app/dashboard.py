"""``rocket dashboard``: optuna-dashboard on a study storage, on this machine by default.

Example:
    >>> serve("sqlite:///rocket.db", "127.0.0.1", 8080)  # doctest: +SKIP
"""

from __future__ import annotations

import sys

from rocket_hpo.errors import UsageError

__all__ = ["serve"]


def serve(storage: str, host: str = "127.0.0.1", port: int = 8080) -> int:
    """Serve optuna-dashboard on ``storage`` at ``http://host:port`` until Ctrl-C.

    Raises:
        UsageError: the ``dashboard`` extra is missing, the storage cannot be opened, or
            the port is invalid or taken.
    """
    from rocket_hpo.runner import check_storage, display_url, make_storage, study_names

    if not 0 < port < 65536:
        raise UsageError(f"--port must be in 1..65535. Got {port}.")
    try:
        import optuna_dashboard
    except ImportError:
        raise UsageError("rocket dashboard needs optuna-dashboard: pip install "
                         "'rocket-hpo[dashboard]'.") from None
    check_storage(storage, must_exist=True)
    rdb = make_storage(storage)
    names = study_names(storage, rdb)
    print(f"optuna-dashboard on {display_url(storage)} ({len(names)} studies): "
          f"http://{host}:{port}/  (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        optuna_dashboard.run_server(rdb, host=host, port=port)
    except OSError as e:  # the port is taken, or the address is not this machine's
        raise UsageError(f"Cannot serve on {host}:{port}: {e.strerror or e}.") from None
    return 0
