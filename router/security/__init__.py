"""Who is calling: JWT bearer tokens, partner API keys, and the signed identity the router
passes to subgraphs (``router.yaml`` sections ``authentication``, ``api_keys``,
``identity_propagation``)."""
