"""Bridges to other tools; each module imports its tool lazily (``rocket_hpo.integrations.ray``)."""
