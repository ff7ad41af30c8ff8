"""Query planning: normalized operation -> fetch dependency graph -> query plan (with the
same-wave entity fetches of one subgraph merged into one request)."""

from router.planning.builder import QueryPlanner
from router.planning.errors import PlanningError

__all__ = ["PlanningError", "QueryPlanner"]
