"""Two small subgraphs with the Federation 2 shapes the planner once could not plan: shared
root value types, value types below entities, per-subgraph field types, conflicting response
keys and abstract types whose members differ per subgraph (see ``apps.py``)."""
