"""Telemetry shared by the router and the subgraphs: tracing set-up and W3C propagation
(:mod:`observability.tracing`), JSON logs with request and trace ids and no personal data
(:mod:`observability.logs`), and bounded metric labels (:mod:`observability.labels`).

Neutral ground: it imports neither ``router`` nor ``subgraphs``, both import it.
"""
