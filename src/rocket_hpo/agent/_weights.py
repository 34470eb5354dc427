"""Policy weight files: ``NAME.pt`` (the network's configuration and weights) beside
``NAME.json`` (version, sha256 of the ``.pt`` file, and how it was made: command, seed,
data sources, settings, iterations). The package ships one pair as its default policy.

Example:
    >>> import tempfile
    >>> from rocket_hpo.agent.policy import HistoryPolicy
    >>> path = Path(tempfile.mkdtemp()) / "p.pt"
    >>> meta = save_weights(HistoryPolicy(width=8, layers=1), path, {"seed": 0})
    >>> load_weights(path).config == {"width": 8, "layers": 1}
    True
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import torch

from rocket_hpo.agent.policy import HistoryPolicy, from_state, state_of
from rocket_hpo.errors import UsageError

__all__ = ["DEFAULT_WEIGHTS", "WeightsError", "load_weights", "read_meta", "save_weights"]

FORMAT = 1  # bumped when the network's inputs or layout change
DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "weights" / "compact-v2.pt"


class WeightsError(UsageError):
    """A weight file that is missing, altered, or of another format (a ValueError, and the
    command line's one-line error)."""


def save_weights(policy: HistoryPolicy, path: Path, made_by: dict[str, Any]) -> dict[str, Any]:
    """Write ``path`` and its ``.json`` record; returns the record."""
    buffer = io.BytesIO()
    torch.save(state_of(policy), buffer)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # a reader never sees half a file
    meta = {"format": FORMAT, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "parameters": sum(p.numel() for p in policy.parameters()), **made_by}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def read_meta(path: Path) -> dict[str, Any]:
    side = path.with_suffix(".json")
    if not side.exists():
        raise WeightsError(f"The weight file {path} has no record {side.name} beside it.")
    meta: dict[str, Any] = json.loads(side.read_text())
    return meta


def load_weights(path: Path | str | None = None) -> HistoryPolicy:
    """The policy in ``path`` (default: the shipped weights), after checking its checksum
    and format against its record."""
    path = Path(path) if path is not None else DEFAULT_WEIGHTS
    if not path.exists():
        raise WeightsError(f"No policy weights at {path}.")
    meta = read_meta(path)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise WeightsError(f"The weights in {path} do not match the checksum in their record.")
    if meta.get("format") != FORMAT:
        raise WeightsError(f"The weights in {path} are of format {meta.get('format')}; this "
                           f"version of Rocket reads format {FORMAT}.")
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        return from_state(state)
    except (RuntimeError, KeyError, TypeError) as exc:  # another network layout
        raise WeightsError(f"The weights in {path} do not fit this version's network: "
                           f"{str(exc).strip().splitlines()[0]}") from exc
