"""The planning failure (kept apart so that every planning module can raise it)."""

from __future__ import annotations

__all__ = ["PlanningError"]


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition gap)."""
