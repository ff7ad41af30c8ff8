"""One Strawberry Federation 2 subgraph per business domain.

``subgraphs.registry`` lists them; ``python -m subgraphs serve <domain>`` runs one
standalone, and ``platform_cli`` mounts them all in one process for development.
"""
