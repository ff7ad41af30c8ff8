"""Query planning: normalized operation -> fetch dependency graph -> query plan (with the
same-wave entity fetches of one subgraph merged into one request)."""

from router.planning.builder import PlanningError, QueryPlanner

__all__ = ["PlanningError", "QueryPlanner"]
