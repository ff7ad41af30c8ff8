"""The federation router: composition, supergraph, operation, planning, plan, execution,
response shaping and the HTTP server, one module (or package) per pipeline stage."""
