"""Runs the whole platform: every domain subgraph and the router, for development (one
process, seeded embedded SQLite) or as separate production processes."""
