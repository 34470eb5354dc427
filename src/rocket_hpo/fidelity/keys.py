"""Names of the attributes the fidelity scheduler stores in a study (read by reports).

Trial user attributes:

- ``rocket:fraction`` (:data:`FIDELITY_PARAM`): the data fraction the trial trains on.
- ``rocket:rung``: its index on the ladder, 0 = the cheapest rung.
- ``rocket:promoted_from``: for a promotion, the number of the trial whose configuration it
  re-runs on more data.
- ``rocket:audit``: true on an audit promotion (a random configuration of the rung below,
  promoted to measure the rank agreement without selection bias).
- ``rocket:transfer``: for a promotion with transfer rules, ``{param: [old, new]}``.

Study user attributes (snapshots, rewritten whenever they change):

- ``rocket:ladder``: ``{"min_fraction", "eta", "max_fraction"}``; written once, checked on resume.
- ``rocket:agreement``: one entry per pair of adjacent rungs, cheapest first, measured on
  the audit promotions between them:
  ``{"rung", "fractions": [lower, upper], "n", "spearman", "low", "high", "kendall",
  "confidence", "status"}``; ``status`` is ``"unknown"``, ``"agrees"`` or ``"poor"``.
- ``rocket:learning_fraction``: the rung the policy learns from.
"""

from __future__ import annotations

__all__ = [
    "AGREEMENT",
    "AUDIT",
    "FIDELITY_PARAM",
    "LADDER",
    "LEARNING_FRACTION",
    "PROMOTED_FROM",
    "RUNG",
    "TRANSFER",
]

FIDELITY_PARAM = "rocket:fraction"
"""Trial user attribute holding the data fraction Rocket chose for the trial."""
RUNG = "rocket:rung"
PROMOTED_FROM = "rocket:promoted_from"
TRANSFER = "rocket:transfer"
AUDIT = "rocket:audit"
LADDER = "rocket:ladder"
AGREEMENT = "rocket:agreement"
LEARNING_FRACTION = "rocket:learning_fraction"
