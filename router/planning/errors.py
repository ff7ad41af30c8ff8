"""The planner's one error: the operation cannot be planned over this supergraph."""

from __future__ import annotations

__all__ = ["PlanningError"]


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition gap)."""
