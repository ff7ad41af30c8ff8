"""What every domain subgraph shares: errors, context and loaders, ids, pagination, money,
schema construction and the ASGI app."""
