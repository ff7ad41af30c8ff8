"""Query planning: normalized operation -> fetch dependency graph -> query plan."""

from router.planning.builder import PlanningError, QueryPlanner

__all__ = ["PlanningError", "QueryPlanner"]
