"""The customers subgraph: the Customer entity (master data, tier, tags, addresses)."""
